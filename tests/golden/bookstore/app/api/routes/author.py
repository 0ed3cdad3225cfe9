"""HTTP endpoints for authors."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response, status

from app.api.deps import SessionDep, SettingsDep
from app.core.errors import CONFLICT, NOT_FOUND, UNREADABLE_BODY, invalid, not_found
from app.core.query import QueryParameters, Read
from app.core.responses import json_response
from app.core.schemas import Page, RowLinks
from app.core.types import Int32
from app.queries import author as queries
from app.schemas.author import AuthorCreate, AuthorItemQuery, AuthorQuery, AuthorRead, AuthorUpdate
from app.schemas.responses import AuthorItem

router = APIRouter(prefix="/authors", tags=["authors"])
LIST_QUERY = QueryParameters(AuthorQuery)
ITEM_QUERY = QueryParameters(AuthorItemQuery)
ROW_LINKS = RowLinks(
    {"id": "id"},
    ("get_author", "update_author", "delete_author"),
    creates={"create_book": {"author_id": "id"}},
)


@router.get(
    "",
    response_model=Page[AuthorItem],
    responses={200: ROW_LINKS.at("/items/0")},
    openapi_extra=LIST_QUERY.openapi,
)
async def list_authors(read: Annotated[Read[AuthorQuery], Depends(LIST_QUERY)]) -> Response:
    """List authors: filter, sort, page, and choose fields and includes."""
    body = await read.reader.run(queries.list_authors, read.query, read.pager)
    return Response(body, media_type="application/json")


@router.get(
    "/{id}",
    response_model=AuthorItem,
    responses=NOT_FOUND,
    openapi_extra=ITEM_QUERY.openapi,
)
async def get_author(
    id: Int32, read: Annotated[Read[AuthorItemQuery], Depends(ITEM_QUERY)]
) -> Response:
    """Get one author."""
    body = await read.reader.run(queries.get_author, id, read.query)
    if body is None:
        raise not_found("author", id)
    return Response(body, media_type="application/json")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AuthorRead,
    responses={**UNREADABLE_BODY, **CONFLICT, 201: ROW_LINKS.at()},
)
async def create_author(item: AuthorCreate, session: SessionDep) -> Response:
    """Create an author."""
    (row,) = await queries.insert_authors(session, [item])
    await session.commit()
    return json_response(row, status.HTTP_201_CREATED)


@router.post(
    "/bulk",
    status_code=status.HTTP_201_CREATED,
    response_model=list[AuthorRead],
    responses={**UNREADABLE_BODY, **CONFLICT, 201: ROW_LINKS.at("/0")},
)
async def create_authors(
    items: Annotated[list[AuthorCreate], Body(min_length=1)],
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Create many authors in one transaction."""
    if len(items) > settings.max_bulk_rows:
        raise invalid(("body",), f"at most {settings.max_bulk_rows} items per request", len(items))
    rows = await queries.insert_authors(session, items)
    await session.commit()
    return json_response(rows, status.HTTP_201_CREATED)


@router.patch(
    "/{id}",
    response_model=AuthorRead,
    responses={**UNREADABLE_BODY, **NOT_FOUND, **CONFLICT, 200: ROW_LINKS.at()},
)
async def update_author(id: Int32, changes: AuthorUpdate, session: SessionDep) -> Response:
    """Change some fields of an author."""
    row = await queries.update_author(session, id, changes)
    if row is None:
        raise not_found("author", id)
    await session.commit()
    return json_response(row)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, responses={**NOT_FOUND, **CONFLICT})
async def delete_author(id: Int32, session: SessionDep) -> Response:
    """Delete an author."""
    if not await queries.delete_author(session, id):
        raise not_found("author", id)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
