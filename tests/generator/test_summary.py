"""The summary of `fe-gen new`: repeated notes become one line."""

from __future__ import annotations

import pytest

from fe_gen.generator.render import _grouped


@pytest.mark.parametrize(
    ("notes", "lines"),
    [
        pytest.param(["A.x: opaque"], ["A.x: opaque"], id="one"),
        pytest.param(
            ["A.x: opaque", "B.y: opaque", "C.z: opaque", "D.w: opaque", "E.v: other"],
            ["A.x, B.y, C.z and 1 more: opaque", "E.v: other"],
            id="same-message-at-many-places",
        ),
        pytest.param(
            ["no write tests for X: a reason", "the models read settings: ..."],
            ["no write tests for X: a reason", "the models read settings: ..."],
            id="notes-about-no-attribute-stay",
        ),
    ],
)
def test_notes_are_grouped_by_message(notes: list[str], lines: list[str]) -> None:
    assert _grouped(notes) == lines
