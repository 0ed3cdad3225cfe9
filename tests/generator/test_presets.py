"""The presets the generated config and README render from one list (presets.py)."""

from __future__ import annotations

import ast

from fe_gen.generator.presets import ENVIRONMENTS, PRESETS, presets_literal, presets_table


def test_every_environment_sets_every_preset() -> None:
    presets = ast.literal_eval(presets_literal())
    assert list(presets) == list(ENVIRONMENTS)
    for environment in ENVIRONMENTS:
        assert list(presets[environment]) == [each.setting for each in PRESETS]


def test_the_table_has_a_row_per_setting() -> None:
    rows = presets_table().splitlines()
    assert rows[0] == "| Setting | `development` | `production` | `high-traffic` | |"
    assert rows[2] == (
        "| `POOL_SIZE` | 5 | 20 | 40 | PostgreSQL connections each process keeps open |"
    )
    assert len(rows) == 2 + len(PRESETS)
