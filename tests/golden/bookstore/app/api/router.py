"""Every model's routes, gathered into one router."""

from fastapi import APIRouter

from app.api.routes import author, book, review, tag

api_router = APIRouter()
api_router.include_router(author.router)
api_router.include_router(book.router)
api_router.include_router(tag.router)
api_router.include_router(review.router)
