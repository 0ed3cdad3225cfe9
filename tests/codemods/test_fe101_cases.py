"""FE101 feature tables (pyupgrade style): sources that stay, sources and their fixes.

Every source is appended to MODELS, so the rows' class is known to the models index.
"""

from __future__ import annotations

import pytest

from tests.codemods import conftest

check, fix = conftest.pinned("FE101")


MODELS = """\
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    email: Mapped[str | None]
    role: Mapped[str] = mapped_column(default="member")
    active: Mapped[bool] = mapped_column(default=True)
    verified: Mapped[bool | None]
    age: Mapped[int | None]
    score: Mapped[int] = mapped_column(default=0)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))


"""


def _with(*names: str) -> str:
    """MODELS importing `names` too, in the order ruff's isort gives (classes first)."""
    merged = sorted({"ForeignKey", "String", "select", *names}, key=lambda n: (n.islower(), n))
    return MODELS.replace("import ForeignKey, String, select", f"import {', '.join(merged)}")


_TEAM = 'class Team(Base):\n    __tablename__ = "teams"\n\n    id: Mapped[int] = mapped_column(primary_key=True)\n\n\n'


NOOP = [
    pytest.param(
        "def f(session):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    active = [u for u in users if u.active]\n"
        "    return users, active\n",
        id="rows-used-unfiltered-too",
    ),
    pytest.param(
        "def f(session):\n"
        "    return [u for u in session.scalars(select(User).limit(10)).all() if u.active]\n",
        id="limit",
    ),
    pytest.param(
        "def f(session):\n"
        "    stmt = select(User)\n"
        "    stmt = stmt.offset(5)\n"
        "    return [u for u in session.scalars(stmt) if u.active]\n",
        id="offset-added-to-the-statement-variable",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.query(User).distinct().all() if u.active]\n",
        id="legacy-distinct",
    ),
    pytest.param(
        "def f(session):\n"
        "    return [u for u in session.scalars(select(User).group_by(User.id)) if u.active]\n",
        id="group-by",
    ),
    pytest.param(
        "def f(session):\n"
        "    return [u for u in session.scalars(select(User).with_for_update()) if u.active]\n",
        id="for-update",
    ),
    pytest.param(
        "from sqlalchemy import func\n\n\n"
        "def f(session):\n"
        "    rows = session.execute(select(User, func.row_number().over())).all()\n"
        "    return [r for r in rows if r[0].active]\n",
        id="window",
    ),
    pytest.param(
        "def f(session, teams):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    out = {}\n"
        "    for t in teams:\n"
        "        out[t.id] = [u for u in users if u.team_id == t.id]\n"
        "    return out\n",
        id="grouping-by-a-loop-variable",
    ),
    pytest.param(
        "def f(session):\n"
        "    users = session.query(User).filter(User.active == True).all()\n"
        "    return [u for u in users if u.active]\n",
        id="repeats-a-filter",
    ),
    pytest.param(
        'def f(session):\n    return [u for u in session.query(User).filter_by(role="a").all() if u.role == "a"]\n',
        id="repeats-filter-by",
    ),
    pytest.param("def f(users):\n    return [u for u in users if u.active]\n", id="parameter"),
    pytest.param(
        "def f(cache):\n"
        '    users = cache.get("users")\n'
        "    return [u for u in users if u.active]\n",
        id="cache",
    ),
    pytest.param(
        "from app.service import get_users\n\n\n"
        "def f(session):\n"
        "    return [u for u in get_users(session).all() if u.active]\n",
        id="query-from-another-module",
    ),
    pytest.param(
        "def f(session):\n"
        "    out = []\n"
        "    for u in session.scalars(select(User)):\n"
        "        if u.active:\n"
        "            out.append(u)\n"
        "    else:\n"
        "        out.append(None)\n"
        "    return out\n",
        id="loop-else",
    ),
    pytest.param(
        "def f(session):\n"
        "    out, n = [], 0\n"
        "    for u in session.scalars(select(User)):\n"
        "        n += 1\n"
        "        if u.active:\n"
        "            out.append(u)\n"
        "    return out, n\n",
        id="loop-does-more",
    ),
    pytest.param(
        "def f(session):\n"
        "    a, b = [], []\n"
        "    for u in session.scalars(select(User)):\n"
        "        if u.active:\n"
        "            a.append(u)\n"
        "        else:\n"
        "            b.append(u)\n"
        "    return a, b\n",
        id="if-else-split",
    ),
    pytest.param(
        "def f(session):\n"
        "    out = []\n"
        "    for u in session.scalars(select(User)):\n"
        "        if u.active:\n"
        "            out.append(u)\n"
        "    return out, u\n",
        id="loop-variable-used-after",
    ),
    pytest.param(
        "def f(session):\n"
        "    seen = []\n"
        "    for u in session.scalars(select(User)):\n"
        "        if u.id not in seen:\n"
        "            seen.append(u.id)\n"
        "    return seen\n",
        id="dedupe-reads-what-the-loop-writes",
    ),
    pytest.param(
        "def f(session):\n"
        "    gen = (u for u in session.scalars(select(User)) if u.active)\n"
        "    return gen\n",
        id="generator-consumed-later",
    ),
    pytest.param(
        "def f(session):\n"
        "    it = filter(lambda u: u.active, session.scalars(select(User)))\n"
        "    return it\n",
        id="filter-consumed-later",
    ),
    pytest.param(
        "def f(session):\n"
        "    u = session.scalars(select(User)).first()\n"
        "    return [x for x in [u] if x.active]\n",
        id="first-is-not-rows",
    ),
    pytest.param(
        "def f(session):\n"
        "    def select(x):\n"
        "        return x\n\n"
        "    return [u for u in session.scalars(select(User)) if u.active]\n",
        id="shadowed-select",
    ),
    pytest.param(
        "def f(session):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    if not users:\n"
        "        return []\n"
        "    return [u for u in users if u.active]\n",
        id="rows-tested-before-the-filter",
    ),
    pytest.param(
        "def f(session, stmt):\n    return [u for u in session.scalars(stmt) if u.active]\n",
        id="statement-from-a-parameter",
    ),
    pytest.param(
        "def f(session):\n    return [r for r in session.execute(select(User)).mappings().all() if r['active']]\n",
        id="mappings",
    ),
    pytest.param(
        "def f(session, flag):\n    return [u for u in session.scalars(select(User)) if flag]\n",
        id="condition-without-the-row",
    ),
    pytest.param(
        "class X:\n    rows = [u for u in session.scalars(select(User)) if u.active]\n",
        id="class-body",
    ),
    pytest.param(
        "def f(session):\n"
        "    rows = session.scalars(select(User)).all()\n"
        "    for x in range(3):\n"
        "        print([u for u in rows if u.active])\n",
        id="filtered-on-every-pass",
    ),
    pytest.param(
        "def f(session):\n"
        "    # fe-gen: ignore[FE101]\n"
        "    return [u for u in session.scalars(select(User)) if u.active]\n",
        id="suppressed-on-the-line-above",
    ),
    pytest.param(
        "def f(session):\n"
        "    return [u for u in session.scalars(select(User)) if u.active]  # fe-gen: ignore[FE101]\n",
        id="suppressed",
    ),
]

