"""`make bench` judges each figure against DESIGN.md's budget as written there."""

import pytest

from bench.table import as_row, within_budget


@pytest.mark.parametrize(
    ("ours", "baseline", "budget", "unit", "verdict"),
    [
        (0.149, None, "≤ 150 ms", "s", True),
        (0.151, None, "≤ 150 ms", "s", False),
        (1.9, 1.0, "≤ 2 s", "s", True),
        (2.1, 1.0, "≤ 2 s", "s", False),
        (0.4, 2.0, "≤ 0.25×", "s", True),
        (0.6, 2.0, "≤ 0.25×", "s", False),
        (0.4, 0.5, "≤ 0.5 s and ≤ 1.0×", "s", True),
        (0.4, 0.3, "≤ 0.5 s and ≤ 1.0×", "s", False),
        (140.0, 4000.0, "≤ 150 KB", "KB", True),
        (520.0, 300.0, "≤ 500 MB", "MB", False),
        (0, 0, "≤ 0", "count", True),
        (3, 0, "≤ 0", "count", False),
        (1.0, 2.0, "reported", "s", None),
    ],
)
def test_within_budget(ours, baseline, budget, unit, verdict):
    assert within_budget(ours, baseline, budget, unit) is verdict


def test_row_has_every_field_of_bench_json():
    row = as_row("x", 0.2, 0.4, "naive", "≤ 0.25×")
    assert row == {
        "name": "x",
        "unit": "s",
        "ours": 0.2,
        "baseline": 0.4,
        "baseline_name": "naive",
        "ratio": 0.5,
        "budget": "≤ 0.25×",
        "within_budget": False,
    }
