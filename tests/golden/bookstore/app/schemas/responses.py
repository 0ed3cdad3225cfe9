"""Response documents: each model with the relationships that `include=` can add."""

from pydantic import MISSING

from app.schemas.author import AuthorPartial
from app.schemas.book import BookPartial
from app.schemas.review import ReviewPartial
from app.schemas.tag import TagPartial


class AuthorItem(AuthorPartial):
    books: list[BookPartial] | MISSING = MISSING
    books_more: bool | MISSING = MISSING


class BookItem(BookPartial):
    author: AuthorPartial | MISSING = MISSING
    tags: list[TagPartial] | MISSING = MISSING
    tags_more: bool | MISSING = MISSING
    reviews: list[ReviewPartial] | MISSING = MISSING
    reviews_more: bool | MISSING = MISSING


class TagItem(TagPartial):
    books: list[BookPartial] | MISSING = MISSING
    books_more: bool | MISSING = MISSING


class ReviewItem(ReviewPartial):
    book: BookPartial | MISSING = MISSING
