"""Every model's router, for the app to include one by one.

FastAPI matches an included router's routes each time it is reached, level by level: the
app includes each router itself, so a request is matched against one level, not two.
"""

from app.api.routes import author, book, review, tag

ROUTERS = (author.router, book.router, tag.router, review.router)
