"""`fe-gen optimize --models IMPORT.PATH`: the models index read from SQLAlchemy's mappers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, event
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from fe_gen.codemods import imported_models
from fe_gen.generator.cli import app
from fe_gen.generator.errors import FeGenError
from tests.codemods.test_fe101_behaviour import _module

# a column built by a helper: the static reading cannot tell it is a string column
MODELS = """\
from sqlalchemy import ForeignKey, Text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def text_column(**kw):
    return mapped_column(Text, **kw)


class Base(DeclarativeBase):
    pass


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(unique=True)
    users: Mapped[list["User"]] = relationship(back_populates="team", lazy="selectin")


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    nick = text_column(nullable=False)
    bio = text_column()
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    team: Mapped[Team | None] = relationship(back_populates="users")

    @property
    def label(self) -> str:
        return self.nick.title()

    @hybrid_property
    def shout(self) -> str:
        return self.nick.upper()

    def can_see(self, other: object) -> bool:
        return other is not None
"""
VIEWS = """\
from sqlalchemy import select

from shop.models import User


def by_nick(session):
    return [u for u in session.scalars(select(User)) if u.nick == "ada"]
"""
FIXED = """\
from sqlalchemy import select

from shop.models import User


def by_nick(session):
    return list(session.scalars(select(User).where(User.nick == "ada")))
"""


@pytest.fixture
def shop(project: Path) -> Path:
    """A package `shop` (models and a view) in a project folder, the working directory."""
    (project / "shop").mkdir()
    (project / "shop" / "__init__.py").write_text("")
    (project / "shop" / "models.py").write_text(MODELS)
    (project / "shop" / "views.py").write_text(VIEWS)
    return project


def optimize(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["optimize", "--jobs", "1", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_the_mappers_give_columns_relationships_and_code(shop: Path) -> None:
    models = imported_models.load("shop.models", shop)
    user = models.find("User", "shop.models")
    team = models.find("Team", None)
    assert user is not None and team is not None
    nick, bio, key = user.column("nick"), user.column("bio"), user.primary_key()
    assert nick is not None and (nick.kind, nick.nullable, nick.unique) == ("str", False, False)
    assert bio is not None and bio.nullable
    assert key is not None and key.name == "id" and key.unique
    name = team.column("name")
    assert name is not None and name.unique
    to_team, to_users = user.relationship("team"), team.relationship("users")
    assert to_team is not None and (to_team.target, to_team.uselist) == ("Team", False)
    assert to_team.loads_per_row
    assert to_users is not None and (to_users.uselist, to_users.lazy) == (True, "selectin")
    assert {user.attrs[n].kind for n in ("label", "shout", "can_see")} == {"code"}
    assert models.find("Missing", None) is None


def test_a_column_the_static_reading_misses_is_read_with_models(shop: Path) -> None:
    assert optimize("--check", "shop")[0] == 1  # statically: reported, without a fix
    assert optimize("shop")[0] == 1 and (shop / "shop" / "views.py").read_text() == VIEWS
    code, _, err = optimize("--models", "shop.models", "shop")
    assert code == 1 and "fixed 1 file" in err
    assert (shop / "shop" / "views.py").read_text() == FIXED


def test_models_from_the_configuration(shop: Path) -> None:
    (shop / "pyproject.toml").write_text('[tool.fe-gen.optimize]\nmodels = "shop.models"\n')
    optimize("shop")
    assert (shop / "shop" / "views.py").read_text() == FIXED


def test_a_property_alone_is_no_finding_with_models(shop: Path) -> None:
    (shop / "shop" / "views.py").write_text(VIEWS.replace("u.nick ==", "u.label =="))
    assert optimize("--check", "--models", "shop.models", "shop")[0] == 0


def _main(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from fe_gen.generator.cli import main; main()"]
    return subprocess.run([*command, "optimize", *args], capture_output=True, text=True)


@pytest.mark.parametrize(
    ("module", "text", "message"),
    [
        pytest.param("shop.nosuch", None, "cannot import shop.nosuch", id="missing"),
        pytest.param("shop.broken", "raise RuntimeError('no db')\n", "RuntimeError", id="raises"),
        pytest.param("shop.empty", "X = 1\n", "no mapped classes found", id="no-models"),
    ],
)
def test_an_import_failure_is_one_line_and_exit_2(
    shop: Path, module: str, text: str | None, message: str
) -> None:
    if text is not None:
        (shop / "shop" / f"{module.rpartition('.')[2]}.py").write_text(text)
    result = _main("--check", "--models", module, "shop")
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"--models {module}:" in lines[0] and message in lines[0]
    assert result.stdout == ""


def test_an_import_that_hangs_is_stopped(shop: Path) -> None:
    (shop / "shop" / "slow.py").write_text("import time\ntime.sleep(60)\n")
    with pytest.raises(FeGenError, match=r"--models shop\.slow: importing shop\.slow did not"):
        imported_models.load("shop.slow", shop, timeout=1)


def test_a_bad_models_setting_is_refused(shop: Path) -> None:
    (shop / "pyproject.toml").write_text("[tool.fe-gen.optimize]\nmodels = [1]\n")
    result = _main("--check", "shop")
    assert result.returncode == 2 and "models must be a string" in result.stderr


@pytest.mark.parametrize(
    ("module", "owner"),
    [
        pytest.param("app.models", "app.models", id="same-module"),
        pytest.param("app", "app.models", id="package-re-export"),
        pytest.param(".models", "app.models", id="relative"),
        pytest.param("admin.models.user", "admin.models.user", id="other-class"),
        pytest.param(None, None, id="ambiguous-without-module"),
        pytest.param("xapp.models", None, id="no-partial-name-match"),
    ],
)
def test_a_name_two_modules_map_is_told_apart_by_the_import(
    module: str | None, owner: str | None
) -> None:
    models = imported_models.from_described(
        [
            {"name": "User", "module": where, "path": f"/{where}.py", "attrs": {}}
            for where in ("app.models", "admin.models.user")
        ]
    )
    found = models.find("User", module)
    assert (str(found.path)[1:-3] if found is not None else None) == owner


def _by_nick(views: str) -> tuple[list[int], int]:
    """Run `by_nick` of `views` against a seeded SQLite database: the ids, the statements."""
    module = _module(MODELS + views.replace("from shop.models import User\n", ""), "imported")
    engine = create_engine("sqlite://")
    module.Base.metadata.create_all(engine)
    with Session(engine) as session:
        nicks = ["ada", "bob", "ada", "Ada", "ada "]
        session.add_all(module.User(nick=nick, bio="b" * 100) for nick in nicks)
        session.commit()
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with Session(engine) as session:
        ids = [user.id for user in module.by_nick(session)]
    engine.dispose()
    return ids, len(statements)


def test_the_fix_made_with_models_selects_the_same_rows(shop: Path) -> None:
    optimize("--models", "shop.models", "shop")
    fixed = (shop / "shop" / "views.py").read_text()
    assert fixed == FIXED
    assert _by_nick(fixed) == _by_nick(VIEWS) == ([1, 3], 1)


def test_a_src_layout_is_imported_from_src(project: Path) -> None:
    (project / "src" / "shop").mkdir(parents=True)
    (project / "src" / "shop" / "__init__.py").write_text("")
    (project / "src" / "shop" / "models.py").write_text(MODELS)
    models = imported_models.load("shop.models", project)
    assert models.find("User", "shop.models") is not None


EAGER = """\
from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.models import Base

