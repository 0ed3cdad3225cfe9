"""What the rules share: query tracing, condition translation, metadata helpers."""
