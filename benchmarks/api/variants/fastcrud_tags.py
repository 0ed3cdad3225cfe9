"""FastCRUD with the author and the tags joined: see fastcrud_app."""

from benchmarks.api.variants.fastcrud_app import create_app

app = create_app(tags=True)