FIXES = [
    pytest.param(
        "def f(session):\n"
        "    rows = [\n"
        "        u\n"
        "        for u in session.execute(select(User))\n"
        "        .scalars()\n"
        "        .all()\n"
        "        if u.active\n"
        "    ]\n"
        "    return rows\n",
        "def f(session):\n"
        "    rows = (session.execute(select(User).where(User.active))\n"
        "        .scalars()\n"
        "        .all())\n"
        "    return rows\n",
        (),
        id="a-chain-broken-over-lines-keeps-brackets-once-out-of-the-list",
    ),
    pytest.param(
        "def f(session) -> list[User]:\n"
        "    return [u for u in session.scalars(select(User)).all() if u.active]\n",
        "def f(session) -> list[User]:\n"
        "    return list(session.scalars(select(User).where(User.active)))\n",
        (),
        id="a-declared-list-stays-a-list-not-the-sequence-all-is-typed",
    ),
    pytest.param(
        "def f(session):\n"
        "    users: list[User] = [u for u in session.query(User).all() if u.active]\n"
        "    return users\n",
        "def f(session):\n"
        "    users: list[User] = session.query(User).filter(User.active).all()\n"
        "    return users\n",
        (),
        id="a-declared-list-from-a-legacy-query-whose-all-is-a-list",
    ),
    pytest.param(
        'def f(session):\n    return [u for u in session.query(User).all() if u.active and u.email != "x"]\n',
        'def f(session):\n    return session.query(User).filter(User.active, User.email.is_distinct_from("x")).all()\n',
        (),
        id="legacy-and-split-into-criteria",
    ),
    pytest.param(
        "def f(session):\n"
        "    out = []\n"
        "    for u in session.query(User).filter(User.active).all():\n"
        "        if u.email is None:\n"
        "            out.append(u.id)\n"
        "    return out\n",
        "def f(session):\n"
        "    out = []\n"
        "    for u in session.query(User).filter(User.active).filter(User.email.is_(None)).all():\n"
        "        out.append(u.id)\n"
        "    return out\n",
        (),
        id="loop-next-to-an-existing-filter",
    ),
    pytest.param(
        "def f(session, ids):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    out = []\n"
        "    for u in users:\n"
        "        if not u.id in ids:\n"
        "            continue\n"
        "        out.append(u)\n"
        "    return out\n",
        "def f(session, ids):\n"
        "    users = session.scalars(select(User).where(User.id.in_(ids))).all()\n"
        "    out = []\n"
        "    for u in users:\n"
        "        out.append(u)\n"
        "    return out\n",
        (),
        id="loop-continue-form",
    ),
    pytest.param(
        "async def f(session):\n"
        "    result = await session.execute(select(User).order_by(User.id))\n"
        "    users = result.scalars().all()\n"
        "    return [u for u in users if u.name]\n",
        "async def f(session):\n"
        '    result = await session.execute(select(User).where(User.name != "").order_by(User.id))\n'
        "    users = result.scalars().all()\n"
        "    return list(users)\n",
        (),
        id="async-result-variable-string-truthiness",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.query(User) if u.age is not None and u.age > 18]\n",
        "def f(session):\n    return list(session.query(User).filter(User.age.is_not(None), User.age > 18))\n",
        (),
        id="guarded-order-is-safe",
    ),
    pytest.param(
        "def f(session, team):\n"
        "    stmt = select(User).where(User.team_id == team.id)\n"
        "    rows = session.scalars(stmt).all()\n"
        '    return [u.name for u in rows if u.role != "guest"]\n',
        "def f(session, team):\n"
        "    stmt = select(User).where(User.team_id == team.id)\n"
        '    rows = session.scalars(stmt.where(User.role != "guest")).all()\n'
        "    return [u.name for u in rows]\n",
        (),
        id="statement-variable",
    ),
    pytest.param(
        "def f(session):\n"
        "    rows = (\n"
        "        session.query(User)\n"
        "        .filter(User.active)\n"
        "        .order_by(User.name)\n"
        "        .all()\n"
        "    )\n"
        "    return [u for u in rows if u.score == 0]\n",
        "def f(session):\n"
        "    rows = (\n"
        "        session.query(User)\n"
        "        .filter(User.active)\n"
        "        .filter(User.score == 0)\n"
        "        .order_by(User.name)\n"
        "        .all()\n"
        "    )\n"
        "    return list(rows)\n",
        (),
        id="multi-line-chain",
    ),
    pytest.param(
        'def f(session):\n    return [r for r in session.execute(select(User)).all() if r.User.role == "x"]\n',
        'def f(session):\n    return session.execute(select(User).where(User.role == "x")).all()\n',
        (),
        id="row-tuples-by-entity-name",
    ),
    pytest.param(
        "def f(session):\n    return [r for r in session.execute(select(User)) if r[0].score < 3]\n",
        "def f(session):\n    return list(session.execute(select(User).where(User.score < 3)))\n",
        (),
        id="row-tuples-by-index",
    ),
    pytest.param(
        _TEAM
        + "def f(session):\n    return [r for r in session.query(User, Team).join(User.team).all() if r.User.score > 1]\n",
        _TEAM
        + "def f(session):\n    return session.query(User, Team).join(User.team).filter(User.score > 1).all()\n",
        (),
        id="legacy-row-tuples-by-entity-name",
    ),
    pytest.param(
        _TEAM
        + "def f(session):\n    return [r for r in session.query(Team, User).join(Team.users) if r[1].active]\n",
        _TEAM
        + "def f(session):\n    return list(session.query(Team, User).join(Team.users).filter(User.active))\n",
        (),
        id="legacy-row-tuples-by-index",
    ),
    pytest.param(
        'def f(session):\n    return {u.id: u for u in session.scalars(select(User)) if not (u.role == "a" or u.email is None)}\n',
        'def f(session):\n    return {\n        u.id: u\n        for u in session.scalars(select(User).where(User.role != "a", User.email.is_not(None)))\n    }\n',
        (),
        id="de-morgan-with-null-guard",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.verified is True or u.age == None]\n",
        "def f(session):\n    return list(\n        session.scalars(select(User).where(or_(User.verified.is_(True), User.age.is_(None))))\n    )\n",
        ("or_",),
        id="is-true-or-eq-none",
    ),
    pytest.param(
        "def f(session, banned: list[int]):\n    return [u for u in session.scalars(select(User)) if u.team_id not in banned]\n",
        "def f(session, banned: list[int]):\n    return list(\n        session.scalars(\n            select(User).where(or_(User.team_id.is_(None), User.team_id.not_in(banned)))\n        )\n    )\n",
        ("or_",),
        id="not-in-on-a-nullable-column",
    ),
    pytest.param(
        "def f(session):\n    teams = {1, 2}\n    return [u for u in session.scalars(select(User)) if u.team_id in teams]\n",
        "def f(session):\n    teams = {1, 2}\n    return list(session.scalars(select(User).where(User.team_id.in_(teams))))\n",
        (),
        id="in-a-name-bound-to-a-literal-without-none",
    ),
    pytest.param(
        "def f(session, teams):\n    return [u for u in session.scalars(select(User)) if u.team_id in teams]\n",
        "def f(session, teams):\n    return list(session.scalars(select(User).where(User.team_id.in_(teams))))\n",
        (),
        id="in-a-name-on-a-nullable-column",
    ),
    pytest.param(
        "def f(session, ids):\n    return [u for u in session.scalars(select(User)) if u.id not in ids]\n",
        "def f(session, ids):\n    return list(session.scalars(select(User).where(User.id.not_in(ids))))\n",
        (),
        id="not-in-a-name-on-a-not-null-column",
    ),
    pytest.param(
        "def f(session, ids):\n    return [u for u in session.scalars(select(User)) if u.id in ids]\n",
        "def f(session, ids):\n    return list(session.scalars(select(User).where(User.id.in_(ids))))\n",
        (),
        id="in-a-name-on-a-not-null-column",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.age]\n",
        "def f(session):\n    return list(session.scalars(select(User).where(and_(User.age.is_not(None), User.age != 0))))\n",
        ("and_",),
        id="truthiness-of-a-nullable-int",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if not u.active]\n",
        "def f(session):\n    return list(session.scalars(select(User).where(User.active.is_(False))))\n",
        (),
        id="not-a-non-null-bool",
    ),
    pytest.param(
        "def f(session, lo, hi):\n    return [u for u in session.scalars(select(User)) if lo <= u.score < hi]\n",
        "def f(session, lo, hi):\n    return list(session.scalars(select(User).where(User.score >= lo, User.score < hi)))\n",
        (),
        id="chained-comparison",
    ),
    pytest.param(
        "def f(session):\n    return next(u for u in session.query(User).order_by(User.id).all() if u.name == 'x')\n",
        "def f(session):\n    return next(u for u in session.query(User).filter(User.name == 'x').order_by(User.id).all())\n",
        (),
        id="next-of-a-generator-over-ordered-rows",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User).order_by(User.id)) if u.active][:3]\n",
        "def f(session):\n    return list(session.scalars(select(User).where(User.active).order_by(User.id)))[:3]\n",
        (),
        id="slicing-the-filtered-rows-of-an-ordered-query",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)).unique().all() if u.active]\n",
        "def f(session):\n    return session.scalars(select(User).where(User.active)).unique().all()\n",
        (),
        id="unique",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User).execution_options(yield_per=9)) if u.active]\n",
        "def f(session):\n    return list(session.scalars(select(User).where(User.active).execution_options(yield_per=9)))\n",
        (),
        id="yield-per",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in User.query.all() if u.score > 1]\n",
        "def f(session):\n    return User.query.filter(User.score > 1).all()\n",
        (),
        id="flask-model-query",
    ),
    pytest.param(
        "async def f(s):\n    return [u async for u in await s.stream_scalars(select(User)) if u.active]\n",
        "async def f(s):\n    return [u async for u in await s.stream_scalars(select(User).where(User.active))]\n",
        (),
        id="async-comprehension-is-not-collapsed",
    ),
    pytest.param(
        "rows = session.query(User).all()\nactive = [u for u in rows if u.active]\n",
        "rows = session.query(User).filter(User.active).all()\nactive = list(rows)\n",
        (),
        id="module-level-script",
    ),
    pytest.param(
        "def f(session):\n    q = session.query(User)\n    return q.count(), [u for u in q if u.score > 3]\n",
        "def f(session):\n    q = session.query(User)\n    return q.count(), list(q.filter(User.score > 3))\n",
        (),
        id="query-variable-used-again-is-filtered-at-the-site",
    ),
    pytest.param(
        "def f(session):\n    return {u.role for u in session.scalars(select(User)) if u.active}\n",
        "def f(session):\n    return {u.role for u in session.scalars(select(User).where(User.active))}\n",
        (),
        id="set-comprehension",
    ),
]

