"""fe-gen's generator: SQLAlchemy models -> IR -> a rendered FastAPI project."""
