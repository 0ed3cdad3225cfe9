"""HTTP endpoints for reviews."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response, status

from app.api.deps import SessionDep, SettingsDep
from app.core.errors import CONFLICT, NOT_FOUND, UNREADABLE_BODY, invalid, not_found
from app.core.query import QueryParameters, Read
from app.core.responses import json_response
from app.core.schemas import Page, RowLinks
from app.core.types import Int32
from app.queries import review as queries
from app.schemas.responses import ReviewItem
from app.schemas.review import ReviewCreate, ReviewItemQuery, ReviewQuery, ReviewRead, ReviewUpdate

router = APIRouter(prefix="/reviews", tags=["reviews"])
LIST_QUERY = QueryParameters(ReviewQuery)
ITEM_QUERY = QueryParameters(ReviewItemQuery)
ROW_LINKS = RowLinks(
    {"id": "id"},
    ("get_review", "update_review", "delete_review"),
)


@router.get(
    "",
    response_model=Page[ReviewItem],
    responses={200: ROW_LINKS.at("/items/0")},
    openapi_extra=LIST_QUERY.openapi,
)
async def list_reviews(read: Annotated[Read[ReviewQuery], Depends(LIST_QUERY)]) -> Response:
    """List reviews: filter, sort, page, and choose fields and includes."""
    body = await read.reader.run(queries.list_reviews, read.query, read.pager)
    return Response(body, media_type="application/json")


@router.get(
    "/{id}",
    response_model=ReviewItem,
    responses=NOT_FOUND,
    openapi_extra=ITEM_QUERY.openapi,
)
async def get_review(
    id: Int32, read: Annotated[Read[ReviewItemQuery], Depends(ITEM_QUERY)]
) -> Response:
    """Get one review."""
    body = await read.reader.run(queries.get_review, id, read.query)
    if body is None:
        raise not_found("review", id)
    return Response(body, media_type="application/json")


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReviewRead,
    responses={**UNREADABLE_BODY, **CONFLICT, 201: ROW_LINKS.at()},
)
async def create_review(item: ReviewCreate, session: SessionDep) -> Response:
    """Create a review."""
    (row,) = await queries.insert_reviews(session, [item])
    await session.commit()
    return json_response(row, status.HTTP_201_CREATED)


@router.post(
    "/bulk",
    status_code=status.HTTP_201_CREATED,
    response_model=list[ReviewRead],
    responses={**UNREADABLE_BODY, **CONFLICT, 201: ROW_LINKS.at("/0")},
)
async def create_reviews(
    items: Annotated[list[ReviewCreate], Body(min_length=1)],
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """Create many reviews in one transaction."""
    if len(items) > settings.max_bulk_rows:
        raise invalid(("body",), f"at most {settings.max_bulk_rows} items per request", len(items))
    rows = await queries.insert_reviews(session, items)
    await session.commit()
    return json_response(rows, status.HTTP_201_CREATED)


@router.patch(
    "/{id}",
    response_model=ReviewRead,
    responses={**UNREADABLE_BODY, **NOT_FOUND, **CONFLICT, 200: ROW_LINKS.at()},
)
async def update_review(id: Int32, changes: ReviewUpdate, session: SessionDep) -> Response:
    """Change some fields of a review."""
    row = await queries.update_review(session, id, changes)
    if row is None:
        raise not_found("review", id)
    await session.commit()
    return json_response(row)


@router.delete("/{id}", status_code=status.HTTP_204_NO_CONTENT, responses={**NOT_FOUND, **CONFLICT})
async def delete_review(id: Int32, session: SessionDep) -> Response:
    """Delete a review."""
    if not await queries.delete_review(session, id):
        raise not_found("review", id)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
