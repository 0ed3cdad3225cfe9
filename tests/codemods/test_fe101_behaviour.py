"""FE101 fixes run for real: the original and the rewritten module against one seeded
SQLite database (rows with NULLs, empty strings, zeros), same results, and the SQL each
emits captured with SQLAlchemy's `before_cursor_execute` event."""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.orm import Session

from tests.codemods import conftest

check, fix = conftest.pinned("FE101")


MODELS = """\
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str | None]
    active: Mapped[bool]
    verified: Mapped[bool | None]
    age: Mapped[int | None]
    score: Mapped[int]

"""

FUNCTIONS = {
    "eq": "def eq(s):\n    return [u for u in s.scalars(select(User)).all() if u.name == 'ada']\n",
    "ne_nullable": "def ne_nullable(s):\n    return [u for u in s.query(User).all() if u.email != 'a@x']\n",
    "ne_none_var": "def ne_none_var(s, v=None):\n    return [u for u in s.query(User).all() if u.email != v]\n",
    "is_none": "def is_none(s):\n    return [u for u in s.scalars(select(User)) if u.age is None]\n",
    "in_": "def in_(s):\n    return [u for u in s.scalars(select(User)) if u.email in ('a@x', 'b@x')]\n",
    "not_in_nullable": "def not_in_nullable(s):\n    return [u for u in s.scalars(select(User)) if u.email not in ['a@x']]\n",
    "not_in_empty": "def not_in_empty(s):\n    return [u for u in s.scalars(select(User)) if u.email not in []]\n",
    "truthy_str": "def truthy_str(s):\n    return [u for u in s.scalars(select(User)) if u.email]\n",
    "falsy_str": "def falsy_str(s):\n    return [u for u in s.scalars(select(User)) if not u.email]\n",
    "truthy_int": "def truthy_int(s):\n    return [u for u in s.scalars(select(User)) if u.age]\n",
    "falsy_int": "def falsy_int(s):\n    return [u for u in s.scalars(select(User)) if not u.age]\n",
    "truthy_bool": "def truthy_bool(s):\n    return [u for u in s.scalars(select(User)) if u.verified]\n",
    "falsy_bool": "def falsy_bool(s):\n    return [u for u in s.scalars(select(User)) if not u.verified]\n",
    "not_active": "def not_active(s):\n    return [u for u in s.scalars(select(User)) if not u.active]\n",
    "is_false": "def is_false(s):\n    return [u for u in s.scalars(select(User)) if u.verified is not False]\n",
    "guarded": "def guarded(s):\n    return [u for u in s.scalars(select(User)) if u.age is not None and u.age >= 17]\n",
    "or_guard": "def or_guard(s):\n    return [u for u in s.scalars(select(User)) if u.age is None or u.age < 18]\n",
    "chained": "def chained(s):\n    return [u for u in s.scalars(select(User)) if 1 <= u.score < 5]\n",
    "de_morgan": "def de_morgan(s):\n    return [u for u in s.scalars(select(User)) if not (u.verified or u.email == 'a@x')]\n",
    "not_eq_nullable": "def not_eq_nullable(s):\n    return [u for u in s.scalars(select(User)) if not u.email == 'a@x']\n",
    "rows": "def rows(s):\n    return [r for r in s.execute(select(User)).all() if r.User.score > 2]\n",
    "loop": (
        "def loop(s):\n    out = []\n    for u in s.query(User).order_by(User.id):\n"
        "        if u.verified is None:\n            out.append(u.id)\n    return out\n"
    ),
    "loop_continue": (
        "def loop_continue(s):\n    users = s.scalars(select(User)).all()\n    out = []\n"
        "    for u in users:\n        if not (u.score == 0):\n            continue\n"
        "        out.append(u)\n    return out\n"
    ),
    "filter_lambda": (
        "def filter_lambda(s, scores=(3, 0)):\n"
        "    return list(filter(lambda u: u.score in scores, s.scalars(select(User))))\n"
    ),
    "statement_var": (
        "def statement_var(s):\n    stmt = select(User).where(User.active)\n"
        "    users = s.scalars(stmt).all()\n    return [u for u in users if u.email is not None]\n"
    ),
    "service": (
        "def _base(s):\n    return s.query(User).filter(User.active)\n\n\n"
        "def service(s):\n    return [u for u in _base(s).all() if u.score != 3]\n"
    ),
    "next_": "def next_(s):\n    return next(u for u in s.query(User).order_by(User.id) if u.score == 3)\n",
    "column_scalars": (
        "def column_scalars(s):\n"
        "    return [e for e in s.scalars(select(User.email).order_by(User.id)) if e is not None]\n"
    ),
    "column_rows": (
        "def column_rows(s):\n    rows = s.execute(select(User.name, User.verified)).all()\n"
        "    return [r.name for r in rows if r[1] is not False]\n"
    ),
    "column_distinct": (
        "def column_distinct(s):\n"
        "    return sorted(a for a in s.query(User.active).distinct() if a.active)\n"
    ),
    "reassigned": (
        "def reassigned(s):\n    users = []\n    print(users)\n"
        "    users = s.scalars(select(User)).all()\n    return [u for u in users if u.score > 2]\n"
    ),
    "loops_reuse": (
        "def loops_reuse(s):\n    for u in range(2):\n        pass\n    out = []\n"
        "    for u in s.scalars(select(User)):\n        if u.age is None:\n"
        "            out.append(u.id)\n    for u in out:\n        pass\n    return out\n"
    ),
}
ASYNC = (
    "async def async_scalars(s):\n"
    "    users = (await s.scalars(select(User))).all()\n"
    "    return [u for u in users if not u.verified]\n\n\n"
    "async def async_result(s):\n"
    "    result = await s.execute(select(User).order_by(User.id))\n"
    "    return [u for u in result.scalars().all() if u.email != 'a@x']\n"
)
SEED: list[dict[str, Any]] = [
    {"name": "ada", "email": "a@x", "active": True, "verified": True, "age": 36, "score": 3},
    {"name": "Bob", "email": None, "active": True, "verified": None, "age": None, "score": 0},
    {"name": "", "email": "", "active": False, "verified": False, "age": 0, "score": 1},
    {"name": "cy", "email": "b@x", "active": True, "verified": None, "age": 17, "score": 4},
    {"name": "dee", "email": "c@x", "active": False, "verified": True, "age": 70, "score": 5},
]


