"""Response documents: each model with the relationships that `include=` can add."""

from pydantic import MISSING

from app.schemas.author import AuthorPartial, AuthorRead
from app.schemas.book import BookPartial, BookRead
from app.schemas.review import ReviewPartial, ReviewRead
from app.schemas.tag import TagPartial, TagRead


class AuthorItem(AuthorPartial):
    books: list[BookRead] | MISSING = MISSING


class BookItem(BookPartial):
    author: AuthorRead | MISSING = MISSING
    tags: list[TagRead] | MISSING = MISSING
    reviews: list[ReviewRead] | MISSING = MISSING


class TagItem(TagPartial):
    books: list[BookRead] | MISSING = MISSING


class ReviewItem(ReviewPartial):
    book: BookRead | MISSING = MISSING
