"""Distinct integer keys of a return's rows (data/keys.py): counted into an array when their
range is small, sorted otherwise; either way the answer numpy.unique gives, for keys dense and
sparse, negative (a missing code is -1), repeated, or none."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from data import keys
from data.intake.cells import blank_cells

# small ranges take the counting path, keys up to 2**40 the sorting one
KEYS = st.one_of(
    st.lists(st.integers(-1, 50), max_size=300),
    st.lists(st.integers(-(2**40), 2**40), max_size=300),
).map(lambda v: np.array(v, dtype=np.int64))


@settings(max_examples=300, deadline=None)
@given(KEYS)
def test_first_positions_are_where_each_key_first_occurs(key):
    expected = np.sort(np.unique(key, return_index=True)[1])
    assert keys.first_positions(key).tolist() == expected.tolist()
    first = keys.first_of_equal(key)
    assert first.tolist() == [k not in key[:i] for i, k in enumerate(key.tolist())]


@settings(max_examples=300, deadline=None)
@given(KEYS)
def test_distinct_is_numpys_unique(key):
    assert keys.distinct(key).tolist() == np.unique(key).tolist()


def test_both_paths_are_taken():
    """The counting path for codes (a range about as long as the keys), sorting for a range
    far wider than the keys: each path is what the property tests above exercise."""
    assert keys._dense_range(np.array([3, 900, 3])) == (3, 898)
    assert keys._dense_range(np.array([0, 2**40])) is None
    assert keys._dense_range(np.array([0.5, 1.0])) is None  # not integers: sorted


def test_blank_cells_look_at_each_kind_of_cell():
    import pandas as pd

    col = pd.Series(["", " ", "—", "无", "5", 0.0, float("nan"), None, 3, "x", pd.NaT, "－"])
    assert blank_cells(col).tolist() == [
        True, True, True, True, False, False, True, True, False, False, True, True,
    ]  # fmt: skip
