"""Read the declarations of one source file: classes, their attributes, imports, bases.

This is the static half of the models index: no user code is imported, only parsed with
LibCST. Everything here is per file; resolving a class's bases across files, and so
deciding whether it is mapped, is `models_index`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import libcst as cst

AttrKind = Literal["column", "relationship", "other"]

_STR = {"String", "Text", "Unicode", "UnicodeText", "VARCHAR", "CHAR", "NVARCHAR", "NCHAR"}
_SQL_KINDS: dict[str, str] = {
    **dict.fromkeys(_STR | {"TEXT", "CLOB", "CITEXT"}, "str"),
    **dict.fromkeys(["Integer", "BigInteger", "SmallInteger", "INTEGER", "BIGINT"], "int"),
    **dict.fromkeys(["SMALLINT", "INT"], "int"),
    **dict.fromkeys(["Boolean", "BOOLEAN"], "bool"),
    **dict.fromkeys(["Float", "REAL", "Double", "DOUBLE", "FLOAT", "DOUBLE_PRECISION"], "float"),
    **dict.fromkeys(["Numeric", "DECIMAL", "NUMERIC"], "numeric"),
    **dict.fromkeys(["DateTime", "TIMESTAMP", "DATETIME"], "datetime"),
    **dict.fromkeys(["Date", "DATE"], "date"),
    **dict.fromkeys(["Time", "TIME"], "time"),
    **dict.fromkeys(["Uuid", "UUID"], "uuid"),
    **dict.fromkeys(["Enum"], "enum"),
    **dict.fromkeys(["Interval"], "interval"),
    **dict.fromkeys(["JSON", "JSONB", "ARRAY", "PickleType"], "json"),
    **dict.fromkeys(["LargeBinary", "BLOB", "BINARY", "VARBINARY"], "bytes"),
}
_PY_KINDS: dict[str, str] = {
    "int": "int",
    "str": "str",
    "bool": "bool",
    "float": "float",
    "Decimal": "numeric",
    "datetime": "datetime",
    "date": "date",
    "time": "time",
    "timedelta": "interval",
    "UUID": "uuid",
    "bytes": "bytes",
}
_COLUMN_CALLS = {"Column", "mapped_column", "Field"}
_RELATIONSHIP_CALLS = {"relationship", "relation", "Relationship", "dynamic_loader"}
_IGNORED = {"__tablename__", "__table_args__", "__mapper_args__", "__abstract__", "__table__"}


@dataclass(frozen=True)
class AttrDecl:
    """One class-body attribute: a column (with nullability and kind) or something else."""

    kind: AttrKind
    nullable: bool = True
    sql_kind: str = "unknown"


@dataclass
class ClassDecl:
    """A class statement as written: base expressions, keywords, decorators, attributes."""

    name: str
    bases: list[str]
    keywords: dict[str, str]
    decorators: list[str]
    attrs: dict[str, AttrDecl] = field(default_factory=dict)
    abstract: bool = False


@dataclass
class FileDecls:
    """Top-level classes, imported names and declarative-base assignments of one file."""

    classes: dict[str, ClassDecl] = field(default_factory=dict)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> (module, name)
    bases: dict[str, str] = field(default_factory=dict)  # `Base = declarative_base(cls=X)`


def dotted(node: cst.BaseExpression) -> str:
    """`a.b.c` for a Name/Attribute chain (a call's function for a Call), else ''."""
    if isinstance(node, cst.Call):
        return dotted(node.func)
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        head = dotted(node.value)
        return f"{head}.{node.attr.value}" if head else ""
    return ""


def _last(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _kwarg(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _bool_kwarg(call: cst.Call, name: str) -> bool | None:
    value = _kwarg(call, name)
    if isinstance(value, cst.Name) and value.value in {"True", "False"}:
        return value.value == "True"
    return None


def _unwrap_annotation(node: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(node, cst.SimpleString):
        try:
            return cst.parse_expression(node.evaluated_value)  # type: ignore[arg-type]
        except cst.ParserSyntaxError:
            return node
    return node


def _subscript_args(node: cst.Subscript) -> list[cst.BaseExpression]:
    out: list[cst.BaseExpression] = []
    for element in node.slice:
        if isinstance(element.slice, cst.Index):
            out.append(_unwrap_annotation(element.slice.value))
    return out


def split_optional(node: cst.BaseExpression) -> tuple[cst.BaseExpression | None, bool]:
    """(the non-None part, whether None is allowed) of `X | None`, `Optional[X]`, `X`."""
    node = _unwrap_annotation(node)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        parts = [node.left, node.right]
        rest = [p for p in parts if not (isinstance(p, cst.Name) and p.value == "None")]
        if len(rest) == 1:
            inner, optional = split_optional(rest[0])
            return inner, True if len(rest) < len(parts) else optional
        return None, True
    if isinstance(node, cst.Subscript):
        head = _last(dotted(node.value))
        args = _subscript_args(node)
        if head == "Optional" and len(args) == 1:
            return split_optional(args[0])[0], True
        if head == "Union":
            rest = [a for a in args if not (isinstance(a, cst.Name) and a.value == "None")]
            inner = split_optional(rest[0])[0] if len(rest) == 1 else None
            return inner, len(rest) < len(args)
    return node, False


def _py_kind(node: cst.BaseExpression | None) -> str:
    return _PY_KINDS.get(_last(dotted(node)), "unknown") if node is not None else "unknown"


def _sql_kind(call: cst.Call) -> str:
    for arg in call.args:
        if arg.keyword is None and not isinstance(arg.value, cst.SimpleString):
            return _SQL_KINDS.get(_last(dotted(arg.value)), "unknown")
    return "unknown"


def _mapped_inner(annotation: cst.BaseExpression | None) -> tuple[cst.BaseExpression | None, bool]:
    """The X of `Mapped[X]` (None when not Mapped) and whether X allows None."""
    if annotation is None:
        return None, True
    node = _unwrap_annotation(annotation)
    if isinstance(node, cst.Subscript) and _last(dotted(node.value)) == "Mapped":
        args = _subscript_args(node)
        if len(args) == 1:
            return split_optional(args[0])
    return None, True


def _column_attr(call: cst.Call, annotation: cst.BaseExpression | None, sqlmodel: bool) -> AttrDecl:
    func = _last(dotted(call.func))
    if func == "Field":
        sa_column = _kwarg(call, "sa_column")
        if isinstance(sa_column, cst.Call):
            return _column_attr(sa_column, None, False)
    inner, optional = _mapped_inner(annotation)
    if sqlmodel and annotation is not None:
        inner, optional = split_optional(annotation)
    explicit = _bool_kwarg(call, "nullable")
    if explicit is not None:
        nullable = explicit
    elif _bool_kwarg(call, "primary_key"):
        nullable = False
    elif func == "Column" or (inner is None and not sqlmodel):
        nullable = True
    else:
        nullable = optional
    sql_kind = _sql_kind(call) if func != "Field" else "unknown"
    if sql_kind == "unknown":
        sql_kind = _py_kind(inner)
    return AttrDecl("column", nullable, sql_kind)


def _attr_from_value(
    value: cst.BaseExpression | None, annotation: cst.BaseExpression | None, sqlmodel: bool
) -> AttrDecl:
    if isinstance(value, cst.Call):
        func = _last(dotted(value.func))
        if func == "deferred" and value.args and isinstance(value.args[0].value, cst.Call):
            return _attr_from_value(value.args[0].value, annotation, sqlmodel)
        if func in _COLUMN_CALLS and (func != "Field" or sqlmodel):
            return _column_attr(value, annotation, sqlmodel)
        if func in _RELATIONSHIP_CALLS:
            return AttrDecl("relationship")
        return AttrDecl("other")
    if annotation is None:
        return AttrDecl("other")
    inner, optional = _mapped_inner(annotation)
    if sqlmodel and inner is None:
        if _last(dotted(_unwrap_annotation(annotation))) == "ClassVar":
            return AttrDecl("other")
        inner, optional = split_optional(annotation)
    kind = _py_kind(inner)
    if kind == "unknown":  # Mapped[list[X]], Mapped["Author"], enums...: not provably a column
        return AttrDecl("other")
    return AttrDecl("column", optional, kind)


class _DeclCollector(cst.CSTVisitor):
    """Collects top-level declarations; does not descend into function bodies."""

    def __init__(self) -> None:
        self.decls = FileDecls()

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if isinstance(node.names, cst.ImportStar):
            return False
        module = "." * len(node.relative) + (dotted(node.module) if node.module else "")
        for alias in node.names:
            name = dotted(alias.name)
            local = alias.asname.name if alias.asname else alias.name
            if isinstance(local, cst.Name):
                self.decls.imports[local.value] = (module, name)
        return False

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            name = dotted(alias.name)
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.decls.imports[alias.asname.name.value] = (name, "")
            else:
                head = name.split(".", 1)[0]
                self.decls.imports[head] = (head, "")
        return False

    def visit_Assign(self, node: cst.Assign) -> bool:
        if len(node.targets) == 1 and isinstance(node.value, cst.Call):
            target = node.targets[0].target
            func = _last(dotted(node.value.func))
            if isinstance(target, cst.Name) and func in {"declarative_base", "generate_base"}:
                cls = _kwarg(node.value, "cls")
                self.decls.bases[target.value] = dotted(cls) if cls is not None else ""
        return False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        keywords = {
            arg.keyword.value: dotted(arg.value) or cst.Module([]).code_for_node(arg.value)
            for arg in node.bases
            if arg.keyword is not None
        }
        decl = ClassDecl(
            name=node.name.value,
            bases=[dotted(arg.value) for arg in node.bases if arg.keyword is None],
            keywords=keywords,
            decorators=[dotted(d.decorator) for d in node.decorators],
        )
        sqlmodel = keywords.get("table") == "True" or "SQLModel" in map(_last, decl.bases)
        if isinstance(node.body, cst.IndentedBlock):
            for statement in node.body.body:
                _read_statement(statement, decl, sqlmodel)
        self.decls.classes[decl.name] = decl
        return False


def _read_statement(statement: cst.BaseStatement, decl: ClassDecl, sqlmodel: bool) -> None:
    if isinstance(statement, cst.FunctionDef):
        decl.attrs[statement.name.value] = AttrDecl("other")
        return
    if not isinstance(statement, cst.SimpleStatementLine):
        return
    for small in statement.body:
        value: cst.BaseExpression | None
        annotation: cst.BaseExpression | None
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target, value, annotation = small.targets[0].target, small.value, None
        elif isinstance(small, cst.AnnAssign):
            target, value, annotation = small.target, small.value, small.annotation.annotation
        else:
            continue
        if not isinstance(target, cst.Name):
            continue
        if target.value == "__abstract__":
            decl.abstract = isinstance(value, cst.Name) and value.value == "True"
        if target.value not in _IGNORED:
            decl.attrs[target.value] = _attr_from_value(value, annotation, sqlmodel)


def read_declarations(source: str) -> FileDecls:
    """Parse `source` with LibCST and collect its top-level declarations."""
    collector = _DeclCollector()
    cst.parse_module(source).visit(collector)
    return collector.decls
