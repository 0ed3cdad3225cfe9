"""What the run reads of the whole project before parsing, and how FE102's and FE103's
pre-checks use it: a superset of what the rules report, narrower when it knows more."""

from __future__ import annotations

import ast

import pytest

from fe_gen.codemods.hints import NO_HINTS, Hints, relationship_names
from fe_gen.codemods.rules.fe103 import prefilter

MODELS = b"""\
class Author(Base):
    name: Mapped[str]
    books: Mapped[
        list["Book"]
    ] = relationship(back_populates="author")
    team = db.relationship("Team")


Author.friends = relationship("Author")


class Mixin:
    @declared_attr
    def owner(cls):
        return relationship("User")

    @declared_attr
    def owner_id(cls):
        return mapped_column(ForeignKey("users.id"))
"""


def test_relationship_names_are_a_superset_of_what_is_declared() -> None:
    names = relationship_names([MODELS, b"x = 1\n"])
    assert {"books", "team", "friends", "owner"} <= names
    assert "name" not in names and "owner_id" not in names


KNOWN = Hints(frozenset({"books"}))


def _units(source: str, which: str, hints: Hints) -> set[str]:
    check = prefilter.candidates if which == "FE103" else prefilter.over_fetching
    return set(check(ast.parse(source), source, hints) or ())


@pytest.mark.parametrize(
    ("body", "hints", "expected"),
    [
        pytest.param("print(r.books)", KNOWN, {"f"}, id="a-relationship-read"),
        pytest.param("print(r.name)", KNOWN, set(), id="a-column-read-only"),
        pytest.param("print(r.name)", NO_HINTS, {"f"}, id="relationships-unknown"),
        pytest.param("print(s.get(Book, r.book_id))", KNOWN, {"f"}, id="session-get"),
        pytest.param("print(d.get(r.book_id))", KNOWN, set(), id="dict-get"),
        pytest.param("s.execute(select(Book).where(Book.x == r.x))", KNOWN, {"f"}, id="query"),
        pytest.param("notify(s, r.name)", KNOWN, {"f"}, id="the-session-handed-on"),
        pytest.param("notify(other, r.name)", KNOWN, set(), id="another-object-handed-on"),
    ],
)
def test_n_plus_one_precheck(body: str, hints: Hints, expected: set[str]) -> None:
    source = f"def f(s, other, d):\n    for r in s.scalars(select(Author)):\n        {body}\n"
    assert _units(source, "FE103", hints) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param("print(r.name, len(r.bio))", {"f"}, id="columns-read"),
        pytest.param("notify(r)", set(), id="the-row-handed-on"),
        pytest.param("notify(r.id)", set(), id="a-value-handed-to-unknown-code"),
        pytest.param("r.name = 'x'", set(), id="assigned"),
        pytest.param("r.touch()", set(), id="a-method-called"),
        pytest.param("out.append(lambda: r.name)", set(), id="read-later"),
    ],
)
def test_over_fetching_precheck(body: str, expected: set[str]) -> None:
    source = f"def f(s, out):\n    for r in s.scalars(select(Author)):\n        {body}\n"
    assert _units(source, "FE102", NO_HINTS) == expected


def test_over_fetching_wants_a_query_built_in_the_module() -> None:
    source = "def f(db):\n    for r in service.get_all(db_session=db):\n        print(r.name)\n"
    assert _units(source, "FE102", NO_HINTS) == set()
    built = source.replace("service.get_all(db_session=db)", "q(db)")
    assert _units(built + "\n\ndef q(s):\n    return 1\n", "FE102", NO_HINTS) == {"f", "q"}
