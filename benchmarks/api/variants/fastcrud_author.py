"""FastCRUD with the author joined (no tags): see fastcrud_app."""

from benchmarks.api.variants.fastcrud_app import create_app

app = create_app(tags=False)
