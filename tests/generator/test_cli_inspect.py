"""`fe-gen inspect` end to end: through typer's CliRunner and as a real command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from model_fixtures import MODELS, PACKAGES
from typer.testing import CliRunner

from fe_gen.generator.cli import app
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import Schema

runner = CliRunner()


def test_inspect_prints_the_schema_json() -> None:
    result = runner.invoke(app, ["inspect", "--models", str(MODELS / "relations.py")])
    assert result.exit_code == 0, result.output
    schema = Schema.from_json(result.stdout)
    names = ["Employee", "Student", "Course", "Enrollment", "Memo", "Transcript", "Project"]
    assert [m.name for m in schema.models] == names


def test_inspect_without_models_reads_the_bookstore() -> None:
    result = runner.invoke(app, ["inspect"])
    assert result.exit_code == 0, result.output
    assert [m["name"] for m in json.loads(result.stdout)["models"]] == [
        "Author",
        "Book",
        "Tag",
        "Review",
    ]


def test_inspect_package_options() -> None:
    args = ["inspect", "-m", "shop", "--path", str(PACKAGES), "--exclude", "shop.legacy"]
    args += ["--env-file", str(PACKAGES / "shop.env"), "--timeout", "30"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["models"]) == 4


def test_inspect_error_is_a_fe_gen_error() -> None:
    result = runner.invoke(
        app, ["inspect", "--models", str(MODELS / "hangs.py"), "--timeout", "0.5"]
    )
    assert isinstance(result.exception, FeGenError)
    assert result.exception.message.startswith("importing hangs did not finish within 0.5s")


def _fe_gen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("fe-gen", path=str(Path(sys.executable).parent))
    command = (
        [executable]
        if executable
        else [sys.executable, "-c", "from fe_gen.generator.cli import main; main()"]
    )
    return subprocess.run(
        [*command, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("args", "cwd", "stderr"),
    [
        pytest.param(
            ["--models", "nope.py"], MODELS, "error: models file not found: nope.py", id="missing"
        ),
        pytest.param(
            ["--models", "unresolved.py"],
            MODELS,
            "error: Customer.invoices: relationship target 'Invoice' was never imported; "
            "import the module that defines Invoice with the models (or pass its package to "
            "--models)",
            id="unresolved",
        ),
        pytest.param(
            ["--models", "shop", "--exclude", "shop.legacy"],
            PACKAGES,
            "error: shop/settings.py:3: shop.settings reads environment variable "
            "'SHOP_DATABASE_URL', which is not set; pass --env-file FILE or set it in the "
            "environment",
            id="settings",
        ),
        pytest.param(
            ["--models", "../broken/syntax_error.py"],
            MODELS.parent / "broken",
            "error: syntax_error.py:4: syntax error: expected ':'",
            id="syntax",
        ),
    ],
)
def test_command_error_is_one_stderr_line_and_exit_2(
    args: list[str], cwd: Path, stderr: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SHOP_DATABASE_URL", raising=False)
    result = _fe_gen("inspect", *args, cwd=cwd)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [stderr]
    assert "Traceback" not in result.stderr


def test_command_succeeds_with_env_file() -> None:
    result = _fe_gen(
        "inspect", "-m", "shop", "--exclude", "shop.legacy", "--env-file", "shop.env", cwd=PACKAGES
    )
    assert result.returncode == 0, result.stderr
    assert [m.name for m in Schema.from_json(result.stdout).models] == [
        "Category",
        "Product",
        "Order",
        "OrderLine",
    ]
