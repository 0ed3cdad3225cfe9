"""HTTP endpoints for tags."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response, status

from app.api.deps import SessionDep, SettingsDep
from app.core.errors import CONFLICT, NOT_FOUND, UNREADABLE_BODY, invalid, not_found
from app.core.query import QueryParameters, Read
from app.core.responses import json_response
from app.core.schemas import Page, RowLinks
from app.core.types import Int32
from app.queries import tag as queries
from app.schemas.responses import TagItem
from app.schemas.tag import TagCreate, TagItemQuery, TagQuery, TagRead, TagUpdate

router = APIRouter(prefix="/tags", tags=["tags"])
LIST_QUERY = QueryParameters(TagQuery)
ITEM_QUERY = QueryParameters(TagItemQuery)
ROW_LINKS = RowLinks(
    {"id": "id"},
    ("get_tag", "update_tag", "delete_tag"),
    creates={"create_book": {"tag_ids": ["id"]}},
)


@router.get(
    "",
    response_model=Page[TagItem],
    responses={200: ROW_LINKS.at("/items/0")},
    openapi_extra=LIST_QUERY.openapi,
)
async def list_tags(read: Annotated[Read[TagQuery], Depends(LIST_QUERY)]) -> Response:
    """List tags: filter, sort, page, and choose fields and includes."""
    body = await read.reader.run(queries.list_tags, read.query, read.pager)
    return Response(body, media_type="application/json")


@router.get(
    "/{id}",
    response_model=TagItem,
    responses=NOT_FOUND,
    openapi_extra=ITEM_QUERY.openapi,
)
async def get_tag(id: Int32, read: Annotated[Read[TagItemQuery], Depends(ITEM_QUERY)]) -> Response:
    """Get one tag."""
    body = await read.reader.run(queries.get_tag, id, read.query)
    if body is None:
        raise not_found("tag", id)
    return Response(body, media_type="application/json")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=TagRead,
    responses={**UNREADABLE_BODY, **CONFLICT, 201: ROW_LINKS.at()},
)
async def create_tag(item: TagCreate, session: SessionDep) -> Response:
    """Create a tag."""
    (row,) = await queries.insert_tags(session, [item])
    await session.commit()
    return json_response(row, status.HTTP_201_CREATED)


@router.post(
    "/bulk",
    status_code=status.HTTP_201_CREATED,
    response_model=list[TagRead],
    responses={**UNREADABLE_BODY, **CONFLICT, 201: ROW_LINKS.at("/0")},
)
async def create_tags(
    items: Annotated[list[TagCreate], Body(min_length=1)],
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Create many tags in one transaction."""
    if len(items) > settings.max_bulk_rows:
        raise invalid(("body",), f"at most {settings.max_bulk_rows} items per request", len(items))
    rows = await queries.insert_tags(session, items)
    await session.commit()
    return json_response(rows, status.HTTP_201_CREATED)


@router.patch(
    "/{id}",
    response_model=TagRead,
    responses={**UNREADABLE_BODY, **NOT_FOUND, **CONFLICT, 200: ROW_LINKS.at()},
)
async def update_tag(id: Int32, changes: TagUpdate, session: SessionDep) -> Response:
    """Change some fields of a tag."""
    row = await queries.update_tag(session, id, changes)
    if row is None:
        raise not_found("tag", id)
    await session.commit()
    return json_response(row)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, responses={**NOT_FOUND, **CONFLICT})
async def delete_tag(id: Int32, session: SessionDep) -> Response:
    """Delete a tag."""
    if not await queries.delete_tag(session, id):
        raise not_found("tag", id)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
