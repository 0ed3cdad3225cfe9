"""Translate a Python row filter into SQLAlchemy criteria that select exactly the same rows.

The condition is read into a small tree (and / or / not over atoms such as `row.col < v`),
negations are pushed down to the atoms (De Morgan), and each atom is written in the form
that agrees with Python for every row, NULL included:

  ==, is None, is not None, in     -> as is (`col == v`, `col.is_(None)`, `col.in_(v)`)
  !=, not in, not col, truthiness  -> as is on NOT NULL columns; otherwise NULL-aware
                                      (`is_distinct_from`, `or_(col.is_(None), ...)`)
  truthiness of a string           -> `col != ""` (never just IS NOT NULL)
  <, <=, >, >=                     -> unsafe on nullable columns (Python raises on None),
                                      strings (collation order) and unknown types
  str.startswith / endswith        -> unsafe: LIKE ignores case on SQLite and MySQL
  in (nullable), not in, a name    -> unsafe when the code shows the name may hold None
                                      (`None in ids` is True in Python, never in SQL)

A column proven non-None earlier in the same and/or chain (`x is not None and x > 3`)
counts as NOT NULL from there on. Anything else is a `Fail` with a reason for the report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import libcst as cst

from fe_gen.codemods.analysis import sqlbuild as sb
from fe_gen.codemods.analysis.queries import Entity
from fe_gen.codemods.models_index import ColumnInfo


@dataclass(frozen=True)
class Fail:
    reason: str


@dataclass(frozen=True)
class Col:
    entity: Entity
    info: ColumnInfo

    @property
    def key(self) -> tuple[str, str]:
        return (self.entity.name, self.info.name)


@dataclass(frozen=True)
class Atom:
    op: str
    col: Col
    value: cst.BaseExpression | None = None


@dataclass(frozen=True)
class Bool:
    op: str  # "and" / "or"
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Atom | Bool | Not
Accessor = Callable[[cst.BaseExpression], "Col | Fail | None"]
ValueCheck = Callable[[cst.BaseExpression], "str | Fail | None"]  # None ok, str unsafe reason
MayHoldNone = Callable[[cst.BaseExpression], bool]  # a collection shown to admit None


@dataclass
class Translation:
    terms: list[cst.BaseExpression]
    unsafe: list[str] = field(default_factory=list)
    imports: set[str] = field(default_factory=set)


_NEGATE = {
    "truthy": "falsy", "eq": "ne", "lt": "ge", "le": "gt", "is_none": "is_not_none",
    "in": "not_in", "is_true": "is_not_true", "is_false": "is_not_false",
    "startswith": "not_startswith", "endswith": "not_endswith",
}  # fmt: skip
_NEGATE |= {v: k for k, v in list(_NEGATE.items())}
_NEGATE |= {"gt": "le", "ge": "lt"}
_COMPARE = {
    cst.Equal: "eq", cst.NotEqual: "ne", cst.LessThan: "lt", cst.LessThanEqual: "le",
    cst.GreaterThan: "gt", cst.GreaterThanEqual: "ge", cst.In: "in", cst.NotIn: "not_in",
}  # fmt: skip
_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
_SYMBOL = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_ORDERED = {"int", "float", "numeric", "datetime", "date", "time", "bool"}
_NUMBER = {"int", "float", "numeric"}
# types whose SQL equality may not be Python's: an Enum column matches a member's name
# given as a string, JSON compares documents, a custom type compares whatever it stores
_LOOSE_EQUALITY = {"enum", "json", "unknown"}
_ALWAYS_TRUE = {"datetime", "date", "time", "uuid"}
# the literals Python compares with a column's values as SQL does; SQL converts the others
# (`score = '18'` matches 18, `name = 5` matches '5') where Python's `==` is False or its
# `<` raises, and a float against a Decimal compares its exact binary value in Python
# (`Decimal("0.10") == 0.1` is False). Enum, JSON and unknown kinds are unsafe anyway.
_LITERALS_FOR = {
    "str": {"str"}, "bytes": {"bytes"}, "int": {"int", "float"}, "float": {"int", "float"},
    "numeric": {"int"}, "bool": {"int"}, "datetime": set(), "date": set(), "time": set(),
    "interval": set(), "uuid": set(),
}  # fmt: skip
_STRINGS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
_COLLECTIONS = (cst.List, cst.Tuple, cst.Set, cst.Dict)
_NUMBERS: dict[type[cst.BaseExpression], str] = {
    cst.Integer: "int", cst.Float: "float", cst.Imaginary: "complex"
}  # fmt: skip
_CONSTANTS = (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString, cst.List, cst.Tuple)


def _literal(node: cst.BaseExpression | None) -> str | None:
    return (
        node.value
        if isinstance(node, cst.Name) and node.value in {"None", "True", "False"}
        else None
    )


class Reader:
    """Python condition -> Node, with `accessor` mapping `row.col` to a column."""

    def __init__(self, row: str, accessor: Accessor) -> None:
        self.row = row
        self.accessor = accessor

    def read(self, expr: cst.BaseExpression) -> Node | Fail:
        if isinstance(expr, cst.BooleanOperation):
            op = "and" if isinstance(expr.operator, cst.And) else "or"
            left, right = self.read(expr.left), self.read(expr.right)
            if isinstance(left, Fail):
                return left
            return right if isinstance(right, Fail) else Bool(op, (left, right))
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
            inner = self.read(expr.expression)
            return inner if isinstance(inner, Fail) else Not(inner)
        if isinstance(expr, cst.Comparison):
            return self._comparison(expr)
        if isinstance(expr, cst.Call):
            return self._call(expr)
        col = self.accessor(expr)
        if isinstance(col, Col):
            return Atom("truthy", col)
        return col or Fail(f"`{_code(expr)}` is not a column of the row")

    def _comparison(self, expr: cst.Comparison) -> Node | Fail:
        atoms: list[Node] = []
        left = expr.left
        for target in expr.comparisons:
            atom = self._pair(left, target.operator, target.comparator)
            if isinstance(atom, Fail):
                return atom
            atoms.append(atom)
            left = target.comparator
        return atoms[0] if len(atoms) == 1 else Bool("and", tuple(atoms))

    def _pair(
        self, left: cst.BaseExpression, operator: cst.BaseCompOp, right: cst.BaseExpression
    ) -> Node | Fail:
        lcol, rcol = self.accessor(left), self.accessor(right)
        if isinstance(lcol, Fail):
            return lcol
        if isinstance(rcol, Fail):
            return rcol
        if lcol is not None and rcol is not None:
            return Fail("it compares two columns of the row")
        if lcol is None and rcol is None:
            return Fail(f"`{_code(left)}` does not involve the row as a plain column")
        if isinstance(operator, cst.Is | cst.IsNot):
            col, value = (lcol, right) if lcol is not None else (rcol, left)
            literal = _literal(value)
            if col is None or literal is None:
                return Fail("`is` is only translated against None, True or False")
            positive = {"None": "is_none", "True": "is_true", "False": "is_false"}[literal]
            return Atom(positive if isinstance(operator, cst.Is) else _NEGATE[positive], col)
        op = _COMPARE.get(type(operator))
        if op is None:
            return Fail("unsupported comparison")
        if lcol is not None:
            return Atom(op, lcol, right)
        if op in {"in", "not_in"}:
            return Fail("a containment test on a column value (`x in row.col`)")
        assert rcol is not None
        return Atom(_FLIP[op], rcol, left)

    def _call(self, expr: cst.Call) -> Node | Fail:
        func = expr.func
        if isinstance(func, cst.Attribute) and func.attr.value in {"startswith", "endswith"}:
            col = self.accessor(func.value)
            if isinstance(col, Col):
                if len(expr.args) != 1 or expr.args[0].keyword or expr.args[0].star:
                    return Fail(f"`{func.attr.value}` with more than one argument")
                return Atom(func.attr.value, col, expr.args[0].value)
            if isinstance(col, Fail):
                return col
        if isinstance(func, cst.Name) and func.value == "bool" and len(expr.args) == 1:
            col = self.accessor(expr.args[0].value)
            if isinstance(col, Col):
                return Atom("truthy", col)
        return Fail(f"`{_code(expr)}` is a Python call SQL cannot run")


class Writer:
    """Node -> SQLAlchemy criteria; see the module docstring for the rules."""

    def __init__(
        self, check_value: ValueCheck, may_hold_none: MayHoldNone = lambda _: False
    ) -> None:
        self.check_value = check_value
        self.may_hold_none = may_hold_none
        self.unsafe: list[str] = []
        self.imports: set[str] = set()

    def write(self, node: Node) -> list[cst.BaseExpression] | Fail:
        """Top-level conjuncts (each one `.where()` argument)."""
        out: list[cst.BaseExpression] = []
        guards: frozenset[tuple[str, str]] = frozenset()
        for item, negated in _conjuncts(node, False):
            written = self._node(item, negated, guards)
            if isinstance(written, Fail):
                return written
            out.append(written)
            guards |= _facts(item, not negated)
        return out

    def _node(
        self, node: Node, negated: bool, guards: frozenset[tuple[str, str]]
    ) -> cst.BaseExpression | Fail:
        if isinstance(node, Not):
            return self._node(node.item, not negated, guards)
        if isinstance(node, Atom):
            return self._atom(node, negated, guards)
        conjunction = (node.op == "and") != negated
        parts: list[cst.BaseExpression] = []
        for item in node.items:
            written = self._node(item, negated, guards)
            if isinstance(written, Fail):
                return written
            parts.append(written)
            guards |= _facts(item, node.op == "and")
        helper = "and_" if conjunction else "or_"
        self.imports.add(helper)
        return sb.call(sb.name(helper), *parts)

    def _atom(
        self, atom: Atom, negated: bool, guards: frozenset[tuple[str, str]]
    ) -> cst.BaseExpression | Fail:
        op = _NEGATE[atom.op] if negated else atom.op
        col = atom.col
        nullable = col.info.nullable and col.key not in guards
        if atom.value is not None:
            verdict = self.check_value(atom.value)
            if isinstance(verdict, Fail):
                return verdict
            if verdict:
                self.unsafe.append(verdict)
        if atom.value is not None:
            mismatch = _literal_mismatch(col.info, atom.value)
            if mismatch is not None:
                return Fail(mismatch)
        expr = sb.column(col.entity.expr, col.info.name)
        if op in {"truthy", "falsy"}:
            return self._truth(expr, col.info.kind, nullable, op == "truthy")
        if op in {"is_none", "is_not_none"}:
            return sb.method(expr, "is_" if op == "is_none" else "is_not", sb.name("None"))
        if op in {"is_true", "is_not_true", "is_false", "is_not_false"}:
            if col.info.kind != "bool":
                return Fail(f"`is True/False` on a {col.info.kind} column")
            value = sb.name("True" if "true" in op else "False")
            return sb.method(expr, "is_not" if "_not_" in op else "is_", value)
        assert atom.value is not None
        if col.info.kind in _LOOSE_EQUALITY and op in {"eq", "ne", "in", "not_in"}:
            self.unsafe.append(
                f"`{col.info.name}` is a {col.info.kind} column: SQL and Python equality may differ"
            )
        if op in {"in", "not_in"}:
            return self._membership(expr, atom.value, col.info.kind, nullable, op == "in")
        if op in {"startswith", "endswith", "not_startswith", "not_endswith"}:
            return self._like(expr, atom, nullable, op)
        return self._compare(expr, op, atom.value, col.info, nullable)

    def _truth(
        self, expr: cst.Attribute, kind: str, nullable: bool, truthy: bool
    ) -> cst.BaseExpression | Fail:
        if kind == "bool":
            if truthy:  # NULL is no more true in a WHERE than None is in an `if`
                return expr
            return sb.method(
                expr, "is_not" if nullable else "is_", sb.name("True" if nullable else "False")
            )
        if kind in _ALWAYS_TRUE:
            return sb.method(expr, "is_not" if truthy else "is_", sb.name("None"))
        if kind == "str" or kind in _NUMBER:
            empty: cst.BaseExpression = (
                cst.SimpleString('""') if kind == "str" else cst.Integer("0")
            )
            test = sb.compare(expr, "!=" if truthy else "==", empty)
            if not nullable:
                return test
            helper = "and_" if truthy else "or_"
            self.imports.add(helper)
            null = sb.method(expr.deep_clone(), "is_not" if truthy else "is_", sb.name("None"))
            return sb.call(sb.name(helper), null, test)
        return Fail(f"the truth value of a {kind} column has no exact SQL form")

    def _membership(
        self,
        expr: cst.Attribute,
        value: cst.BaseExpression,
        kind: str,
        nullable: bool,
        inside: bool,
    ) -> cst.BaseExpression | Fail:
        if isinstance(value, _STRINGS):
            return Fail("`in` a string is a substring test")
        if any(_literal(item) == "None" for item in literal_items(value)):
            return Fail("NULL never matches IN (..., NULL) in SQL")
        if kind == "str" and not isinstance(value, _COLLECTIONS):
            self.unsafe.append(
                f"`{_code(value)}` may be a string: Python's `in` looks for a substring there,"
                " SQLAlchemy's `in_()` raises"
            )
        if (nullable or not inside) and self.may_hold_none(value):
            self.unsafe.append(
                f"`{_code(value)}` may hold None: "
                + (
                    "Python's `in` keeps the NULL rows, SQL's IN does not"
                    if inside
                    else "SQL's NOT IN then keeps no row at all"
                )
            )
        if inside:
            return sb.method(expr, "in_", value)
        test = sb.method(expr, "not_in", value)
        if not nullable:
            return test
        self.imports.add("or_")
        return sb.call(sb.name("or_"), sb.method(expr.deep_clone(), "is_", sb.name("None")), test)

    def _like(
        self, expr: cst.Attribute, atom: Atom, nullable: bool, op: str
    ) -> cst.BaseExpression | Fail:
        assert atom.value is not None
        if atom.col.info.kind != "str":
            return Fail(f"`{op.removeprefix('not_')}` on a {atom.col.info.kind} column")
        if isinstance(atom.value, cst.Tuple):
            return Fail("`startswith`/`endswith` with a tuple of prefixes")
        self.unsafe.append("LIKE ignores case on SQLite and MySQL, unlike str.startswith/endswith")
        if not isinstance(atom.value, _STRINGS):
            self.unsafe.append(
                f"`{_code(atom.value)}` may be a tuple of prefixes, which SQLAlchemy's"
                f" `{op.removeprefix('not_')}()` refuses"
            )
        if nullable:
            self.unsafe.append(f"Python raises on a NULL `{atom.col.info.name}`; SQL skips the row")
        like = sb.method(expr, op.removeprefix("not_"), atom.value, autoescape=sb.name("True"))
        return sb.invert(like) if op.startswith("not_") else like

    def _compare(
        self,
        expr: cst.Attribute,
        op: str,
        value: cst.BaseExpression,
        info: ColumnInfo,
        nullable: bool,
    ) -> cst.BaseExpression | Fail:
        literal = _literal(value)
        if op in {"eq", "ne"}:
            if literal == "None":
                return sb.method(expr, "is_" if op == "eq" else "is_not", value)
            if literal is not None:
                if info.kind != "bool":
                    return Fail(f"comparing a {info.kind} column with {literal}")
                return sb.method(expr, "is_" if op == "eq" else "is_not", value)
            if op == "ne" and nullable:
                return sb.method(expr, "is_distinct_from", value)
            return sb.compare(expr, _SYMBOL[op], value)
        if literal == "None":
            return Fail("ordering against None")
        if nullable:
            self.unsafe.append(
                f"Python raises on a NULL `{info.name}` in `{_SYMBOL[op]}`; SQL skips the row"
            )
        if info.kind == "str":
            self.unsafe.append("string order follows the database collation, not code points")
        elif info.kind not in _ORDERED:
            self.unsafe.append(f"the order of a {info.kind} column may differ in SQL")
        return sb.compare(expr, _SYMBOL[op], value)


def _literal_kind(node: cst.BaseExpression) -> str | None:
    """The Python type of a literal (`-1` included), None for anything else."""
    if isinstance(node, cst.SimpleString):
        return "bytes" if "b" in node.prefix.lower() else "str"
    if isinstance(node, cst.ConcatenatedString):
        return _literal_kind(node.left)
    if isinstance(node, cst.FormattedString):
        return "str"
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus | cst.Plus):
        return _literal_kind(node.expression)
    return _NUMBERS.get(type(node))


def _literal_mismatch(info: ColumnInfo, value: cst.BaseExpression) -> str | None:
    """Why a literal `value` (or a literal collection's items) compares otherwise in SQL."""
    accepted = _LITERALS_FOR.get(info.kind)
    if accepted is None:
        return None
    items = literal_items(value) if isinstance(value, _COLLECTIONS) else [value]
    for item in items:
        kind = _literal_kind(item)
        if kind is not None and kind not in accepted:
            return (
                f"`{info.name}` ({info.kind}) is compared with the {kind} `{_code(item)}`:"
                " SQL converts it, Python does not"
            )
    return None


def literal_items(value: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The items of a literal list, tuple or set, the keys of a literal dict; else none."""
    if isinstance(value, cst.List | cst.Tuple | cst.Set):
        return [e.value for e in value.elements if isinstance(e, cst.Element)]
    if isinstance(value, cst.Dict):
        return [e.key for e in value.elements if isinstance(e, cst.DictElement)]
    return []


def _conjuncts(node: Node, negated: bool) -> list[tuple[Node, bool]]:
    """The parts of a top-level conjunction (`a and b`, `not (a or b)`), each with the
    negation it carries."""
    if isinstance(node, Not):
        return _conjuncts(node.item, not negated)
    if isinstance(node, Bool) and (node.op == "and") != negated:
        return [part for item in node.items for part in _conjuncts(item, negated)]
    return [(node, negated)]


def _facts(node: Node, truth: bool) -> frozenset[tuple[str, str]]:
    """Columns known not to be None once `node` evaluated to `truth`."""
    if isinstance(node, Not):
        return _facts(node.item, not truth)
    if isinstance(node, Bool):
        if (node.op == "and") == truth:
            return frozenset().union(*(_facts(item, truth) for item in node.items))
        return frozenset()
    if atom_proves_value(node, truth):
        return frozenset({node.col.key})
    return frozenset()


def atom_proves_value(atom: Atom, truth: bool) -> bool:
    if atom.op == "is_not_none" or atom.op == "is_none":
        return truth == (atom.op == "is_not_none")
    if not truth:
        return False
    if atom.op in {
        "truthy",
        "lt",
        "le",
        "gt",
        "ge",
        "startswith",
        "endswith",
        "is_true",
        "is_false",
    }:
        return True
    return atom.op in {"eq", "in"} and isinstance(atom.value, _CONSTANTS)


def translate(
    conditions: Sequence[cst.BaseExpression],
    reader: Reader,
    check_value: ValueCheck,
    may_hold_none: MayHoldNone = lambda _: False,
) -> Translation | Fail:
    """All `conditions` (an implicit `and`) as `.where()` arguments, or why not."""
    nodes: list[Node] = []
    for condition in conditions:
        node = reader.read(condition)
        if isinstance(node, Fail):
            return node
        nodes.append(node)
    writer = Writer(check_value, may_hold_none)
    tree = nodes[0] if len(nodes) == 1 else Bool("and", tuple(nodes))
    terms = writer.write(tree)
    if isinstance(terms, Fail):
        return terms
    return Translation(terms, writer.unsafe, writer.imports)


def _code(node: cst.CSTNode) -> str:
    text = cst.Module([]).code_for_node(node)
    return text if len(text) <= 40 else text[:37] + "..."
