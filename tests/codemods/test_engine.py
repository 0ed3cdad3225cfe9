"""`fe-gen optimize` end to end on files: modes, exit codes, formats, file handling."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from fe_gen.codemods import fileio
from fe_gen.generator.cli import app

MODELS = """\
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    active: Mapped[bool]
"""
BAD = "\n\ndef admins(session):\n    return [u for u in session.query(User).all() if u.name == 'ada']\n"
GOOD = "\n\ndef admins(session):\n    return session.query(User).filter(User.name == 'ada').all()\n"
NO_FIX = "\n\ndef odd(session):\n    return [u for u in session.query(User).all() if u.name.lower() == 'x']\n"


def optimize(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["optimize", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


def test_fix_mode_rewrites_and_exits_1(project: Path) -> None:
    path = write(project, "app.py", MODELS + BAD)
    code, out, err = optimize(".")
    assert code == 1
    assert path.read_text() == MODELS + GOOD
    assert out == ""  # everything was fixed, nothing left to report
    assert "fixed 1 file (FE101 x1)" in err
    assert optimize(".")[0] == 0  # a second run changes nothing


def test_clean_tree_exits_0(project: Path) -> None:
    write(project, "app.py", MODELS + GOOD)
    code, out, err = optimize()
    assert (code, out) == (0, "")
    assert "no findings" in err


def test_check_writes_nothing_and_reports(project: Path) -> None:
    path = write(project, "app.py", MODELS + BAD)
    code, out, _ = optimize("--check", ".")
    assert code == 1
    assert path.read_text() == MODELS + BAD
    line = MODELS.count("\n") + 4
    assert out.startswith(f"app.py:{line}:12: FE101 rows fetched by a query")


def test_diff_writes_nothing_and_prints_a_unified_diff(project: Path) -> None:
    path = write(project, "app.py", MODELS + BAD)
    code, out, _ = optimize("--diff", ".")
    assert code == 1
    assert path.read_text() == MODELS + BAD
    assert out.startswith("--- a/app.py\n+++ b/app.py\n")
    assert "+    return session.query(User).filter(User.name == 'ada').all()" in out
    write(project, "app.py", MODELS + NO_FIX)
    assert optimize("--diff", ".")[:2] == (0, "")  # findings without a fix change nothing


def test_findings_without_fix_are_reported_in_fix_mode(project: Path) -> None:
    path = write(project, "app.py", MODELS + NO_FIX)
    code, out, _ = optimize(".")
    assert code == 1
    assert "no fix:" in out
    assert path.read_text() == MODELS + NO_FIX


def test_unsafe_fixes_need_the_flag(project: Path) -> None:
    source = MODELS + "\n\ndef f(s):\n    return [u for u in s.query(User) if u.name < 'm']\n"
    path = write(project, "app.py", source)
    code, out, _ = optimize(".")
    assert code == 1 and "unsafe fix:" in out and path.read_text() == source
    assert optimize("--unsafe-fixes", ".")[0] == 1
    assert "filter(User.name < 'm')" in path.read_text()


def test_json_format(project: Path) -> None:
    write(project, "app.py", MODELS + BAD + NO_FIX)
    code, out, _ = optimize("--check", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert [(f["code"], f["fix"]) for f in data["findings"]] == [("FE101", "safe"), ("FE101", None)]
    assert data["findings"][0]["path"] == "app.py" and data["errors"] == []


def test_github_format(project: Path) -> None:
    write(project, "app.py", MODELS + BAD)
    _, out, _ = optimize("--check", "--format", "github")
    assert out.startswith("::error file=app.py,line=")
    assert "title=FE101 client-side-filter::FE101 rows fetched" in out


def test_select_and_ignore(project: Path) -> None:
    write(project, "app.py", MODELS + BAD)
    assert optimize("--check", "--ignore", "FE101")[0] == 0
    assert optimize("--check", "--select", "FE1")[0] == 1


def test_configuration_in_pyproject(project: Path) -> None:
    write(project, "app.py", MODELS + BAD)
    write(project, "gen/out.py", MODELS + BAD)
    (project / "pyproject.toml").write_text(
        '[project]\nname = "demo"\n\n[tool.fe-gen.optimize]\nexclude = ["gen/"]\n'
    )
    _, out, _ = optimize("--check")
    assert "app.py" in out and "gen/out.py" not in out
    (project / "pyproject.toml").write_text('[tool.fe-gen.optimize]\nignore = ["FE101"]\n')
    assert optimize("--check")[0] == 0


def test_gitignore_virtualenvs_and_caches_are_skipped(project: Path) -> None:
    (project / ".git").mkdir()
    (project / ".gitignore").write_text("generated/\n")
    for folder in ("generated", "build", "node_modules", ".tox", "env/lib/site-packages"):
        write(project, f"{folder}/x.py", MODELS + BAD)
    write(project, "venv2/pyvenv.cfg", "home = /usr\n")
    write(project, "venv2/y.py", MODELS + BAD)
    write(project, "app.py", MODELS + BAD)
    _, out, err = optimize("--check")
    assert out.splitlines()[0].startswith("app.py:") and len(out.splitlines()) == 1
    assert "1 file scanned" in err


def test_unparseable_and_undecodable_files_are_reported_and_skipped(project: Path) -> None:
    write(project, "broken.py", "x = [u for u in session.query(U) if u.a\n")
    (project / "latin.py").write_bytes(
        b"# coding: ascii\nx = [u for u in s.query(U) if u.a == '\xe9']\n"
    )
    write(project, "app.py", MODELS + BAD)
    code, _, err = optimize(".")
    assert code == 1
    assert "broken.py: error: cannot parse" in err
    assert "latin.py: error: cannot decode" in err
    assert (project / "app.py").read_text() == MODELS + GOOD  # the run went on


# Syntax of Pythons newer than 3.11 (PEP 695 type parameters, PEP 758 `except A, B:`),
# which LibCST reads where the running Python's own parser may not.
NEWER = (
    "\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n"
    "\n\ndef safe(f):\n    try:\n        return f()\n    except KeyError, ValueError:\n"
    "        return None\n"
)


def test_newer_syntax_than_the_running_python_parses_is_still_analysed(project: Path) -> None:
    path = write(project, "app.py", MODELS + NEWER + BAD)
    code, _, err = optimize(".")
    assert code == 1
    assert "0 with errors" in err
    assert path.read_text() == MODELS + NEWER + GOOD


def test_usage_errors_exit_2(project: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", "from fe_gen.generator.cli import main; main()"]
        return subprocess.run([*command, "optimize", *args], capture_output=True, text=True)

    assert run("--select", "XX999").returncode == 2
    assert run("--check", "--diff").returncode == 2
    assert run("--format", "xml").returncode == 2
    assert run("missing/").returncode == 2
    (project / "pyproject.toml").write_text('[tool.fe-gen.optimize]\nselekt = ["FE101"]\n')
    result = run(".")
    assert result.returncode == 2 and "unknown key 'selekt'" in result.stderr


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_newlines_encoding_bom_and_mode_are_kept(project: Path, newline: str) -> None:
    text = ("# -*- coding: latin-1 -*-\n# café\n" + MODELS + BAD).replace("\n", newline)
    path = project / "app.py"
    path.write_bytes(text.encode("latin-1"))
    path.chmod(0o750)
    assert optimize(".")[0] == 1
    data = path.read_bytes()
    expected = ("# -*- coding: latin-1 -*-\n# café\n" + MODELS + GOOD).replace("\n", newline)
    assert data == expected.encode("latin-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o750


def test_utf8_bom_is_kept(project: Path) -> None:
    path = project / "app.py"
    path.write_bytes(b"\xef\xbb\xbf" + (MODELS + BAD).encode())
    optimize(".")
    assert path.read_bytes() == b"\xef\xbb\xbf" + (MODELS + GOOD).encode()


def test_atomic_write_leaves_no_temporary_file_and_follows_symlinks(project: Path) -> None:
    real = write(project, "real.py", "old\n")
    link = project / "link.py"
    link.symlink_to(real)
    fileio.write_atomic(link, b"new\n")
    assert link.is_symlink() and real.read_text() == "new\n"
    assert sorted(p.name for p in project.iterdir()) == ["link.py", "pyproject.toml", "real.py"]


def test_atomic_write_keeps_the_original_when_writing_fails(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(project, "app.py", "old\n")

    def boom(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        fileio.write_atomic(path, b"new\n")
    assert path.read_text() == "old\n"
    assert sorted(p.name for p in project.iterdir()) == ["app.py", "pyproject.toml"]


@pytest.fixture
def parallel_from_the_first_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pools and the analyst whatever the size of the tree (they wait for big ones)."""
    from fe_gen.codemods import engine, workers

    monkeypatch.setattr(workers, "PREPARE_MIN", 0)
    monkeypatch.setattr(workers, "FINISH_MIN", 0)
    monkeypatch.setattr(engine, "ANALYST_MIN", 0)


