"""Rows handed to a function of the project: which columns does that function read?

FE102 follows a row one level: `describe(a)` where `describe` is a module-level function
of the same module or of a module the code imports, read with the stdlib parser from the
file's text. The parameter that receives the row must be used only to read known columns
(`p.name`), and nothing read from it may reach code fe-gen cannot see, exactly as in the
loop itself; anything else (the row returned, stored, passed on, read in a nested
function, `getattr`, a decorator that may wrap the function) is an escape fe-gen cannot
follow, and the answer is None.
"""

from __future__ import annotations

import ast
import builtins

from fe_gen.codemods.models_index import ModelInfo

_BUILTINS = set(dir(builtins)) - {"getattr", "setattr", "delattr", "vars", "eval", "exec"}
_PURE_METHODS = {"append", "add", "extend", "update", "setdefault", "get", "format", "join"}
_PURE_METHODS |= {"lower", "upper", "strip", "isoformat", "startswith", "endswith", "split"}
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)

Function = ast.FunctionDef | ast.AsyncFunctionDef


def parameter(function: Function, position: int | None, keyword: str | None) -> str | None:
    """The name of the parameter a call's argument binds (by position or keyword)."""
    args = function.args
    if function.decorator_list:
        return None  # a decorator may wrap the function and use the row its own way
    positional = [*args.posonlyargs, *args.args]
    if keyword is not None:
        names = [a.arg for a in [*args.args, *args.kwonlyargs]]
        return keyword if keyword in names else None
    if position is not None and position < len(positional):
        return positional[position].arg
    return None


def columns_read(function: Function, name: str, model: ModelInfo) -> set[str] | None:
    """The columns of `model` the function reads of its parameter `name`; None when the
    parameter is used any other way."""
    used: set[str] = set()
    for node in _walk(function.body):
        if isinstance(node, _SCOPES) and _mentions(node, name):
            return None
        if isinstance(node, ast.Call) and not _known(node):
            values = [*node.args, *(k.value for k in node.keywords)]
            if any(_mentions(v, name) for v in values) or _receiver_is(node, name):
                return None  # `delete_file(p.id)`, `p.method()`: unknown code
        if isinstance(node, ast.Name) and node.id == name:
            return None  # bare: returned, stored, passed on, compared whole
        if isinstance(node, ast.Attribute) and _is(node.value, name):
            if not isinstance(node.ctx, ast.Load) or model.column(node.attr) is None:
                return None
            used.add(node.attr)
    return used


def _walk(body: list[ast.stmt]) -> list[ast.AST]:
    """Every node of the body, not descending into `p` of a `p.attr` (so a bare `p` is
    found on its own), nor into nested scopes (reported by the caller as a whole)."""
    found: list[ast.AST] = []
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        found.append(node)
        if isinstance(node, _SCOPES):
            continue
        children = list(ast.iter_child_nodes(node))
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            children = []
        stack.extend(reversed(children))
    return found


def _known(call: ast.Call) -> bool:
    """A call that cannot look an object up: a builtin, a container's or a string's method."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr in _PURE_METHODS
    return isinstance(func, ast.Name) and func.id in _BUILTINS


def _receiver_is(call: ast.Call, name: str) -> bool:
    func = call.func
    return isinstance(func, ast.Attribute) and _is(func.value, name)


def _is(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _mentions(node: ast.AST, name: str) -> bool:
    return any(_is(child, name) for child in ast.walk(node))
