"""The LibCST half: what it borrows from LibCST is LibCST's answer, only faster."""

from __future__ import annotations


def test_visitor_methods_listed_once_per_class_match_libcsts() -> None:
    import libcst as cst
    from libcst.metadata import ExpressionContextProvider, ScopeProvider

    from fe_gen.codemods import analyse
    from fe_gen.codemods.rules import ALL_RULES

    class Own(cst.BatchableCSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            pass

    odd = Own()
    odd.leave_Name = lambda node: None  # type: ignore[method-assign]
    rule = ALL_RULES[0].load()
    visitors = [ScopeProvider(), ExpressionContextProvider(), Own(), odd]
    visitors.append(rule.__new__(rule))
    for visitor in visitors * 2:  # the second time from the cache
        expected = cst.BatchableCSTVisitor.get_visitors(visitor)
        with analyse._visitor_methods_listed_once():
            assert visitor.get_visitors() == expected
    assert cst.BatchableCSTVisitor.get_visitors is analyse._GET_VISITORS
