"""The plan: the names, declarations, filters, loaders and samples fe-gen decides on."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from fe_gen.generator import naming
from fe_gen.generator.errors import FeGenError
from fe_gen.generator.fields import FieldPlan
from fe_gen.generator.imports import Imports
from fe_gen.generator.loading import load_schema
from fe_gen.generator.plan import ModelPlan, ProjectPlan, build_plan
from tests.generator.model_fixtures import schema_of


@functools.cache
def plan_of(fixture: str) -> ProjectPlan:
    schema = load_schema(None) if fixture == "bookstore" else schema_of(fixture)
    return build_plan(schema, name="demo")


def model_plan(fixture: str, model: str) -> ModelPlan:
    return next(plan for plan in plan_of(fixture).models if plan.name == model)


def field_plan(fixture: str, model: str, name: str) -> FieldPlan:
    return next(field for field in model_plan(fixture, model).fields if field.name == name)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Book", "book", id="simple"),
        pytest.param("BookTag", "book_tag", id="camel"),
        pytest.param("HTTPLog", "http_log", id="acronym"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert naming.snake_case(name) == expected


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        pytest.param("Book", "book", id="plain"),
        pytest.param("Import", "import_", id="keyword"),
        pytest.param("Class", "class_", id="keyword-class"),
        pytest.param("Core", "core_", id="tests-test_core"),
        pytest.param("Responses", "responses_", id="schemas-responses"),
        pytest.param("ApiRouter", "api_router", id="router-module-is-free"),
        pytest.param("Health", "health", id="health-is-free"),
        pytest.param("Match", "match", id="soft-keyword-is-a-name"),
    ],
)
def test_module_name(model: str, expected: str) -> None:
    assert naming.module_name(model) == expected


@pytest.mark.parametrize(
    ("model", "module", "plural", "a_word", "path"),
    [
        pytest.param("Import", "import_", "imports", "an import", "/import", id="import"),
        pytest.param("Class", "class_", "classes", "a class", "/class", id="class"),
        pytest.param("From", "from_", "froms", "a from", "/from", id="from"),
        pytest.param("Core", "core_", "cores", "a core", "/core", id="core"),
        pytest.param("Health", "health", "healths", "a health", "/health", id="health"),
    ],
)
def test_a_model_named_like_a_keyword_or_a_project_module_keeps_its_words_and_path(
    model: str, module: str, plural: str, a_word: str, path: str
) -> None:
    plan = model_plan("awkward", model)
    assert (plan.module, plan.plural, plan.a_word, plan.path) == (module, plural, a_word, path)


@pytest.mark.parametrize(
    ("table", "schema", "expected"),
    [
        pytest.param("books", None, "/books", id="plain"),
        pytest.param("book_tags", None, "/book-tags", id="underscores-become-hyphens"),
        pytest.param("items", "inventory", "/inventory/items", id="schema-prefix"),
    ],
)
def test_url_path(table: str, schema: str | None, expected: str) -> None:
    assert naming.url_path(table, schema) == expected


@pytest.mark.parametrize(
    ("table_var", "column", "expected"),
    [
        pytest.param("books", "title", "books.c.title", id="attribute"),
        pytest.param("bookings", "from", 'bookings.c["from"]', id="keyword"),
        pytest.param("rows", "keys", 'rows.c["keys"]', id="collection-method"),
        pytest.param("rows", "two words", 'rows.c["two words"]', id="not-an-identifier"),
        pytest.param("rows", "_hidden", 'rows.c["_hidden"]', id="underscore"),
    ],
)
def test_column_reference(table_var: str, column: str, expected: str) -> None:
    assert naming.column_reference(table_var, column) == expected


@pytest.mark.parametrize(
    ("table", "taken", "expected"),
    [
        pytest.param("books", set(), "books", id="free"),
        pytest.param("select", set(), "select_table", id="imported-function"),
        pytest.param("rows", set(), "rows_table", id="function-local"),
        pytest.param("books", {"books"}, "books_table", id="taken"),
    ],
)
def test_table_variable(table: str, taken: set[str], expected: str) -> None:
    assert naming.table_variable(table, None, taken) == expected


@pytest.mark.parametrize(
    ("word", "singular"),
    [("tags", "tag"), ("categories", "category"), ("boxes", "box"), ("class", "class")],
)
def test_singular(word: str, singular: str) -> None:
    assert naming.singular(word) == singular


def test_a_user_class_named_like_an_import_gets_an_alias() -> None:
    imports = Imports(first_party=("app",))
    imports.name("app.core.relations", "Row")
    assert imports.bind("app.models", "Row") == "RowModel"
    assert imports.bind("app.models", "Row") == "RowModel"
    assert "from app.models import Row as RowModel" in imports.render()


def test_imports_render_in_isort_sections() -> None:
    imports = Imports(first_party=("app",))
    imports.name("app.models", "Book")
    imports.name("sqlalchemy", "select")
    imports.module("datetime", "dt")
    imports.name("typing", "Any")
    assert imports.render() == (
        "import datetime as dt\nfrom typing import Any\n\n"
        "from sqlalchemy import select\n\nfrom app.models import Book"
    )


@pytest.mark.parametrize(
    ("model", "name", "read", "partial", "create", "update"),
    [
        pytest.param("Book", "id", "id: int", "id: int", None, None, id="autoincrement-key"),
        pytest.param(
            "Book",
            "title",
            "title: str",
            "title: str | MISSING = MISSING",
            "title: Text = Field(max_length=300)",
            "title: Text | MISSING = Field(default=MISSING, max_length=300)",
            id="required-string",
        ),
        pytest.param(
            "Book",
            "price",
            "price: Decimal",
            "price: Decimal | MISSING = MISSING",
            "price: Numeric10_2",
            "price: Numeric10_2 | MISSING = MISSING",
            id="numeric",
        ),
        pytest.param(
            "Book",
            "format",
            "format: Format",
            "format: Format | MISSING = MISSING",
            "format: Format | MISSING = MISSING",
            "format: Format | MISSING = MISSING",
            id="enum-with-default",
        ),
        pytest.param(
            "Book",
            "pages",
            "pages: int | None",
            "pages: int | MISSING | None = MISSING",
            "pages: Int32 | None = None",
            "pages: Int32 | MISSING | None = MISSING",
            id="nullable",
        ),
        pytest.param(
            "Author",
            "bio",
            None,
            "bio: str | MISSING | None = MISSING",
            "bio: Text | None = None",
            "bio: Text | MISSING | None = MISSING",
            id="deferred",
        ),
        pytest.param(
            "Author",
            "joined_at",
            "joined_at: dt.datetime",
            "joined_at: dt.datetime | MISSING = MISSING",
            "joined_at: UtcDatetime | MISSING = MISSING",
            "joined_at: UtcDatetime | MISSING = MISSING",
            id="server-default-aware-datetime",
        ),
    ],
)
def test_schema_declarations(
    model: str, name: str, read: str | None, partial: str, create: str | None, update: str | None
) -> None:
    """Reads and writes return plain types; `fields=` may leave a read's field out; what a
    client sends is bounded to what the column stores."""
    field = field_plan("bookstore", model, name)
    declarations = (field.read_line, field.partial_line, field.create_line, field.update_line)
    assert declarations == (read, partial, create, update)


@pytest.mark.parametrize(
    ("model", "name", "filters"),
    [
        pytest.param(
            "Book",
            "pages",
            [
                'pages: Int32 | None = Field(default=None, validation_alias=AliasChoices("pages", "pages__eq"))',
                "pages__ne: Int32 | None = None",
                "pages__gt: Int32 | None = None",
                "pages__gte: Int32 | None = None",
                "pages__lt: Int32 | None = None",
                "pages__lte: Int32 | None = None",
                "pages__in: CommaList[Int32] | None = None",
                "pages__isnull: bool | None = None",
            ],
            id="nullable-integer",
        ),
        pytest.param(
            "Book",
            "format",
            [
                'format: Format | None = Field(default=None, validation_alias=AliasChoices("format", "format__eq"))',
                "format__ne: Format | None = None",
                "format__in: CommaList[Format] | None = None",
            ],
            id="enum",
        ),
    ],
)
def test_filters_suit_the_column_type(model: str, name: str, filters: list[str]) -> None:
    assert list(field_plan("bookstore", model, name).filters) == filters


def test_string_filters_add_contains_icontains_and_startswith() -> None:
    names = [line.split(":")[0] for line in field_plan("bookstore", "Book", "title").filters]
    assert names[-3:] == ["title__contains", "title__icontains", "title__startswith"]


def test_a_column_named_like_a_paging_parameter_is_filtered_as_name__eq() -> None:
    assert field_plan("travel", "Booking", "count").filters[0] == "count__eq: Int32 | None = None"


def test_json_columns_get_no_filters() -> None:
    assert field_plan("travel", "Booking", "extras").filters == ()


def test_an_attribute_named_apart_from_its_column_is_selected_under_the_attribute_name() -> None:
    field = field_plan("travel", "Booking", "from_")
    assert field.column == 'utc(bookings.c["from"]).label("from_")'
    assert field.filters[0].startswith(
        'from_: UtcDatetime | None = Field(default=None, validation_alias=AliasChoices("from_", "from___eq"))'
    )


def test_includes_load_one_in_query_per_relationship() -> None:
    includes = {include.name: include for include in model_plan("bookstore", "Book").includes}
    assert includes["author"].code == (
        'ManyToOne(local=("author_id",), remote=(authors.c.id,), '
        "columns=(authors.c.id, authors.c.name, authors.c.email, utc(authors.c.joined_at)), "
        'key=("id",))'
    )
    assert includes["tags"].code == (
        'ManyToMany(local=("id",), secondary=(book_tags.c.book_id,), '
        "source=book_tags.join(tags, book_tags.c.tag_id == tags.c.id), "
        'columns=(tags.c.id, tags.c.name), key=("id",), order_by=(tags.c.id,))'
    )
    # Partial: `fields=reviews.rating` may choose some fields of an include.
    assert includes["reviews"].response == (
        "reviews: list[ReviewPartial] | MISSING = MISSING\n"
        "    reviews_more: bool | MISSING = MISSING"
    )
    assert includes["reviews"].fields == (
        "id",
        "book_id",
        "reviewer",
        "rating",
        "body",
        "created_at",
    )
    # A book always has its author: its foreign key is NOT NULL.
    assert includes["author"].response == "author: AuthorPartial | MISSING = MISSING"


def test_many_to_many_relationships_are_written_as_id_lists() -> None:
    (link,) = model_plan("travel", "Traveller").links
    assert (link.field, link.annotation, link.delete_where) == (
        "favourite_place_ids",
        "list[Int64]",
        "traveller_places.c.traveller_id == id",
    )
    assert (
        "favourite_place_ids: list[Int64] = Field(default_factory=list)"
        in model_plan("travel", "Traveller").create_lines
    )


def test_a_composite_key_is_a_path_of_its_parts() -> None:
    item = model_plan("travel", "Item")
    assert (item.path, item.key_path, item.key_params) == (
        "/booking-items",
        "/{booking_id}/{place_id}",
        "booking_id: UUID, place_id: int",
    )


def test_a_model_named_like_a_generated_name_is_aliased() -> None:
    assert model_plan("travel", "Row").ref == "RowModel"


def test_postgresql_only_types_extensions_and_schemas() -> None:
    columns = plan_of("columns")
    assert columns.postgresql_reason == "PgThing.payload is JSONB, which only PostgreSQL has"
    assert columns.extensions == ("citext",)
    assert plan_of("conventions").schemas == ("inventory",)
    assert not plan_of("bookstore").needs_postgresql


MIGRATION = "app/migrations/versions/0001_initial.py"


def test_models_sqlite_cant_create_need_postgresql_and_say_why() -> None:
    plan = plan_of("postgresql_ddl")
    why = "(in table 'places', column 'where'): the type Point has no SQL for sqlite"
    assert plan.postgresql_reason == f"SQLite can't create the tables {why}"
    assert (
        f"initial migration: SQLite can't create the tables {why}; the project needs PostgreSQL"
        in plan.diagnostics
    )
    assert eval(plan.migration_unavailable) == {"sqlite": why}
    assert list(eval(plan.migration_create)) == ["postgresql"]


def test_models_postgresql_cant_create_leave_it_out_of_the_migration_named() -> None:
    plan = plan_of("sqlite_ddl")
    why = "(in table 'places', column 'where'): the type Coordinates has no SQL for postgresql"
    assert not plan.needs_postgresql
    assert (
        f"initial migration: PostgreSQL can't create the tables {why}; `migrate` on PostgreSQL "
        f"stops saying so; write its statements in {MIGRATION}"
    ) in plan.diagnostics
    assert eval(plan.migration_unavailable) == {"postgresql": why}
    assert list(eval(plan.migration_create)) == ["sqlite"]


def test_no_note_for_sqlite_when_the_models_need_postgresql_for_a_type() -> None:
    plan = plan_of("columns")
    assert not [note for note in plan.diagnostics if note.startswith("initial migration")]
    assert list(eval(plan.migration_unavailable)) == ["sqlite"]
    assert plan_of("bookstore").migration_unavailable == "{}"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        pytest.param(
            "Book",
            {
                "title": 'f"title-{n}"',
                "isbn": 'f"{n:09d}"',
                "price": 'f"{n % 100000000}.55"',
                "pages": "n",
                "published_on": "(dt.date(2024, 1, 1) + dt.timedelta(days=n)).isoformat()",
            },
            id="book",
        ),
        pytest.param("Tag", {"name": 'f"name-{n}"'}, id="tag"),
    ],
)
def test_samples_respect_length_precision_and_uniqueness(
    model: str, expected: dict[str, str]
) -> None:
    assert dict(model_plan("bookstore", model).tests.payload) == expected


def test_factories_create_the_rows_a_required_foreign_key_needs() -> None:
    (parent,) = model_plan("bookstore", "Book").tests.parents
    assert (parent.factory, parent.pairs, parent.condition) == (
        "create_author",
        (("author_id", "id"),),
        '"author_id" not in fields',
    )


def test_two_foreign_keys_to_one_table_each_create_their_own_row() -> None:
    parents = model_plan("relations", "Memo").tests.parents
    assert [(parent.pairs, parent.var, parent.condition) for parent in parents] == [
        ((("sender_id", "id"),), "sender", '"sender_id" not in fields'),
        ((("recipient_id", "id"),), "recipient", '"recipient_id" not in fields'),
    ]


def test_the_columns_of_a_composite_foreign_key_come_from_one_row() -> None:
    (parent,) = model_plan("relations", "Transcript").tests.parents
    assert parent.pairs == (("student_id", "student_id"), ("course_code", "course_code"))
    assert parent.condition == 'not fields.keys() & {"student_id", "course_code"}'


def test_a_link_table_with_a_column_of_its_own_is_not_written_by_ids() -> None:
    assert [link.field for link in model_plan("relations", "Student").links] == ["course_ids"]
    assert model_plan("relations", "Project").links == ()
    assert [include.name for include in model_plan("relations", "Project").includes] == ["members"]


def test_a_model_whose_rows_need_a_column_no_client_can_write_says_why() -> None:
    document = model_plan("columns", "Document")
    assert not document.creatable and not document.tests.testable
    assert document.tests.reason == "its rows need location (POINT), which a client can't send"
    assert document.fields[[f.name for f in document.fields].index("location")].update_line is None


def test_postgresql_only_values_are_checked_before_the_driver_sees_them() -> None:
    """An INET, a TSVECTOR, a datetime without offset: each a 422 rather than a 500."""
    assert field_plan("columns", "PgThing", "address").create_line == "address: InetAddress"
    assert field_plan("columns", "PgThing", "search").create_line == "search: Text"
    assert "LocalDatetime" in model_plan("recipes", "Checklist").create_lines[2]


def test_a_class_the_orm_cannot_bulk_insert_is_inserted_into_its_table() -> None:
    ledger = model_plan("ledgers", "Ledger").table_insert
    assert ledger is not None
    assert ledger.column_names == '{"title": "ledger_title"}'
    assert ledger.row == (
        "{COLUMN_NAMES.get(key, key): value for key, value in "
        'item.model_dump(exclude={"tag_ids"}).items()} | {"kind": "ledger"}'
    )
    assert " ".join(ledger.reason).startswith("Ledger.total raises when read on the class")


def test_a_single_table_subclass_inserted_into_its_table_sets_its_discriminator() -> None:
    budget = model_plan("ledgers", "Budget").table_insert
    assert budget is not None
    assert budget.column_names == '{"title": "ledger_title", "limit": "budget_limit"}'
    assert budget.row.endswith(' | {"kind": "budget"}')


def test_classes_the_orm_can_bulk_insert_go_through_it() -> None:
    assert model_plan("ledgers", "Entry").table_insert is None
    assert model_plan("readonly", "Person").table_insert is None


def test_sqlite_creates_bigint_autoincrement_keys_as_integer() -> None:
    # SQLite numbers new rows only in an INTEGER PRIMARY KEY column.
    assert plan_of("travel").sqlite_integer_types == ("BIGINT", "BigInteger")
    assert plan_of("bookstore").sqlite_integer_types == ()


def test_payload_samples_are_written_as_responses_write_them() -> None:
    payload = dict(model_plan("travel", "Booking").tests.payload)
    assert payload["check_in_window"] == "to_jsonable_python(dt.timedelta(seconds=n))"
    assert plan_of("travel").binary and not plan_of("bookstore").binary


def test_the_create_schema_calls_a_dataclass_default_factory() -> None:
    lines = model_plan("recipes", "Checklist").create_lines
    assert "steps: JsonData = Field(default_factory=list)" in lines
    assert "opened: LocalDatetime = Field(default_factory=dt.datetime.now)" in lines
    assert "code: Text = Field(max_length=36)" in lines


def test_the_api_docs_move_only_when_a_model_takes_their_route() -> None:
    docs = plan_of("awkward").docs
    assert docs is not None
    assert (docs.url, docs.redoc_url, docs.openapi_url) == (
        "/api-docs",
        "/api-redoc",
        "/openapi.json",
    )
    assert plan_of("bookstore").docs is None
    assert "docs" not in plan_of("bookstore").to_dict()


SAME_TABLE_IN_TWO_BASES = """
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Main(DeclarativeBase):
    pass


class Archive(DeclarativeBase):
    pass


class Account(Main):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)


class OldAccount(Archive):
    __tablename__ = "accounts"
    id: Mapped[int] = mapped_column(primary_key=True)
"""


def test_two_bases_with_a_table_of_one_name_are_told_how_to_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "models.py").write_text(SAME_TABLE_IN_TWO_BASES)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FeGenError) as caught:
        build_plan(load_schema("models.py"), name="demo")
    assert caught.value.message == (
        "models Account and OldAccount would both get the URL path /accounts: rename one of "
        "them, or generate from one Base at a time (--models models.py:Main or models.py:Archive)"
    )
