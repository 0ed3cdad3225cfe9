"""HTTP endpoints for books."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response, status

from app.api.deps import SessionDep, SettingsDep
from app.core.errors import CONFLICT, NOT_FOUND, UNREADABLE_BODY, invalid, not_found
from app.core.query import QueryParameters, Read
from app.core.responses import json_response
from app.core.schemas import Page, RowLinks
from app.core.types import Int32
from app.queries import book as queries
from app.schemas.book import BookCreate, BookItemQuery, BookQuery, BookRead, BookUpdate
from app.schemas.responses import BookItem

router = APIRouter(prefix="/books", tags=["books"])
LIST_QUERY = QueryParameters(BookQuery)
ITEM_QUERY = QueryParameters(BookItemQuery)
ROW_LINKS = RowLinks(
    {"id": "id"},
    ("get_book", "update_book", "delete_book"),
    creates={"create_tag": {"book_ids": ["id"]}, "create_review": {"book_id": "id"}},
)


@router.get(
    "",
    response_model=Page[BookItem],
    responses={200: ROW_LINKS.at("/items/0")},
    openapi_extra=LIST_QUERY.openapi,
)
async def list_books(read: Annotated[Read[BookQuery], Depends(LIST_QUERY)]) -> Response:
    """List books: filter, sort, page, and choose fields and includes."""
    body = await read.reader.run(queries.list_books, read.query, read.pager)
    return Response(body, media_type="application/json")


@router.get(
    "/{id}",
    response_model=BookItem,
    responses=NOT_FOUND,
    openapi_extra=ITEM_QUERY.openapi,
)
async def get_book(
    id: Int32, read: Annotated[Read[BookItemQuery], Depends(ITEM_QUERY)]
) -> Response:
    """Get one book."""
    body = await read.reader.run(queries.get_book, id, read.query)
    if body is None:
        raise not_found("book", id)
    return Response(body, media_type="application/json")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=BookRead,
    responses={**UNREADABLE_BODY, **CONFLICT, 201: ROW_LINKS.at()},
)
async def create_book(item: BookCreate, session: SessionDep) -> Response:
    """Create a book."""
    (row,) = await queries.insert_books(session, [item])
    await session.commit()
    return json_response(row, status.HTTP_201_CREATED)


@router.post(
    "/bulk",
    status_code=status.HTTP_201_CREATED,
    response_model=list[BookRead],
    responses={**UNREADABLE_BODY, **CONFLICT, 201: ROW_LINKS.at("/0")},
)
async def create_books(
    items: Annotated[list[BookCreate], Body(min_length=1)],
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Create many books in one transaction."""
    if len(items) > settings.max_bulk_rows:
        raise invalid(("body",), f"at most {settings.max_bulk_rows} items per request", len(items))
    rows = await queries.insert_books(session, items)
    await session.commit()
    return json_response(rows, status.HTTP_201_CREATED)


@router.patch(
    "/{id}",
    response_model=BookRead,
    responses={**UNREADABLE_BODY, **NOT_FOUND, **CONFLICT, 200: ROW_LINKS.at()},
)
async def update_book(id: Int32, changes: BookUpdate, session: SessionDep) -> Response:
    """Change some fields of a book."""
    row = await queries.update_book(session, id, changes)
    if row is None:
        raise not_found("book", id)
    await session.commit()
    return json_response(row)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, responses={**NOT_FOUND, **CONFLICT})
async def delete_book(id: Int32, session: SessionDep) -> Response:
    """Delete a book."""
    if not await queries.delete_book(session, id):
        raise not_found("book", id)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
