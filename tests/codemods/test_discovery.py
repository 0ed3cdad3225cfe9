"""Which files a run reads: .gitignore files (nested, negated), excludes, skipped folders."""

from __future__ import annotations

import random
from pathlib import Path

from fe_gen.codemods.discovery import Walker

TREE = {
    ".gitignore": "generated/\n*_pb2.py\n!keep_pb2.py\n/top_only.py\ndocs/**/*.py\n",
    ".git/info/exclude": "scratch.py\n",
    "app.py": "",
    "top_only.py": "",
    "scratch.py": "",
    "api_pb2.py": "",
    "keep_pb2.py": "",
    "README.md": "",
    "generated/x.py": "",
    "pkg/top_only.py": "",
    "pkg/scratch.py": "",
    "pkg/.gitignore": "local.py\n!important.py\n*.py\n!pkg_*.py\n",
    "pkg/local.py": "",
    "pkg/important.py": "",
    "pkg/pkg_a.py": "",
    "pkg/sub/pkg_b.py": "",
    "pkg/sub/other.py": "",
    "docs/conf.py": "",
    "docs/source/x.py": "",
    "build/x.py": "",
    "node_modules/x.py": "",
    "lib.egg-info/x.py": "",
    "env/pyvenv.cfg": "home = /usr\n",
    "env/x.py": "",
    "ignored_dir/.gitignore": "",
    "ignored_dir/x.py": "",
}


def make(root: Path) -> None:
    for name, text in TREE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def relative(root: Path, files: list[Path]) -> list[str]:
    return [path.relative_to(root).as_posix() for path in files]


def test_gitignore_files_nested_and_negated(tmp_path: Path) -> None:
    make(tmp_path)
    found = relative(tmp_path, Walker().files([tmp_path]))
    assert found == [
        "app.py",
        "ignored_dir/x.py",
        "keep_pb2.py",
        "pkg/pkg_a.py",
        "pkg/sub/pkg_b.py",
    ]


def test_a_subfolder_given_still_honours_the_ignores_above_it(tmp_path: Path) -> None:
    make(tmp_path)
    found = relative(tmp_path, Walker().files([tmp_path / "pkg"]))
    assert found == ["pkg/pkg_a.py", "pkg/sub/pkg_b.py"]


def test_configured_excludes_apply_to_folders_and_to_files_named(tmp_path: Path) -> None:
    make(tmp_path)
    walker = Walker(["pkg/", "app.py"], tmp_path)
    assert relative(tmp_path, walker.files([tmp_path])) == ["ignored_dir/x.py", "keep_pb2.py"]
    named = walker.files([tmp_path / "app.py", tmp_path / "top_only.py", tmp_path / "pkg/local.py"])
    assert relative(tmp_path, named) == ["top_only.py"]  # named: .gitignore does not apply


def test_without_a_repository_only_the_walked_gitignores_count(tmp_path: Path) -> None:
    make(tmp_path)
    (tmp_path / ".git" / "info" / "exclude").unlink()
    (tmp_path / ".git" / "info").rmdir()
    (tmp_path / ".git").rmdir()
    found = relative(tmp_path, Walker().files([tmp_path]))
    assert found == [
        "app.py",
        "ignored_dir/x.py",
        "keep_pb2.py",
        "pkg/pkg_a.py",
        "pkg/sub/pkg_b.py",
        "scratch.py",  # .git/info/exclude is gone with the repository
    ]


GITIGNORE = """\
# comment
*.py[cod]
__pycache__/
/build/
dist
*.egg-info/
!keep.egg-info/
docs/_build
**/generated/**
a/**/b.py
!a/x/b.py
\\#literal.py
trailing\\ space.py
[abc]?.py
*.sw?
/node_modules
.env
"""
PARTS = ["a", "x", "b.py", "generated", "docs", "_build", "build", "keep.egg-info", "m.egg-info",
         "#literal.py", "trailing space.py", "c1.py", "zz.py", "f.pyc", ".env", "node_modules"]  # fmt: skip


def test_the_fast_ignore_answers_as_pathspec(tmp_path: Path) -> None:
    import pathspec

    from fe_gen.codemods.discovery import _Ignore

    lines = GITIGNORE.splitlines()
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    ignore = _Ignore(str(tmp_path), lines)
    chooser = random.Random(5)
    for _ in range(3000):
        relative = "/".join(chooser.choices(PARTS, k=chooser.randint(1, 4)))
        is_dir = chooser.random() < 0.3
        expected = spec.match_file(relative + "/" if is_dir else relative)
        assert ignore.matches(str(tmp_path / relative), is_dir) == expected, relative
