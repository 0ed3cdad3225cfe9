"""Copier templates shipped with fe-gen (package data, read with importlib.resources)."""
