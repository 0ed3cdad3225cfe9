"""What one file declares, read with the stdlib parser: imports, bases, class spans.

The models index asks for a file's outline once, then for the classes it needs; a class
body is parsed with LibCST (`model_decls`) only when asked for.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

from fe_gen.codemods.fileio import split_lines

AttrKind = Literal["column", "relationship", "other"]


@dataclass(frozen=True)
class AttrDecl:
    """One class-body attribute: a column (with nullability and kind) or something else."""

    kind: AttrKind
    nullable: bool = True
    sql_kind: str = "unknown"
    unique: bool = False  # a primary key, or `unique=True`: no two rows share a value


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
    """Top-level imports, declarative-base assignments and class spans of one file.

    The outline comes from the stdlib parser; a class's body is parsed with LibCST only
    when a lookup asks for that class.
    """

    lines: list[str] = field(default_factory=list)
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    imports: dict[str, tuple[str, str]] = field(default_factory=dict)  # local -> (module, name)
    bases: dict[str, str] = field(default_factory=dict)  # `Base = declarative_base(cls=X)`
    _classes: dict[str, ClassDecl | None] = field(default_factory=dict)

    def cls(self, name: str) -> ClassDecl | None:
        if name not in self.spans:
            return None
        if name not in self._classes:
            import libcst as cst

            from fe_gen.codemods.analysis.model_decls import read_class

            first, last = self.spans[name]
            try:
                self._classes[name] = read_class("".join(self.lines[first - 1 : last]))
            except cst.ParserSyntaxError:
                self._classes[name] = None
        return self._classes[name]


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        return _dotted(node.func)
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _dotted(node.value)
        return f"{head}.{node.attr}" if head else ""
    return ""


def _outline_statement(statement: ast.stmt, decls: FileDecls) -> None:
    if isinstance(statement, ast.ImportFrom):
        module = "." * statement.level + (statement.module or "")
        for alias in statement.names:
            decls.imports[alias.asname or alias.name] = (module, alias.name)
    elif isinstance(statement, ast.Import):
        for alias in statement.names:
            local = alias.asname or alias.name.split(".", 1)[0]
            decls.imports[local] = (alias.name if alias.asname else local, "")
    elif isinstance(statement, ast.Assign) and isinstance(statement.value, ast.Call):
        func = _dotted(statement.value.func).rsplit(".", 1)[-1]
        target = statement.targets[0] if len(statement.targets) == 1 else None
        if isinstance(target, ast.Name) and func in {"declarative_base", "generate_base"}:
            cls = next((k.value for k in statement.value.keywords if k.arg == "cls"), None)
            decls.bases[target.id] = _dotted(cls) if cls is not None else ""
    elif isinstance(statement, ast.ClassDef):
        first = min([statement.lineno, *(d.lineno for d in statement.decorator_list)])
        decls.spans[statement.name] = (first, statement.end_lineno or statement.lineno)
    elif isinstance(statement, ast.If | ast.Try):
        for inner in [*statement.body, *statement.orelse]:
            _outline_statement(inner, decls)


def outline(text: str) -> FileDecls | None:
    """A file's FileDecls, or None when it does not parse."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    decls = FileDecls(lines=split_lines(text))
    for statement in tree.body:
        _outline_statement(statement, decls)
    return decls


_ENDS_QUERY = {"limit", "offset", "distinct", "group_by", "all", "first", "one", "scalar"}


def is_query(value: ast.expr | None) -> bool:
    """`session.query(M)...` or `select(M)...`, not yet run nor limited."""
    while isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute):
        if value.func.attr in _ENDS_QUERY:
            return False
        if value.func.attr == "query" and value.args:
            return True
        value = value.func.value
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "select"
    )
