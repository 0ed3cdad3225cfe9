"""Tiny builders for the SQLAlchemy expressions a fix writes (LibCST nodes, no strings)."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

_ATOMIC = (
    cst.Name, cst.Attribute, cst.Call, cst.Subscript, cst.SimpleString, cst.ConcatenatedString,
    cst.FormattedString, cst.Integer, cst.Float, cst.Imaginary, cst.List, cst.Set, cst.Dict,
    cst.UnaryOperation, cst.BinaryOperation, cst.Ellipsis,
)  # fmt: skip
_OPERATORS: dict[str, type[cst.BaseCompOp]] = {
    "==": cst.Equal,
    "!=": cst.NotEqual,
    "<": cst.LessThan,
    "<=": cst.LessThanEqual,
    ">": cst.GreaterThan,
    ">=": cst.GreaterThanEqual,
}


def column(entity: cst.BaseExpression, attr: str) -> cst.Attribute:
    """`Entity.attr`, with a fresh copy of the entity expression."""
    return cst.Attribute(value=entity.deep_clone(), attr=cst.Name(attr))


def grouped(value: cst.BaseExpression) -> cst.BaseExpression:
    """`value`, parenthesised unless it binds tighter than a comparison already."""
    if value.lpar or isinstance(value, _ATOMIC):
        return value
    if isinstance(value, cst.Tuple):
        return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
    return value.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def compare(left: cst.BaseExpression, operator: str, right: cst.BaseExpression) -> cst.Comparison:
    target = cst.ComparisonTarget(operator=_OPERATORS[operator](), comparator=grouped(right))
    return cst.Comparison(left=left, comparisons=[target])


def args(values: Sequence[cst.BaseExpression]) -> list[cst.Arg]:
    """Positional arguments separated by `, `."""
    out = []
    for index, value in enumerate(values):
        last = index == len(values) - 1
        comma = (
            cst.MaybeSentinel.DEFAULT
            if last
            else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
        out.append(cst.Arg(value=value, comma=comma))
    return out


def call(
    func: cst.BaseExpression, *values: cst.BaseExpression, **keywords: cst.BaseExpression
) -> cst.Call:
    arguments = args(values)
    for name, value in keywords.items():
        if arguments:
            arguments[-1] = arguments[-1].with_changes(
                comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            )
        arguments.append(
            cst.Arg(
                value=value,
                keyword=cst.Name(name),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
        )
    return cst.Call(func=func, args=arguments)


def method(
    receiver: cst.BaseExpression, name: str, *values: cst.BaseExpression, **kw: cst.BaseExpression
) -> cst.Call:
    return call(cst.Attribute(value=receiver, attr=cst.Name(name)), *values, **kw)


def name(value: str) -> cst.Name:
    return cst.Name(value)


def invert(value: cst.BaseExpression) -> cst.UnaryOperation:
    return cst.UnaryOperation(operator=cst.BitInvert(), expression=value)


def append_call(
    receiver: cst.BaseExpression,
    method_name: str,
    values: Sequence[cst.BaseExpression],
    dot: cst.Dot | None = None,
) -> cst.Call:
    """`receiver.method_name(*values)`, reusing `dot` (its line break) when given."""
    attribute = cst.Attribute(value=receiver, attr=cst.Name(method_name), dot=dot or cst.Dot())
    return cst.Call(func=attribute, args=args(values))