_COUNTER = iter(range(10**6))


def _module(code: str, name: str) -> types.ModuleType:
    """Import `code` as a fresh module (SQLAlchemy resolves Mapped[...] through sys.modules)."""
    module = types.ModuleType(f"{name}_{next(_COUNTER)}")
    sys.modules[module.__name__] = module
    exec(compile(code, module.__name__, "exec"), module.__dict__)
    return module


def _ids(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_ids(v) for v in value]
    if hasattr(value, "_mapping"):  # a Row
        return [_ids(v) for v in value]
    return getattr(value, "id", value)


@pytest.fixture(scope="module")
def programs() -> tuple[str, str]:
    original = MODELS + "\n\n".join(FUNCTIONS.values())
    rewritten = fix(original)
    return original, rewritten


def _run(code: str, name: str) -> tuple[Any, list[str]]:
    module = _module(code, f"fe101_{name}")
    engine = create_engine("sqlite://")
    module.Base.metadata.create_all(engine)
    statements: list[str] = []
    with Session(engine) as session:
        session.add_all(module.User(**row) for row in SEED)
        session.commit()
        event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        result = _ids(getattr(module, name)(session))
    engine.dispose()
    return result, statements


def _selects(statements: list[str]) -> Iterator[str]:
    return (s for s in statements if s.lstrip().upper().startswith("SELECT"))


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_rewritten_selects_the_same_rows_in_sql(programs: tuple[str, str], name: str) -> None:
    original, rewritten = programs
    before, before_sql = _run(original, name)
    after, after_sql = _run(rewritten, name)
    assert after == before
    assert len(list(_selects(after_sql))) == len(list(_selects(before_sql))) == 1
    assert "WHERE" not in next(_selects(before_sql)).upper() or name in {"statement_var", "service"}
    assert "\nWHERE " in next(_selects(after_sql)).upper()


