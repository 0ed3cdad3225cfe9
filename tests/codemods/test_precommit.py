"""The pre-commit hooks, run by pre-commit itself (`pre-commit try-repo` on this checkout).

pre-commit builds a virtualenv with this repository installed, so the test needs the
package index (or a wheel cache) and takes a minute; it is skipped when pre-commit or
git is missing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODELS = """\
from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
"""
SERVICE = """\
from sqlalchemy import select

from models import User


def admins(session):
    users = session.scalars(select(User)).all()
    return [u for u in users if u.name == "ada"]
"""
FIXED = """\
from sqlalchemy import select

from models import User


def admins(session):
    users = session.scalars(select(User).where(User.name == "ada")).all()
    return users
"""

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".pre-commit-hooks.yaml").is_file(),
    reason="needs git and the hooks file",
)


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def _try_repo(work: Path, home: Path, hook: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never"}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), hook, "--all-files"]
    return subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "config", "user.email", "t@example.com")
    _git(tmp_path, "config", "user.name", "t")
    (tmp_path / "models.py").write_text(MODELS)
    (tmp_path / "service.py").write_text(SERVICE)
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "init")
    return tmp_path


def test_check_hook_fails_and_writes_nothing(work: Path, pre_commit_home: Path) -> None:
    result = _try_repo(work, pre_commit_home, "fe-gen-optimize-check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "service.py:8:12: FE101" in result.stdout
    assert (work / "service.py").read_text() == SERVICE


def test_fix_hook_rewrites_and_a_second_run_is_clean(work: Path, pre_commit_home: Path) -> None:
    first = _try_repo(work, pre_commit_home, "fe-gen-optimize")
    assert first.returncode == 1, first.stdout + first.stderr
    assert "files were modified by this hook" in first.stdout
    assert (work / "service.py").read_text() == FIXED
    again = subprocess.run(
        [
            sys.executable,
            "-c",
            "from fe_gen.generator.cli import main; main()",
            "optimize",
            "--check",
        ],
        cwd=work,
        capture_output=True,
        text=True,
    )
    assert again.returncode == 0, again.stdout + again.stderr
