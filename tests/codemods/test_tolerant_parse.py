"""Reading a file the running Python can't parse whole: its top-level statements one by one."""

from __future__ import annotations

import ast

from fe_gen.codemods.analysis.decls import parse_tolerant

SOURCE = """\
import sqlalchemy as sa


def first[T](items: list[T]) -> T:
    return items[0]


@decorated
class User(Base):
    name = sa.Column(sa.String)


def safe(f):
    try:
        return f()
    except KeyError, ValueError:
        return None
    finally:
        pass


if True:
    x = 1
else:
    x = 2
"""


def test_the_statements_it_can_parse_keep_their_lines() -> None:
    tree = parse_tolerant(SOURCE)
    assert tree is not None
    found = [(type(node).__name__, node.lineno) for node in tree.body]
    try:  # Python 3.14 parses the file whole, `first` and `safe` too
        ast.parse(SOURCE)
    except SyntaxError:
        assert found == [("Import", 1), ("ClassDef", 9), ("If", 22)]
    else:
        assert found == [
            ("Import", 1),
            ("FunctionDef", 4),
            ("ClassDef", 9),
            ("FunctionDef", 13),
            ("If", 22),
        ]
    user = next(node for node in tree.body if isinstance(node, ast.ClassDef))
    assert [ast.unparse(d) for d in user.decorator_list] == ["decorated"]


def test_nothing_parseable_is_none() -> None:
    assert parse_tolerant("def (:\n") is None