def test_every_function_was_rewritten_with_a_safe_fix(programs: tuple[str, str]) -> None:
    original, rewritten = programs
    assert check(original).findings and all(f.fix == "safe" for f in check(original).findings)
    assert len(check(original).findings) == len(FUNCTIONS)
    assert check(rewritten).findings == []  # nothing left: idempotent


async def _run_async(code: str, name: str) -> tuple[Any, list[str]]:
    module = _module(code, f"fe101_async_{name}")
    engine = create_async_engine("sqlite+aiosqlite://")
    statements: list[str] = []
    async with engine.begin() as connection:
        await connection.run_sync(module.Base.metadata.create_all)
    async with AsyncSession(engine) as session:
        session.add_all(module.User(**row) for row in SEED)
        await session.commit()
        event.listen(
            engine.sync_engine, "before_cursor_execute", lambda *a: statements.append(a[2])
        )
        result = _ids(await getattr(module, name)(session))
    await engine.dispose()
    return result, statements


@pytest.mark.parametrize("name", ["async_scalars", "async_result"])
async def test_async_rewrites_select_the_same_rows(name: str) -> None:
    original = MODELS + ASYNC
    rewritten = fix(original)
    assert rewritten != original
    before, before_sql = await _run_async(original, name)
    after, after_sql = await _run_async(rewritten, name)
    assert after == before
    assert "WHERE" in next(_selects(after_sql)).upper()
    assert "WHERE" not in next(_selects(before_sql)).upper()


def test_unsafe_startswith_really_differs_on_sqlite() -> None:
    """Why `startswith` is an unsafe fix: SQLite's LIKE ignores ASCII case."""
    original = (
        MODELS
        + "def pick(s):\n    return [u for u in s.scalars(select(User)) if u.name.startswith('b')]\n"
    )
    assert [f.fix for f in check(original).findings] == ["unsafe"]
    assert fix(original) == original
    rewritten = fix(original, unsafe=True)
    assert _run(original, "pick")[0] == []
    assert _run(rewritten, "pick")[0] == [2]  # "Bob" matches LIKE 'b%' on SQLite


def test_a_literal_of_another_type_really_differs_on_sqlite() -> None:
    """Why a literal of another type than the column gets no fix: SQL converts it."""
    original = (
        MODELS + "def pick(s):\n    return [u for u in s.scalars(select(User)) if u.score == '3']\n"
    )
    assert [f.fix for f in check(original).findings] == [None]
    assert fix(original, unsafe=True) == original
    as_sql = original.replace(
        "[u for u in s.scalars(select(User)) if u.score == '3']",
        "list(s.scalars(select(User).where(User.score == '3')))",
    )
    assert _run(original, "pick")[0] == []  # 3 == '3' is False in Python
    assert _run(as_sql, "pick")[0] == [1]  # SQLite compares score = 3


def test_a_float_against_a_decimal_column_really_differs_on_sqlite() -> None:
    models = MODELS.replace(
        "from sqlalchemy import select",
        "from decimal import Decimal\n\nfrom sqlalchemy import Numeric, select",
    )
    models = models.replace(
        "    score: Mapped[int]\n",
        "    score: Mapped[int]\n    price: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal('0.10'))\n",
    )
    original = (
        models + "def pick(s):\n    return [u for u in s.scalars(select(User)) if u.price == 0.1]\n"
    )
    assert [f.fix for f in check(original).findings] == [None]
    as_sql = original.replace(
        "[u for u in s.scalars(select(User)) if u.price == 0.1]",
        "list(s.scalars(select(User).where(User.price == 0.1)))",
    )
    assert _run(original, "pick")[0] == []  # Decimal("0.10") == 0.1 is False in Python
    assert _run(as_sql, "pick")[0] == [1, 2, 3, 4, 5]


def test_in_a_name_is_unsafe_because_the_name_may_hold_a_string() -> None:
    """`x in names` tests substrings when `names` is a string; `in_()` then raises."""
    from sqlalchemy.exc import ArgumentError

    original = MODELS + (
        "def pick(s, names='ada Bob'):\n    return [u for u in s.scalars(select(User)) if u.name in names]\n"
    )
    assert [f.fix for f in check(original).findings] == ["unsafe"]
    assert fix(original) == original
    assert _run(original, "pick")[0] == [1, 2, 3]  # '' is in every string
    with pytest.raises(ArgumentError):
        _run(fix(original, unsafe=True), "pick")


