"""Fixes pass the project's other hooks: imports sorted as ruff's isort, changed lines wrapped."""

from __future__ import annotations

from pathlib import Path

import pytest

from fe_gen.codemods.tidy import tidy

LONG = "x = [" + ", ".join(f"item_{i}" for i in range(20)) + "]\n"


@pytest.fixture
def here(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.ruff]\nline-length = 100\n")
    return tmp_path / "mod.py"


def test_new_imports_are_sorted_when_the_file_was(here: Path) -> None:
    before = "from sqlalchemy import select\n\nx = select\n"
    after = "from sqlalchemy import select, and_\n\nx = select\n"
    assert tidy(here, before, after) == "from sqlalchemy import and_, select\n\nx = select\n"


def test_a_file_whose_imports_were_unsorted_is_left_as_the_fix_made_it(here: Path) -> None:
    before = "import sys\nimport os\n\nx = 1\n"
    after = "import sys\nimport os\nfrom sqlalchemy import and_\n\nx = 1\n"
    assert tidy(here, before, after) == after


def test_only_changed_long_lines_are_wrapped(here: Path) -> None:
    before = f"{LONG}y = [1]\nz  =  2\n"
    after = f"{LONG}y = [{', '.join(f'value_{i}' for i in range(12))}]\nz  =  2\n"
    lines = tidy(here, before, after).splitlines()
    assert lines[0] == LONG.rstrip("\n")  # the user's own long line stays
    assert lines[1] == "y = [" and all(len(line) <= 100 for line in lines[1:])
    assert lines[-1] == "z  =  2"  # the rest of the file is not formatted


def test_blacks_line_length_when_ruff_has_none(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 120\n")
    after = f"y = [{', '.join(f'value_{i}' for i in range(11))}]\n"  # 108 characters
    assert tidy(tmp_path / "mod.py", "y = []\n", after) == after
    (tmp_path / "pyproject.toml").write_text("[tool.black]\nline-length = 60\n")
    assert tidy(tmp_path / "mod.py", "y = []\n", after) != after


def test_a_file_the_formatter_keeps_is_formatted_where_the_fix_wrote(here: Path) -> None:
    # onyx's scim.py: a comprehension collapsed to `set(...)`, in lines as the fix left them,
    # none too long, which the project's ruff-format hook would have failed.
    before = (
        "def f(session, group_id):\n"
        "    return {\n"
        "        uid\n"
        "        for uid in session.scalars(select(Member.user_id).where(Member.group_id == group_id))\n"
        "        if uid is not None\n"
        "    }\n"
    )
    after = (
        "def f(session, group_id):\n"
        "    return set(session.scalars(\n"
        "            select(Member.user_id).where(Member.user_id.is_not(None))\n"
        "        ))\n"
    )
    assert tidy(here, before, after) == (
        "def f(session, group_id):\n"
        "    return set(session.scalars(select(Member.user_id).where(Member.user_id.is_not(None))))\n"
    )
