"""What one file declares, read with the stdlib parser: imports, bases, class spans.

The models index asks for a file's outline once, then for the classes it needs; a class
body is parsed with LibCST (`model_decls`) only when asked for.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Literal

from fe_gen.codemods.fileio import split_lines

# "code": a method, a property or a hybrid defined by `def` in the class body, whose
# value Python computes (FE101 has no filter to move when a condition reads only these)
AttrKind = Literal["column", "relationship", "code", "other"]


@dataclass(frozen=True)
class AttrDecl:
    """One class-body attribute: a column (with nullability and kind), a relationship (with
    its target class as written, whether it holds a list, and its configured loading), code
    (a method, property or hybrid), or something else."""

    kind: AttrKind
    nullable: bool = True
    sql_kind: str = "unknown"
    unique: bool = False  # a primary key, or `unique=True`: no two rows share a value
    target: str = ""  # a relationship's class, as written (`"Author"`, `models.Author`)
    uselist: bool | None = None  # None: the direction decides, and fe-gen cannot tell
    lazy: str | None = "select"  # the `lazy=` strategy; None when it is not a literal
    primary: bool = False  # `primary_key=True`


@dataclass
class ClassDecl:
    """A class statement as written: base expressions, keywords, decorators, attributes."""

    name: str
    bases: list[str]
    keywords: dict[str, str]
    decorators: list[str]
    attrs: dict[str, AttrDecl] = field(default_factory=dict)
    abstract: bool = False
    # field -> (the class a field holds, as written; whether it holds several), for the
    # fields annotated with a class name (`author: AuthorRead`, `books: list["BookRead"]`)
    holds: dict[str, tuple[str, bool]] = field(default_factory=dict)


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
    tree = parse_tolerant(text)
    if tree is None:
        return None
    decls = FileDecls(lines=split_lines(text))
    for statement in tree.body:
        _outline_statement(statement, decls)
    return decls


def parse_tolerant(text: str) -> ast.Module | None:
    """`ast.parse(text)`; when the running Python refuses it (the syntax of a newer Python:
    PEP 695 type parameters, PEP 701 f-strings, PEP 758 `except A, B:`), the top-level
    statements it can parse one by one, at their own lines; None when there are none.

    The models of such a file are usually plain classes: the index still finds them.
    """
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError):
        pass
    lines = split_lines(text)
    body: list[ast.stmt] = []
    for begin, end in _top_level_spans(lines):
        try:
            chunk = ast.parse("".join(lines[begin:end]))
        except (SyntaxError, ValueError):
            continue
        ast.increment_lineno(chunk, begin)
        body.extend(chunk.body)
    return ast.Module(body=body, type_ignores=[]) if body else None


_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b|[)\]}]")


def _top_level_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(first, past-last) line indexes of what look like top-level statements: each starts
    at column 0, with the decorators above a definition. A wrong guess (a string's line at
    column 0) only makes a span that fails to parse, and is left out."""
    starts: list[int] = []
    decorated = False
    for index, line in enumerate(lines):
        if not line[:1] or line[:1] in " \t\r\n#" or _CONTINUES.match(line):
            continue
        if not decorated:
            starts.append(index)
        decorated = line.startswith("@")
    return list(zip(starts, [*starts[1:], len(lines)], strict=True))


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