@pytest.mark.usefixtures("parallel_from_the_first_byte")
def test_parallel_run_matches_serial(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from concurrent import futures

    from fe_gen.codemods import workers

    started: list[str] = []
    analyst, pool = workers.Analyst.__init__, futures.ProcessPoolExecutor.__init__

    def start_analyst(*args: Any) -> None:
        started.append("analyst")
        analyst(*args)

    def start_pool(*args: Any) -> None:
        started.append("pool")
        pool(*args)

    monkeypatch.setattr(workers.Analyst, "__init__", start_analyst)
    monkeypatch.setattr(futures.ProcessPoolExecutor, "__init__", start_pool)
    for index in range(80):
        write(project, f"pkg/m{index}.py", MODELS + (BAD if index % 7 == 0 else GOOD))
    serial = optimize("--check", "--jobs", "1", "--format", "json")
    assert serial[0] == 1
    assert len(json.loads(serial[1])["findings"]) == 12
    assert started == []
    for jobs in ("2", "3"):  # the analyst; and the analyst with pools for both phases
        parallel = optimize("--check", "--jobs", jobs, "--format", "json")
        assert parallel[0] == 1
        assert json.loads(serial[1]) == json.loads(parallel[1])
    assert started == ["analyst", "analyst", "pool"]  # and the analyst's, not seen from here


@pytest.mark.usefixtures("parallel_from_the_first_byte")
def test_the_analyst_is_stopped_when_no_file_needs_it(project: Path) -> None:
    write(project, "app.py", MODELS + GOOD + "\nx = [u for u in session.query(User) if 1]\n")
    assert optimize("--check", "--jobs", "2", ".")[0] == 0


@pytest.mark.usefixtures("parallel_from_the_first_byte")
def test_if_the_analyst_fails_this_process_does_its_work(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fe_gen.codemods import workers

    def crash(*args: object) -> None:
        raise RuntimeError("the analyst crashed")

    monkeypatch.setattr(workers, "_analyst", crash)
    write(project, "app.py", MODELS + BAD)
    code, out, _ = optimize("--check", "--jobs", "2", ".")
    assert code == 1
    assert "FE101" in out


def test_explicit_files_and_models_found_elsewhere_in_the_project(project: Path) -> None:
    (project / ".git").mkdir()
    write(project, "models.py", MODELS)
    service = write(project, "service.py", "from models import User, select" + BAD)
    assert optimize(str(service))[0] == 1  # as pre-commit calls it: one file, models elsewhere
    assert "filter(User.name == 'ada')" in service.read_text()


def test_query_built_in_another_module_is_reported_without_fix(project: Path) -> None:
    write(project, "app/__init__.py", "")
    write(project, "app/models.py", MODELS)
    write(
        project,
        "app/service.py",
        "from app.models import User\n\n\ndef get_all(session):\n    return session.query(User)\n",
    )
    caller = (
        "from app import service\n\n\n"
        "def admins(session):\n"
        "    users = service.get_all(session).all()\n"
        "    return [u for u in users if u.name == 'ada']\n"
    )
    path = write(project, "app/views.py", caller)
    code, out, _ = optimize(".")
    assert code == 1
    assert "app/views.py:6:12: FE101" in out
    assert "no fix: the query is built by `service.get_all()` in another module" in out
    assert path.read_text() == caller
    direct = caller.replace("service.get_all(session).all()", "service.get_all(session)")
    write(project, "app/views.py", direct)
    assert optimize("--check", ".")[0] == 0  # not finished here with .all(): left alone
    write(project, "app/views.py", caller)
    write(project, "app/service.py", "def get_all(session):\n    return session.plugins\n")
    assert optimize("--check", ".")[0] == 0  # not a query: left alone


def test_an_internal_error_in_one_file_is_reported_and_exits_2(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fe_gen.codemods.rules.fe101 import examine as fe101

    def boom(*args: object) -> None:
        raise RuntimeError("rule bug")

    monkeypatch.setattr(fe101.Examiner, "examine", boom)
    write(project, "a.py", MODELS + BAD)
    write(project, "b.py", MODELS + GOOD)
    code, _, err = optimize("--check", ".")
    assert code == 2
    assert "a.py: error: internal error: RuntimeError: rule bug" in err


def test_a_fix_that_would_not_parse_leaves_the_file_and_keeps_its_findings(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fe_gen.codemods import fixer

    # Without the parentheses a chain broken over lines needs once out of its list, the
    # fix is not Python: the run must say it is fe-gen's fault, not the file's.
    monkeypatch.setattr(fixer, "_needs_brackets", lambda node: False)
    chained = (
        "\n\ndef admins(session):\n"
        "    return [\n"
        "        u\n"
        "        for u in session.execute(select(User))\n"
        "        .scalars()\n"
        "        .all()\n"
        "        if u.name == 'ada'\n"
        "    ]\n"
    )
    path = write(project, "a.py", MODELS + chained)
    code, out, err = optimize(".")
    assert code == 2
    assert path.read_text() == MODELS + chained
    assert "a.py: error: fe-gen's fix does not parse" in err
    assert "FE101" in out


def test_the_run_leaves_the_garbage_collector_as_it_found_it(project: Path) -> None:
    import gc

    write(project, "app.py", MODELS + BAD)
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert optimize("--check", ".")[0] == 1
    assert gc.isenabled() and gc.get_freeze_count() == 0
    gc.disable()
    try:
        assert optimize("--check", ".")[0] == 1
        assert not gc.isenabled()
    finally:
        gc.enable()
