"""Response documents: each model with the relationships that `include=` can add."""

from app.schemas.author import AuthorRead
from app.schemas.book import BookRead
from app.schemas.review import ReviewRead
from app.schemas.tag import TagRead


class AuthorItem(AuthorRead):
    books: list[BookRead] | None = None


class BookItem(BookRead):
    author: AuthorRead | None = None
    tags: list[TagRead] | None = None
    reviews: list[ReviewRead] | None = None


class TagItem(TagRead):
    books: list[BookRead] | None = None


class ReviewItem(ReviewRead):
    book: BookRead | None = None
