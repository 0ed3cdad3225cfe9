"""Example models, shipped with fe-gen as package data (`fe_gen.examples`)."""
