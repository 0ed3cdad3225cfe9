"""`python -m fe_gen.generator` runs the fe-gen command line."""

from fe_gen.generator.cli import main

main()