UNSAFE = [
    pytest.param(
        "def f(session, prefix):\n    return [u for u in session.query(User) if u.name.startswith(prefix)]\n",
        "def f(session, prefix):\n    return list(session.query(User).filter(User.name.startswith(prefix, autoescape=True)))\n",
        id="startswith-like-ignores-case",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.name < 'm']\n",
        "def f(session):\n    return list(session.scalars(select(User).where(User.name < 'm')))\n",
        id="string-order-follows-collation",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.score > compute()]\n",
        "def f(session):\n    return list(session.scalars(select(User).where(User.score > compute())))\n",
        id="value-calls-a-function",
    ),
    pytest.param(
        "def f(session):\n"
        "    return [\n"
        "        u\n"
        "        for u in session.scalars(select(User))\n"
        "        # only the active ones\n"
        "        if u.active\n"
        "    ]\n",
        "def f(session):\n    return list(session.scalars(select(User).where(User.active)))\n",
        id="drops-a-comment",
    ),
    pytest.param(
        "def f(session, names):\n    return [u for u in session.scalars(select(User)) if u.name in names]\n",
        "def f(session, names):\n    return list(session.scalars(select(User).where(User.name.in_(names))))\n",
        id="in-a-name-that-may-be-a-string",
    ),
    pytest.param(
        "def f(session):\n    return next(u for u in session.query(User).all() if u.name == 'x')\n",
        "def f(session):\n    return next(u for u in session.query(User).filter(User.name == 'x').all())\n",
        id="next-takes-the-first-row-of-an-unordered-query",
    ),
    pytest.param(
        "def f(session):\n    return {u.role: u for u in session.scalars(select(User)) if u.active}\n",
        "def f(session):\n    return {u.role: u for u in session.scalars(select(User).where(User.active))}\n",
        id="a-dict-keeps-the-last-row-of-each-key",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.active][0]\n",
        "def f(session):\n    return list(session.scalars(select(User).where(User.active)))[0]\n",
        id="indexing-the-filtered-rows-of-an-unordered-query",
    ),
    pytest.param(
        "def f(session):\n    return list(filter(lambda u: u.active, session.query(User)))[:3]\n",
        "def f(session):\n    return list(session.query(User).filter(User.active))[:3]\n",
        id="slicing-the-filtered-rows-of-an-unordered-query",
    ),
    pytest.param(
        "def f(session, teams=(None, 1)):\n    return [u for u in session.scalars(select(User)) if u.team_id in teams]\n",
        "def f(session, teams=(None, 1)):\n    return list(session.scalars(select(User).where(User.team_id.in_(teams))))\n",
        id="in-a-name-whose-default-holds-none-on-a-nullable-column",
    ),
    pytest.param(
        "def f(session, ids: list[int | None]):\n    return [u for u in session.scalars(select(User)) if u.id not in ids]\n",
        "def f(session, ids: list[int | None]):\n    return list(session.scalars(select(User).where(User.id.not_in(ids))))\n",
        id="not-in-a-collection-annotated-with-none",
    ),
]

