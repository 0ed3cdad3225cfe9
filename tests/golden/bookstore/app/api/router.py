"""Every model's router, for the app to include one by one, and its cacheable reads.

FastAPI matches an included router's routes each time it is reached, level by level: the
app includes each router itself, so a request is matched against one level, not two.
"""

from app.api.routes import author, book, review, tag
from app.core.listing import Resource
from app.queries import author as author_queries
from app.queries import book as book_queries
from app.queries import review as review_queries
from app.queries import tag as tag_queries

ROUTERS = (author.router, book.router, tag.router, review.router)

READS: dict[str, tuple[Resource, str]] = {
    "/authors": (author_queries.RESOURCE, "/authors/{id}"),
    "/books": (book_queries.RESOURCE, "/books/{id}"),
    "/tags": (tag_queries.RESOURCE, "/tags/{id}"),
    "/reviews": (review_queries.RESOURCE, "/reviews/{id}"),
}
"""Each model's path, what its reads serve, and the route of one of its rows."""
