"""fe-gen's codemods: rules that find and fix slow SQLAlchemy patterns in existing code."""