NO_FIX = [
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.email == User.name]\n",
        id="value-is-a-column-of-the-row-in-sql",
    ),
    pytest.param(
        'class Team(Base):\n    __tablename__ = "teams"\n\n    id: Mapped[int] = mapped_column(primary_key=True)\n\n\n'
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.team_id == Team.id]\n",
        id="value-is-another-table-in-sql",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.score == '18']\n",
        id="int-column-and-a-string-literal",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.name == 5]\n",
        id="string-column-and-an-int-literal",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.name in ('a', 2)]\n",
        id="string-column-in-a-tuple-holding-an-int",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.score > '5']\n",
        id="order-against-a-string-raises-in-python",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.active == 'yes']\n",
        id="bool-column-and-a-string-literal",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.name.lower() == 'x']\n",
        id="other-string-method",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.team.name == 'x']\n",
        id="relationship-path",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.score == u.age]\n",
        id="two-columns",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if (n := u.name)]\n",
        id="walrus",
    ),
    pytest.param(
        "def f(session, x):\n"
        "    users = session.scalars(select(User)).all()\n"
        "    x = x + 1\n"
        "    return [u for u in users if u.score == x]\n",
        id="value-changes-after-the-query",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.role in 'admin']\n",
        id="in-a-string-is-a-substring-test",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.email in ['a', None]]\n",
        id="in-with-none-on-a-nullable-column",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(Unknown)) if u.x == 1]\n",
        id="unknown-class",
    ),
    pytest.param(
        "def f(session):\n    return [u for u in session.scalars(select(User)) if 'a' in u.name]\n",
        id="substring-of-a-column",
    ),
    pytest.param(
        "or_ = 3\n\n\n"
        "def f(session):\n    return [u for u in session.scalars(select(User)) if u.age or u.score]\n",
        id="or-means-something-else",
    ),
    pytest.param(
        "def f(session, me):\n"
        "    with session.no_autoflush:\n"
        "        me.score = 0\n"
        "        return [u for u in session.scalars(select(User)) if u.score > 0]\n",
        id="no-autoflush-the-database-may-hold-other-values",
    ),
]


