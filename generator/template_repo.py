"""The template as a versioned git repository, so `copier update` works on generated projects.

Copier can only update a project from a template in git, at a tagged version: it renders
the old version and the new one and merges the difference into the project. fe-gen ships
its template as package data, so it keeps a local repository of it, one commit per template
content, tagged `v<fe-gen version>+<n>` in the order contents appear (and `content/<hash>`
to find a content again), and renders from there. Without git,
fe-gen renders straight from the package and the project cannot be updated by copier.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from fe_gen.generator.errors import FeGenError


def data_home() -> Path:
    """Where fe-gen keeps its template repository (FE_GEN_DATA_DIR overrides it)."""
    configured = os.environ.get("FE_GEN_DATA_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fe-gen"


def versioned_template(source: Path) -> tuple[Path, str | None]:
    """The template repository and the tag of `source`'s content, committed if new.

    Returns `(source, None)` when git is not installed.
    """
    if shutil.which("git") is None:
        return source, None
    repository = data_home() / "template"
    content = f"content/{_content_hash(source)}"
    repository.mkdir(parents=True, exist_ok=True)
    with (data_home() / "template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (repository / ".git").exists():
            _git(repository, "init", "--quiet", "--initial-branch=main")
        if not _git(repository, "tag", "--list", content):
            version = _version()
            count = len(_git(repository, "tag", "--list", f"v{version}+*").split())
            _commit(source, repository, [content, f"v{version}+{count + 1}"])
        tags = _git(repository, "tag", "--points-at", content, "--list", "v*").split()
    return repository, tags[-1]


def _commit(source: Path, repository: Path, tags: list[str]) -> None:
    for entry in repository.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(
        source, repository, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
    )
    _git(repository, "add", "--all")
    _git(
        repository, *_AUTHOR, "commit", "--quiet", "--allow-empty", "--message", f"fe-gen {tags[1]}"
    )
    content, version = tags
    # Copier records `git describe --tags`, which prefers annotated tags: the version.
    _git(repository, "tag", content)
    _git(
        repository,
        *_AUTHOR,
        "tag",
        "--annotate",
        "--message",
        version,
        version,
    )


_AUTHOR = ("-c", "user.name=fe-gen", "-c", "user.email=fe-gen@localhost")


def _git(repository: Path, *arguments: str) -> str:
    completed = subprocess.run(
        ["git", "-C", str(repository), *arguments], capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()[:1]
        raise FeGenError(f"git failed in fe-gen's template repository {repository}: {detail}")
    return completed.stdout.strip()


def _content_hash(source: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(source).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _version() -> str:
    try:
        return metadata.version("fe-gen")
    except metadata.PackageNotFoundError:
        return "0"
