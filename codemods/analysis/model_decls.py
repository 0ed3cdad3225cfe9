"""Read one class statement: its bases, keywords, decorators and attributes (with LibCST).

This is the static half of the models index: no user code is imported, only parsed.
Resolving a class's bases across files, and so deciding whether it is mapped, is
`models_index`'s job.
"""

from __future__ import annotations

import libcst as cst

from fe_gen.codemods.analysis.decls import AttrDecl, ClassDecl

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
            name = _last(dotted(arg.value))
            return "key" if name == "ForeignKey" else _SQL_KINDS.get(name, "unknown")
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
    if sql_kind in {"unknown", "key"} and _py_kind(inner) != "unknown":
        sql_kind = _py_kind(inner)  # the annotation says more than a bare ForeignKey
    primary = bool(_bool_kwarg(call, "primary_key"))
    unique = primary or bool(_bool_kwarg(call, "unique"))
    return AttrDecl("column", nullable, sql_kind, unique, primary=primary)


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
            return _relationship_attr(value, func, annotation, sqlmodel)
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


_COLLECTIONS = {"list", "List", "set", "Set", "Sequence", "MutableSequence", "Collection"}
_COLLECTIONS |= {"WriteOnlyMapped", "DynamicMapped", "dict", "Dict", "MutableSet", "FrozenSet"}
_LAZY_CONSTANTS = {"True": "select", "False": "joined", "None": "noload"}


def _relationship_attr(
    call: cst.Call, func: str, annotation: cst.BaseExpression | None, sqlmodel: bool
) -> AttrDecl:
    """A relationship: its target, whether it holds a collection, how it loads."""
    target_expr = _kwarg(call, "argument")
    if target_expr is None and call.args and call.args[0].keyword is None and not call.args[0].star:
        target_expr = call.args[0].value
    target = _target_name(target_expr)
    uselist = _bool_kwarg(call, "uselist")
    kind_of = _annotated_target(annotation, sqlmodel)
    if kind_of is not None:
        annotated, many = kind_of
        target = target or annotated
        uselist = many if uselist is None else uselist
    if uselist is None and _kwarg(call, "secondary") is not None:
        uselist = True
    lazy: str | None = "dynamic" if func == "dynamic_loader" else _lazy(_kwarg(call, "lazy"))
    if _kwarg(call, "lazy") is None and any(arg.star == "**" for arg in call.args):
        lazy = None  # `relationship(**EAGER)`: the mapping may set it
    extra = _kwarg(call, "sa_relationship_kwargs")
    if extra is not None:
        lazy = _lazy(_dict_item(extra, "lazy")) if isinstance(extra, cst.Dict) else None
    return AttrDecl("relationship", target=target, uselist=uselist, lazy=lazy)


def _target_name(node: cst.BaseExpression | None) -> str:
    if isinstance(node, cst.Lambda):
        node = node.body
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return value if isinstance(value, str) and value.replace(".", "").isidentifier() else ""
    return dotted(node) if isinstance(node, cst.Name | cst.Attribute) else ""


def _annotated_target(
    annotation: cst.BaseExpression | None, sqlmodel: bool
) -> tuple[str, bool] | None:
    """(target, is a collection) from `Mapped[list["B"]]`, `Mapped["B | None"]`, SQLModel's
    bare `list["B"]`; None when the annotation says nothing."""
    if annotation is None:
        return None
    node = _unwrap_annotation(annotation)
    if isinstance(node, cst.Subscript) and _last(dotted(node.value)) == "Mapped":
        args = _subscript_args(node)
        node = args[0] if len(args) == 1 else node
    elif not sqlmodel:
        return None
    inner, _ = split_optional(node)
    if isinstance(inner, cst.Subscript):
        head = _last(dotted(inner.value))
        args = _subscript_args(inner)
        if head in _COLLECTIONS and args:
            return _target_name(split_optional(args[-1])[0]), True
        return None
    return (_target_name(inner), False) if inner is not None else None


def _lazy(value: cst.BaseExpression | None) -> str | None:
    if value is None:
        return "select"
    if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
        return value.evaluated_value
    if isinstance(value, cst.Name):
        return _LAZY_CONSTANTS.get(value.value)
    return None


def _dict_item(node: cst.Dict, key: str) -> cst.BaseExpression | None:
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            return cst.Name("unknown")  # `**other`: it may set anything
        if isinstance(element.key, cst.SimpleString) and element.key.evaluated_value == key:
            return element.value
    return None


def _declared_relationship(function: cst.FunctionDef) -> AttrDecl:
    """A `@declared_attr` method that returns `relationship(...)`: the relationship; any
    other method (a property, a hybrid) is code."""
    if not any(
        _last(dotted(d.decorator)) in {"declared_attr", "cascading"} for d in function.decorators
    ):
        return AttrDecl("code")
    returns: list[cst.BaseExpression | None] = []

    class _Returns(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            returns.append(node.value)

    function.body.visit(_Returns())
    value = returns[0] if len(returns) == 1 else None
    annotation = function.returns.annotation if function.returns is not None else None
    if isinstance(value, cst.Call) and _last(dotted(value.func)) in _RELATIONSHIP_CALLS:
        return _relationship_attr(value, _last(dotted(value.func)), annotation, False)
    return AttrDecl("other")


def _class_decl(node: cst.ClassDef) -> ClassDecl:
    keywords = {
        arg.keyword.value: dotted(arg.value) or cst.Module([]).code_for_node(arg.value)
        for arg in node.keywords
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
    return decl


def _read_statement(statement: cst.BaseStatement, decl: ClassDecl, sqlmodel: bool) -> None:
    if isinstance(statement, cst.FunctionDef):
        decl.attrs[statement.name.value] = _declared_relationship(statement)
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
        if annotation is not None and target.value not in _IGNORED:
            held = _annotated_target(annotation, sqlmodel=True)
            if held is not None and held[0]:
                decl.holds[target.value] = held


def read_class(source: str) -> ClassDecl | None:
    """Parse one top-level class statement with LibCST and read its declarations."""
    module = cst.parse_module(source)
    node = module.body[0] if len(module.body) == 1 else None
    return _class_decl(node) if isinstance(node, cst.ClassDef) else None