EAGER = {"lazy": "selectin"}


class Shelf(Base):
    __tablename__ = "shelves"
    id: Mapped[int] = mapped_column(primary_key=True)
    boxes: Mapped[list["Box"]] = relationship(**EAGER)


class Box(Base):
    __tablename__ = "boxes"
    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("shelves.id"))
"""


def test_loading_set_through_keyword_unpacking_is_read_exactly(shop: Path) -> None:
    """Statically `relationship(**EAGER)` may load any way (None: no FE103 finding);
    the mapper knows it is selectin."""
    (shop / "shop" / "eager.py").write_text(EAGER)
    shelf = imported_models.load("shop.eager", shop).find("Shelf", "shop.eager")
    boxes = shelf.relationship("boxes") if shelf is not None else None
    assert boxes is not None and (boxes.target, boxes.uselist, boxes.lazy) == (
        "Box",
        True,
        "selectin",
    )


def test_a_models_file_is_imported_too(shop: Path) -> None:
    (shop / "flat.py").write_text(MODELS)
    models = imported_models.load("flat.py", shop)
    assert models.find("User", None) is not None


INHERITED = """\
from sqlalchemy import ForeignKey, func
from sqlalchemy.orm import Mapped, column_property, mapped_column

from shop.models import Base


class Person(Base):
    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str]
    name: Mapped[str | None]
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "person"}


class Engineer(Person):
    __tablename__ = "engineers"
    id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    language: Mapped[str]
    shouted = column_property(func.upper(Person.name))
    __mapper_args__ = {"polymorphic_identity": "engineer"}
"""


def test_joined_inheritance_keeps_its_key_and_an_expression_is_no_column(shop: Path) -> None:
    (shop / "shop" / "people.py").write_text(INHERITED)
    engineer = imported_models.load("shop.people", shop).find("Engineer", None)
    assert engineer is not None
    key, name = engineer.primary_key(), engineer.column("name")
    assert key is not None and key.name == "id"  # `id` maps engineers.id and people.id
    assert name is not None and name.nullable
    assert engineer.column("shouted") is None and engineer.attrs["shouted"].kind == "other"
