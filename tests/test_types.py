"""fe-gen's own code passes `mypy --strict`.

The source folders install as subpackages of `fe_gen` (generator/ is fe_gen.generator), a
mapping mypy cannot follow from the checkout, so the test lays out the same tree with
symbolic links and checks the packages by their installed names.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_fe_gen_type_checks_strictly(tmp_path: Path) -> None:
    package = tmp_path / "fe_gen"
    package.mkdir()
    for folder in ("generator", "codemods", "examples"):
        (package / folder).symlink_to(ROOT / folder)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--namespace-packages",
            "--explicit-package-bases",
            "--cache-dir",
            str(tmp_path / "cache"),
            "-p",
            "fe_gen.generator",
            "-p",
            "fe_gen.codemods",
        ],
        cwd=tmp_path,
        env={"MYPYPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
