"""Integer codes of a return's key columns: distinct values and first rows found by sorting
codes, never by hashing a million labels (free for the reader's categoricals)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.keys import first_positions


def codes_of(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes and distinct values of a column (free for a categorical)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), np.asarray(column.cat.categories, dtype=object)
    codes, uniques = pd.factorize(column)
    return codes, np.asarray(uniques, dtype=object)


def distinct_rows(rows: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """The first row of each distinct combination of a few key columns, in file order, as
    ``rows.drop_duplicates(cols)`` gives them, found from integer codes (a few MB for a
    million rows, where drop_duplicates hashes every row's values)."""
    key = np.zeros(len(rows), dtype=np.int64)
    for c in cols:
        codes, uniques = codes_of(rows[c])
        key = key * (len(uniques) + 1) + (codes.astype(np.int64) + 1)  # +1: NaN's code is -1
    return rows.iloc[first_positions(key)]