@pytest.mark.parametrize("source", NOOP)
def test_fe101_noop(source: str) -> None:
    assert check(MODELS + source).findings == []
    assert fix(MODELS + source, unsafe=True) == MODELS + source


@pytest.mark.parametrize(("source", "expected", "imports"), FIXES)
def test_fe101_fixes(source: str, expected: str, imports: tuple[str, ...]) -> None:
    prelude = _with(*imports) if imports else MODELS
    assert [f.fix for f in check(MODELS + source).findings] == ["safe"]
    assert fix(MODELS + source) == prelude + expected
    assert fix(prelude + expected, unsafe=True) == prelude + expected


@pytest.mark.parametrize(("source", "expected"), UNSAFE)
def test_fe101_unsafe_fixes(source: str, expected: str) -> None:
    assert [f.fix for f in check(MODELS + source).findings] == ["unsafe"]
    assert fix(MODELS + source) == MODELS + source
    assert fix(MODELS + source, unsafe=True) == MODELS + expected


@pytest.mark.parametrize("source", NO_FIX)
def test_fe101_reported_without_fix(source: str) -> None:
    findings = check(MODELS + source).findings
    assert [(f.code, f.fix) for f in findings] == [("FE101", None)]
    assert "no fix:" in findings[0].message
    assert fix(MODELS + source, unsafe=True) == MODELS + source


