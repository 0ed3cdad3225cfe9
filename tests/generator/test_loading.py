"""load_schema(): files, import paths, packages, `:Base`, env files, round trip, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
from model_fixtures import MODELS, PACKAGES, schema_of

from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import Schema, Source, TypeRef
from fe_gen.generator.loading import load_schema, read_env_file

SHOP_ENV = PACKAGES / "shop.env"


def names(schema: Schema) -> tuple[str, ...]:
    return tuple(model.name for model in schema.models)


def test_default_is_the_bundled_bookstore() -> None:
    schema = load_schema(None)
    assert names(schema) == ("Author", "Book", "Tag", "Review")
    assert schema.source.kind == "file"
    assert schema.source.location.endswith(str(Path("examples", "bookstore", "models.py")))


def test_file_source_keeps_the_path_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MODELS)
    schema = load_schema("mixins.py")
    assert schema.source == Source(
        kind="file", location="mixins.py", module="mixins", root=str(MODELS.resolve())
    )


def test_a_models_file_names_the_neighbours_it_imports() -> None:
    schema = load_schema(str(MODELS / "sibling_import.py"))
    assert schema.source.siblings == ("mixins",)


def test_file_imports_its_siblings_by_plain_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(MODELS.parent)
    assert names(load_schema("models/sibling_import.py")) == ("User", "Note", "Label")


def test_output_printed_at_import_is_kept_out_of_the_reply() -> None:
    assert names(load_schema(str(MODELS / "noisy.py"))) == ("Quiet",)


SPECS = [
    pytest.param("two_bases.py:AuditBase", ("AuditEntry",), id="declarative-base"),
    pytest.param("two_bases.py:AppBase", ("Account",), id="other-base"),
    pytest.param("classic.py:OldBase", ("Legacy",), id="declarative-base-function"),
    pytest.param("classic.py:DecoratedBase", ("Decorated",), id="as-declarative"),
    pytest.param("classic.py:OldBase.metadata", ("Legacy",), id="metadata"),
    pytest.param("imperative.py:mapper_registry", ("Author", "Post", "Tag"), id="registry"),
    pytest.param("flask_like.py:db", ("Widget",), id="flask-db"),
    pytest.param("flask_like.py:db.Model", ("Widget",), id="flask-db-model"),
]


@pytest.mark.parametrize(("spec", "expected"), SPECS)
def test_attribute_restricts_to_its_classes(
    spec: str, expected: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(MODELS)
    assert names(load_schema(spec)) == expected


def test_attribute_names_the_base() -> None:
    schema = load_schema(str(MODELS / "two_bases.py") + ":AuditBase")
    assert schema.bases == (TypeRef("two_bases", "AuditBase"),)


def test_package_imports_every_submodule() -> None:
    schema = load_schema("shop", search_path=PACKAGES, exclude=["shop.legacy"], env_file=SHOP_ENV)
    assert names(schema) == ("Category", "Product", "Order", "OrderLine")
    assert schema.source == Source(
        kind="module", location="shop", module="shop", root=str(PACKAGES.resolve())
    )
    assert schema.bases == (TypeRef("shop.base", "Base"),)


@pytest.mark.parametrize(
    "pattern",
    [
        pytest.param("shop.legacy", id="exact"),
        pytest.param("shop.leg*", id="glob"),
        pytest.param("*.legacy", id="leading-glob"),
    ],
)
def test_excluded_package_is_not_imported(pattern: str) -> None:
    schema = load_schema("shop", search_path=PACKAGES, exclude=[pattern], env_file=SHOP_ENV)
    assert "OrderLine" in names(schema)


def test_package_models_keep_mixin_columns() -> None:
    schema = load_schema("shop", search_path=PACKAGES, exclude=["shop.legacy"], env_file=SHOP_ENV)
    product = schema.model("Product")
    assert [c.key for c in product.columns] == ["name", "category_id", "id", "created_at"]
    assert schema.model("OrderLine").primary_key == ("order_id", "product_id")


def test_module_with_attribute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PACKAGES)
    schema = load_schema("shop.catalog:Base", env_file=SHOP_ENV)
    assert names(schema) == ("Category", "Product")
    assert schema.source == Source(
        kind="module",
        location="shop.catalog:Base",
        module="shop.catalog",
        root=str(PACKAGES.resolve()),
    )


def test_module_whose_relationship_target_is_in_a_module_not_imported() -> None:
    with pytest.raises(FeGenError) as caught:
        load_schema("shop.orders", search_path=PACKAGES)
    assert caught.value.message == (
        "OrderLine.product: relationship target 'Product' was never imported; import the "
        "module that defines Product with the models (or pass its package to --models)"
    )


@pytest.mark.parametrize(
    ("spec", "model_name"),
    [
        pytest.param("missing_env.py", "Thing", id="os-environ"),
        pytest.param("settings_missing.py", "Thing", id="pydantic-settings"),
    ],
)
def test_env_file_supplies_settings(
    spec: str, model_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(MODELS)
    monkeypatch.delenv("FIXTURE_DATABASE_URL", raising=False)
    monkeypatch.delenv("APP_DATABASE_URL", raising=False)
    schema = load_schema(spec, env_file=Path("missing.env"))
    assert names(schema) == (model_name,)


ENV_FILES = [
    pytest.param("A=1\n", {"A": "1"}, id="plain"),
    pytest.param("export A=1\n", {"A": "1"}, id="export"),
    pytest.param("# comment\n\nA=1\n", {"A": "1"}, id="comments-and-blanks"),
    pytest.param('A="x y"\n', {"A": "x y"}, id="double-quotes"),
    pytest.param("A='x # y'\n", {"A": "x # y"}, id="single-quotes-keep-hash"),
    pytest.param("A=x # note\n", {"A": "x"}, id="inline-comment"),
    pytest.param("A = spaced \n", {"A": "spaced"}, id="spaces"),
    pytest.param("A=\n", {"A": ""}, id="empty"),
    pytest.param(
        "URL=postgresql://u:p@h/db?x=1\n", {"URL": "postgresql://u:p@h/db?x=1"}, id="equals"
    ),
    pytest.param("A=1\nA=2\n", {"A": "2"}, id="last-wins"),
]


@pytest.mark.parametrize(("text", "expected"), ENV_FILES)
def test_read_env_file(text: str, expected: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / ".env"
    path.write_text(text)
    assert read_env_file(path) == expected


ROUND_TRIP = [
    "columns",
    "mixins",
    "relations",
    "readonly",
    "conventions",
    "imperative",
    "classic",
    "two_bases",
    "flask_like",
    "sqlmodel_like",
    "inheritance",
]


@pytest.mark.parametrize("fixture", ROUND_TRIP)
def test_json_round_trip(fixture: str) -> None:
    schema = schema_of(fixture)
    assert Schema.from_json(schema.to_json()) == schema


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(str(MODELS / "columns.py"), id="columns"),
        pytest.param(str(MODELS / "relations.py"), id="relations"),
        pytest.param(str(MODELS / "conventions.py"), id="constraints"),
        pytest.param("shop", id="package"),
    ],
)
def test_same_json_under_two_hash_seeds(spec: str, monkeypatch: pytest.MonkeyPatch) -> None:
    outputs = []
    for seed in ("1", "4242"):
        monkeypatch.setenv("PYTHONHASHSEED", seed)
        schema = load_schema(spec, search_path=PACKAGES, exclude=["shop.legacy"], env_file=SHOP_ENV)
        outputs.append(schema.to_json())
    assert outputs[0] == outputs[1]


def test_threads_started_at_import_do_not_hold_up_loading() -> None:
    schema = load_schema(str(MODELS / "threads.py"), timeout=20)
    assert names(schema) == ("Job",)


def test_a_latin_1_file_that_declares_its_encoding_loads(tmp_path: Path) -> None:
    source = (MODELS / "two_bases.py").read_text().replace("create", "créé")
    (tmp_path / "models.py").write_bytes(b"# -*- coding: latin-1 -*-\n" + source.encode("latin-1"))
    assert names(load_schema(str(tmp_path / "models.py"))) == ("Account", "AuditEntry")


def test_modules_that_import_each_other_as_python_allows_load() -> None:
    schema = load_schema("circular", search_path=PACKAGES)
    assert names(schema) == ("Author", "Book")
    assert {rel.key for model in schema.models for rel in model.relationships} == {
        "books",
        "author",
    }
