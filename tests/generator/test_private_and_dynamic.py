"""Private classes of a hierarchy get no route; classes no module names are left out.

ring_models.py holds both: `Price` -> `_PriceCustom` -> `PriceCustom` on one table, and
classes made by `type()` and kept in a dict, one of them (`Size`) bound to a module name.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from model_fixtures import MODELS, schema_of

from fe_gen.generator.errors import FeGenError
from fe_gen.generator.ir import Diagnostic
from fe_gen.generator.loading import load_schema
from fe_gen.generator.plan import build_plan

LEFT_OUT = (
    "left out: no module has it as Color (a class made by type() and kept in a dict, or "
    "made in a function), so the project can't import it; bind it to a module-level name "
    "Color to serve it"
)


def test_a_class_no_module_names_is_left_out_with_a_note() -> None:
    schema = schema_of("ring_models")
    assert [model.name for model in schema.models] == [
        "Price",
        "_PriceCustom",
        "PriceCustom",
        "Discount",
        "Size",
    ]
    assert Diagnostic("warning", "Color", None, LEFT_OUT) in schema.diagnostics


def test_a_class_bound_to_its_name_elsewhere_is_imported_from_there(tmp_path: Path) -> None:
    (tmp_path / "made.py").write_text(
        "from sqlalchemy import Column, Integer, Table\n"
        "from sqlalchemy.orm import DeclarativeBase\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        'table = Table("dyes", Base.metadata, Column("id", Integer, primary_key=True))\n'
        'MODELS = {"dyes": type("Dye", (Base,), {"__table__": table})}\n'
    )
    (tmp_path / "models.py").write_text("from made import MODELS\n\nDye = MODELS['dyes']\n")
    schema = load_schema(str(tmp_path / "models.py"))
    assert [(model.name, model.module) for model in schema.models] == [("Dye", "models")]


def test_models_all_out_of_reach_are_refused_in_one_line(tmp_path: Path) -> None:
    source = (MODELS / "ring_models.py").read_text().split("\n\nclass Price", 1)[0]
    source += '\n\nT = Table("t", Base.metadata, Column("id", Integer, primary_key=True))\n'
    source += 'MODELS = [type("Tee", (Base,), {"__table__": T})]\n'
    (tmp_path / "models.py").write_text(source)
    with pytest.raises(FeGenError) as caught:
        load_schema(str(tmp_path / "models.py"))
    assert caught.value.message == (
        f"no mapped class of {tmp_path / 'models.py'} can be imported by its name (Tee): "
        "classes kept in a dict or made in a function are out of reach; bind each to a "
        "module-level name of its own"
    )


def test_a_private_class_of_a_hierarchy_gets_no_route() -> None:
    plan = build_plan(schema_of("ring_models"), name="demo")
    assert [(model.name, model.path) for model in plan.models] == [
        ("Price", "/prices"),
        ("PriceCustom", "/price-customs"),
        ("Discount", "/discounts"),
        ("Size", "/sizes"),
    ]
    assert (
        "_PriceCustom: a private class (leading underscore): no route of its own; "
        "Price serves its rows"
    ) in plan.diagnostics


def test_the_parent_of_a_private_class_serves_its_rows() -> None:
    plan = build_plan(schema_of("ring_models"), name="demo")
    price, custom = plan.models[:2]
    assert price.hierarchy is not None and price.hierarchy.criteria is None
    assert custom.hierarchy is not None
    assert custom.hierarchy.criteria == 'prices.c.kind == "custom"'


def test_a_relationship_to_a_private_class_is_left_out() -> None:
    plan = build_plan(schema_of("ring_models"), name="demo")
    discount = next(model for model in plan.models if model.name == "Discount")
    assert [include.name for include in discount.includes] == ["price"]
    assert (
        "Discount.custom_price: its target _PriceCustom is a private class, without a route: "
        "left out"
    ) in plan.diagnostics


def test_a_private_class_alone_in_its_hierarchy_keeps_its_route() -> None:
    schema = schema_of("ring_models")
    alone = [schema.model("Price"), schema.model("_PriceCustom")]
    alone[0] = dataclasses.replace(alone[0], name="_Price")
    alone[1] = dataclasses.replace(
        alone[1],
        inheritance=dataclasses.replace(alone[1].inheritance, root="_Price", parent="_Price"),
    )
    alone[0] = dataclasses.replace(
        alone[0], inheritance=dataclasses.replace(alone[0].inheritance, root="_Price")
    )
    plan = build_plan(dataclasses.replace(schema, models=tuple(alone)), name="demo")
    assert [model.name for model in plan.models] == ["_Price", "_PriceCustom"]


JOINED_UNDER_A_PRIVATE_ROOT = """
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class _Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    __mapper_args__ = {"polymorphic_on": "kind", "polymorphic_identity": "item"}


class Priced(_Item):
    __tablename__ = "priced_items"
    id: Mapped[int] = mapped_column(ForeignKey("items.id"), primary_key=True)
    price: Mapped[int]
    __mapper_args__ = {"polymorphic_identity": "priced"}
"""


def test_a_private_root_referenced_only_by_its_joined_subclass_gets_no_route(
    tmp_path: Path,
) -> None:
    (tmp_path / "models.py").write_text(JOINED_UNDER_A_PRIVATE_ROOT)
    plan = build_plan(load_schema(str(tmp_path / "models.py")), name="demo")
    assert [model.name for model in plan.models] == ["Priced"]
    assert (
        "_Item: a private class (leading underscore): no route of its own; its public "
        "subclasses serve theirs"
    ) in plan.diagnostics
