"""A mapped class imported under another name is still known (`import X as Y`)."""

from __future__ import annotations

from pathlib import Path

from tests.codemods.test_engine import optimize, write

MODELS = """\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Provider(Base):
    __tablename__ = "providers"
    id: Mapped[int] = mapped_column(primary_key=True)
    active: Mapped[bool]
"""
VIEWS = """\
from sqlalchemy import select

from app.models import Provider as ProviderModel


def active(session):
    return [p for p in session.scalars(select(ProviderModel)).all() if p.active]
"""
FIXED = """\
from sqlalchemy import select

from app.models import Provider as ProviderModel


def active(session):
    return session.scalars(select(ProviderModel).where(ProviderModel.active)).all()
"""


def test_an_aliased_model_gets_fe101s_fix(project: Path) -> None:
    write(project, "app/__init__.py", "")
    write(project, "app/models.py", MODELS)
    views = write(project, "app/views.py", VIEWS)
    assert optimize(".")[0] == 1
    assert views.read_text() == FIXED
    assert optimize(".")[0] == 0
