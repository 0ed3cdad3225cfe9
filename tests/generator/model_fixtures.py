"""Paths of the model fixtures and a cached loader, shared by the loading/introspection tests."""

from __future__ import annotations

import functools
from pathlib import Path

from fe_gen.generator.ir import Column, Model, Relationship, Schema
from fe_gen.generator.loading import load_schema

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
MODELS = FIXTURES / "models"
PACKAGES = FIXTURES / "packages"
BROKEN = FIXTURES / "broken"


@functools.cache
def schema_of(name: str) -> Schema:
    """The Schema of tests/fixtures/models/<name>.py, loaded once per test run."""
    return load_schema(str(MODELS / f"{name}.py"))


def model(fixture: str, name: str) -> Model:
    return schema_of(fixture).model(name)


def column(fixture: str, model_name: str, key: str) -> Column:
    return model(fixture, model_name).column(key)


def relationship(fixture: str, model_name: str, key: str) -> Relationship:
    for rel in model(fixture, model_name).relationships:
        if rel.key == key:
            return rel
    raise KeyError(f"{model_name} has no relationship {key!r}")
