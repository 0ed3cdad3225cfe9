"""What several rules share: metadata helpers, query tracing, the models' declarations,
and the builders of new SQLAlchemy code. A rule's own logic lives beside it in `rules/`."""
