"""fastvisit's read-only walk makes the calls LibCST's own traversal makes, in its order."""

from __future__ import annotations

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ScopeProvider

from fe_gen.codemods.fastvisit import read_only_visits

SOURCE = '''\
from . import a as b
from x import (y, z)
from w import *
import os.path

def f[T](x: int = 1, *args, **kw) -> list[T]:
    """Doc."""
    global g
    return [i for i in x if i.name == f"{x!r:>{10}} {y}"] or {k: v for k, v in kw.items()}

def skip():
    hidden = 1

class C(Base, metaclass=M):
    a: int = 1

    async def m(self):
        async with s as t:
            async for r in t:
                await r
        lambda q: q(self.a)[0]
        match x:
            case [1, *rest]:
                pass
            case {"k": v} if v:
                pass

try:
    pass
except* E as e:
    raise
'''


class _Plain(cst.CSTVisitor):
    """Callbacks by name, as the rules' own visitors have them."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.events.append(("visit_Name", node.value))

    def leave_Name(self, original_node: cst.Name) -> None:
        self.events.append(("leave_Name", original_node.value))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.events.append(("visit_FunctionDef", node.name.value))
        return node.name.value != "skip"

    def visit_Call_func(self, node: cst.Call) -> None:
        self.events.append(("visit_Call_func", type(node.func).__name__))

    def leave_Call_args(self, original_node: cst.Call) -> None:
        self.events.append(("leave_Call_args", str(len(original_node.args))))


class _Everything(cst.CSTVisitor):
    """Overrides the dispatch itself: sees every node and every field."""

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("on_visit", type(node).__name__))
        return not isinstance(node, cst.Lambda)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.events.append(("on_visit_attribute", attribute))

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        self.events.append(("on_leave_attribute", attribute))

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("on_leave", type(original_node).__name__))


class _Batched(cst.BatchableCSTVisitor):
    METADATA_DEPENDENCIES = (ScopeProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.events: list[tuple[str, str]] = []

    def visit_Name(self, node: cst.Name) -> None:
        scope = self.get_metadata(ScopeProvider, node, None)
        self.events.append((node.value, type(scope).__name__))

    def visit_Attribute_attr(self, node: cst.Attribute) -> None:
        self.events.append(("visit_Attribute_attr", node.attr.value))


@pytest.mark.parametrize("visitor", [_Plain, _Everything], ids=["by-name", "own-dispatch"])
def test_same_calls_as_libcst(visitor: type[_Plain] | type[_Everything]) -> None:
    module = cst.parse_module(SOURCE)
    expected, walked = visitor(), visitor()
    module.visit(expected)
    with read_only_visits():
        assert module.visit(walked) is module
    assert walked.events == expected.events
    assert len(expected.events) > 20


def test_batched_visit_and_scopes_as_libcst() -> None:
    expected, walked = _Batched(), _Batched()
    MetadataWrapper(cst.parse_module(SOURCE)).visit_batched([expected])
    with read_only_visits():
        MetadataWrapper(cst.parse_module(SOURCE)).visit_batched([walked])
    assert walked.events == expected.events
    assert ("hidden", "FunctionScope") in walked.events


def test_transformers_keep_libcsts_traversal() -> None:
    class Rename(cst.CSTTransformer):
        def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
            return updated_node.with_changes(value=updated_node.value.upper())

    module = cst.parse_module("x = y\n")
    with read_only_visits():
        assert module.visit(Rename()).code == "X = Y\n"