def test_next_without_order_by_really_differs_on_sqlite() -> None:
    """Why `next()` over an unordered query is an unsafe fix: with the WHERE, SQLite reads
    the rows through the index on `age`, and another row comes first."""
    indexed = MODELS.replace(
        "    age: Mapped[int | None]\n", "    age: Mapped[int | None] = mapped_column(index=True)\n"
    )
    condition = "u.age is not None and u.age > 10"
    original = indexed + f"def pick(s):\n    return next(u for u in s.query(User) if {condition})\n"
    assert [f.fix for f in check(original).findings] == ["unsafe"]
    assert fix(original) == original
    rewritten = fix(original, unsafe=True)
    assert _run(original, "pick")[0] == 1  # the first row in the table with age > 10
    assert _run(rewritten, "pick")[0] == 4  # the lowest age > 10
    indexed_rows = original.replace("next(u for", "[u for").replace(
        f"{condition})", f"{condition}][0]"
    )
    assert [f.fix for f in check(indexed_rows).findings] == ["unsafe"]
    assert _run(indexed_rows, "pick")[0] == 1
    assert _run(fix(indexed_rows, unsafe=True), "pick")[0] == 4
    ordered = original.replace("s.query(User)", "s.query(User).order_by(User.id)")
    assert [f.fix for f in check(ordered).findings] == ["safe"]
    assert _run(fix(ordered), "pick")[0] == 1


@pytest.mark.parametrize(
    ("condition", "python", "sql"),
    [
        pytest.param("u.age in ages", [2, 4], [4], id="in-keeps-null-rows-in-python"),
        pytest.param("u.score not in ages", [1, 2, 3, 4, 5], [], id="not-in-keeps-no-row-in-sql"),
    ],
)
def test_a_collection_holding_none_really_differs_on_sqlite(
    condition: str, python: list[int], sql: list[int]
) -> None:
    """Why `in`/`not in` a name is unsafe unless the name provably holds no None."""
    original = MODELS + (
        f"def pick(s, ages=(None, 17)):\n    return [u for u in s.scalars(select(User)) if {condition}]\n"
    )
    assert [f.fix for f in check(original).findings] == ["unsafe"]
    assert fix(original) == original
    assert _run(original, "pick")[0] == python
    assert _run(fix(original, unsafe=True), "pick")[0] == sql
    annotated = original.replace("ages=(None, 17)", "ages: tuple[int, ...] = (17,)")
    assert [f.fix for f in check(annotated).findings] == ["safe"]


def test_a_filter_in_no_autoflush_really_differs_on_sqlite() -> None:
    """Why a query run in `no_autoflush` gets no fix: the WHERE reads the database, where
    Python read the changed object the identity map returns."""
    original = MODELS + (
        "def pick(s):\n"
        "    first = s.get(User, 1)\n"
        "    with s.no_autoflush:\n"
        "        first.score = -5\n"
        "        return [u for u in s.scalars(select(User)) if u.score > 2]\n"
    )
    assert [f.fix for f in check(original).findings] == [None]
    as_sql = original.replace(
        "[u for u in s.scalars(select(User)) if u.score > 2]",
        "list(s.scalars(select(User).where(User.score > 2)))",
    )
    assert _run(original, "pick")[0] == [4, 5]
    assert _run(as_sql, "pick")[0] == [1, 4, 5]


def test_startswith_a_name_is_unsafe_also_because_it_may_hold_a_tuple() -> None:
    original = MODELS + (
        "def pick(s, p=('a', 'B')):\n"
        "    return [u for u in s.scalars(select(User)) if u.name.startswith(p)]\n"
    )
    [finding] = check(original).findings
    assert finding.fix == "unsafe" and "may be a tuple of prefixes" in finding.message
    assert _run(original, "pick")[0] == [1, 2]
    with pytest.raises(TypeError):
        _run(fix(original, unsafe=True), "pick")
