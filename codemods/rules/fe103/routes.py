"""The N+1 with no loop in sight: a FastAPI route returns ORM rows, and its response schema
nests a relationship the query does not load, so serialising the response lazy-loads it
once per row after the function has returned (under AsyncSession: MissingGreenlet).

The schema comes from the decorator's `response_model=` (or the return annotation);
its fields named like a relationship of the rows' class, typed with another schema, are
the paths the response walks, nested schemas included.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from fe_gen.codemods.analysis.meta import Meta
from fe_gen.codemods.analysis.queries import method
from fe_gen.codemods.models_index import ModelInfo, ModelsIndex, SchemaRef
from fe_gen.codemods.rules.fe103.reads import Hop, Read

_ROUTES = {"get", "post", "put", "patch", "delete", "api_route"}
_MANY = {"list", "List", "Sequence", "set", "Set", "tuple", "Tuple", "Iterable"}
_DEPTH = 4


@dataclass(frozen=True)
class Response:
    schema: cst.BaseExpression  # as the route names it
    many: bool
    returns: tuple[cst.Return, ...]


def _unwrap(expr: cst.BaseExpression) -> tuple[cst.BaseExpression | None, bool]:
    """(the schema, whether a list of it) of `X`, `list[X]`, `X | None`, `Optional[X]`."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
        sides = [s for s in (expr.left, expr.right) if not _none(s)]
        return _unwrap(sides[0]) if len(sides) == 1 else (None, False)
    if isinstance(expr, cst.Subscript):
        head = expr.value.attr.value if isinstance(expr.value, cst.Attribute) else ""
        head = expr.value.value if isinstance(expr.value, cst.Name) else head
        inner = [e.slice.value for e in expr.slice if isinstance(e.slice, cst.Index)]
        if head == "Optional" and len(inner) == 1:
            return _unwrap(inner[0])
        if head in _MANY and len(inner) == 1:
            schema, many = _unwrap(inner[0])
            return (schema, True) if schema is not None and not many else (None, False)
        return None, False
    return (expr, False) if isinstance(expr, cst.Name | cst.Attribute) else (None, False)


def _none(expr: cst.BaseExpression) -> bool:
    return isinstance(expr, cst.Name) and expr.value == "None"


def response(function: cst.FunctionDef) -> Response | None:
    """The schema a route answers with, and its `return` statements; None if not a route."""
    declared: cst.BaseExpression | None = None
    route = False
    for decorator in function.decorators:
        call = decorator.decorator
        if isinstance(call, cst.Call) and method(call) in _ROUTES:
            route = True
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value == "response_model":
                    declared = arg.value
    if not route:
        return None
    if declared is None and function.returns is not None:
        declared = function.returns.annotation
    schema, many = _unwrap(declared) if declared is not None else (None, False)
    if schema is None:
        return None
    returns: list[cst.Return] = []

    class _Returns(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            returns.append(node)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return node is function

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            return False

    function.visit(_Returns())
    return Response(schema, many, tuple(returns))


def schema_reads(
    schema: SchemaRef, model: ModelInfo, node: cst.CSTNode, models: ModelsIndex
) -> list[Read]:
    """The relationship paths serialising `model` rows with `schema` loads lazily."""
    found: list[Read] = []

    def walk(ref: SchemaRef, owner: ModelInfo, hops: tuple[Hop, ...]) -> None:
        fields = models.schema_fields(ref.name, ref.module, ref.path)
        if fields is None or len(hops) >= _DEPTH:
            return
        for name, (held, _many) in fields.items():
            relationship = owner.relationship(name)
            if relationship is None or not relationship.loads_per_row:
                continue
            target = models.target(owner, relationship)
            path = (*hops, Hop(owner, relationship, target))
            found.append(Read(node, path))  # type: ignore[arg-type]
            if target is not None:
                walk(held, target, path)

    walk(schema, model, ())
    return found


def schema_ref(expr: cst.BaseExpression, meta: Meta, path: Path) -> SchemaRef:
    """Where the schema a route names is defined, as the index looks classes up."""
    for qualified in meta.qualified(expr):
        module, _, leaf = qualified.rpartition(".")
        if "<locals>" not in qualified:
            return SchemaRef(leaf, module or None, path)
    name = expr.attr.value if isinstance(expr, cst.Attribute) else getattr(expr, "value", "")
    return SchemaRef(str(name), None, path)
