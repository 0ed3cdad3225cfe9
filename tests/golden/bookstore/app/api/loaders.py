"""The batched loaders of one request, for endpoints of your own (see core/loaders.py):
take `loaders: LoadersDep` and `await loaders.<model>.load(key)`."""

from functools import cached_property
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.loaders import ReferenceLoader, RowLoader
from app.queries import author as author_queries
from app.queries import book as book_queries
from app.queries import review as review_queries
from app.queries import tag as tag_queries


class Loaders:
    """Each loader is made when first used, and lives as long as the request."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @cached_property
    def author(self) -> RowLoader:
        """Authors by id."""
        return RowLoader(self._engine, author_queries.RESOURCE, "id")

    @cached_property
    def book(self) -> RowLoader:
        """Books by id."""
        return RowLoader(self._engine, book_queries.RESOURCE, "id")

    @cached_property
    def books_by_author_id(self) -> ReferenceLoader:
        """Books by their author_id."""
        return ReferenceLoader(self._engine, book_queries.RESOURCE, "author_id")

    @cached_property
    def tag(self) -> RowLoader:
        """Tags by id."""
        return RowLoader(self._engine, tag_queries.RESOURCE, "id")

    @cached_property
    def review(self) -> RowLoader:
        """Reviews by id."""
        return RowLoader(self._engine, review_queries.RESOURCE, "id")

    @cached_property
    def reviews_by_book_id(self) -> ReferenceLoader:
        """Reviews by their book_id."""
        return ReferenceLoader(self._engine, review_queries.RESOURCE, "book_id")


def get_loaders(request: Request) -> Loaders:
    return Loaders(request.app.state.engine)


LoadersDep = Annotated[Loaders, Depends(get_loaders)]