KINDS = """\
import enum

from sqlalchemy import Column, Enum, ForeignKey, Integer, JSON, select
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Status(enum.Enum):
    open = "open"


class Ticket(Base):
    __tablename__ = "tickets"
    id = Column(Integer, primary_key=True)
    status = Column(Enum(Status), nullable=False)
    data = Column(JSON, nullable=False)
    owner_id = Column(ForeignKey("owners.id"), nullable=False)


"""


@pytest.mark.parametrize(
    ("condition", "fix_kind"),
    [
        pytest.param("t.status == 'open'", "unsafe", id="enum-vs-string-literal"),
        pytest.param("t.data == {'a': 1}", "unsafe", id="json-equality"),
        pytest.param("t.owner_id == owner.id", "safe", id="foreign-key-equality"),
        pytest.param("t.owner_id > 3", "unsafe", id="foreign-key-order-type-unknown"),
    ],
)
def test_fe101_equality_by_column_type(condition: str, fix_kind: str) -> None:
    source = (
        KINDS
        + f"def f(s, owner):\n    return [t for t in s.scalars(select(Ticket)) if {condition}]\n"
    )
    assert [f.fix for f in check(source).findings] == [fix_kind]


def test_fe101_legacy_filter_goes_after_select_from_and_joins() -> None:
    source = MODELS + (
        "def f(session, team):\n"
        "    q = session.query(User).select_from(Team).join(Team.users)\n"
        "    return [u for u in q.all() if u.score == 1]\n"
    )
    assert "q.filter(User.score == 1).all()" in fix(source)
    inline = MODELS + (
        "def f(session):\n"
        "    return [u for u in session.query(User).select_from(Team).join(Team.users).all() if u.score == 1]\n"
    )
    assert ".join(Team.users).filter(User.score == 1).all()" in fix(inline)
