"""The warnings a return gets against each region's own history (the stored values and the
file's earlier quarters): outliers by a robust z-score, unit slips (万人 written as 人) and
implausible jumps of a stock. Vectorised on integer keys, run over blocks of whole region ×
indicator groups, so a large return costs a few sorts and bounded memory."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.intake.frames import codes_of
from data.intake.problems import Problem
from data.reference import indicators, periods

HISTORY_QUARTERS = 8  # quarters of a region's own history used by the robust rules
MIN_HISTORY = 4
OUTLIER_Z = 5.0  # robust z on log(1 + x): |x - median| / (IQR / 1.349), scale floored below
MAD_FLOOR = 0.15
UNIT_SLIP = 5_000  # value / typical value beyond this (or below its inverse): 万人 vs 人
STOCK_JUMP = 0.15  # a stock changing more than 15% in one quarter


def window_quantiles(
    values: np.ndarray, ends: np.ndarray, qs: tuple[float, ...]
) -> tuple[dict[float, np.ndarray], np.ndarray]:
    """Quantiles (linear interpolation, NaN ignored) of the HISTORY_QUARTERS values ending at
    each index in ``ends``, and how many values each window holds; NaN where fewer than
    MIN_HISTORY. The same numbers as pandas' rolling quantile with min_periods, computed only
    at the windows asked for, from one sort of a (windows x HISTORY_QUARTERS) array."""
    w = HISTORY_QUARTERS
    ext = np.concatenate([np.full(w - 1, np.nan), values])
    view = np.lib.stride_tricks.sliding_window_view(ext, w)
    out = {q: np.empty(len(ends)) for q in qs}
    count = np.empty(len(ends), dtype=np.int64)
    for lo_i in range(0, len(ends), 65_536):  # in blocks: a few MB at a time
        part = slice(lo_i, lo_i + 65_536)
        win = view[ends[part]]
        ordered = np.sort(win, axis=1)  # NaN sorts last
        n = np.sum(~np.isnan(win), axis=1)
        top = np.maximum(n - 1, 0)
        for q in qs:
            pos = q * top
            lo = np.floor(pos).astype(np.int64)
            hi = np.minimum(lo + 1, top)
            a = np.take_along_axis(ordered, lo[:, None], axis=1)[:, 0]
            b = np.take_along_axis(ordered, hi[:, None], axis=1)[:, 0]
            v = a + (pos - lo) * (b - a)
            v[n < MIN_HISTORY] = np.nan
            out[q][part] = v
        count[part] = n
    return out, count


HISTORY_BLOCK = 131_072  # observations per block of whole groups (bounds the arrays' memory)


def _history_keys(rows: pd.DataFrame, history: pd.DataFrame):
    """Integer keys of the stored history followed by the file's rows: group (region x
    indicator) code, period rank in string order (2016 < 2016Q1 < ...), values, and the
    indicator codes with their names."""
    cols = ["region_code", "indicator", "period"]
    if len(history):  # keys as plain objects on both sides (the file's are categoricals)
        keyed = {
            c: pd.factorize(
                np.concatenate([history[c].to_numpy(dtype=object), rows[c].to_numpy(dtype=object)])
            )
            for c in cols
        }
        keyed = {c: (codes, np.asarray(u, dtype=object)) for c, (codes, u) in keyed.items()}
        values = np.concatenate([history.value.to_numpy(float), rows.value.to_numpy(float)])
    else:
        keyed = {c: codes_of(rows[c]) for c in cols}
        values = rows.value.to_numpy(dtype=float)
    (r_codes, _), (i_codes, i_uni), (p_codes, p_uni) = (keyed[c] for c in cols)
    p_sorted = sorted(p_uni)
    rank_of = {p: k for k, p in enumerate(p_sorted)}
    # 32-bit keys while group x period ranks fit (they do for any real return): half the
    # memory of the sorts below
    n_groups = (int(r_codes.max()) + 1) * len(i_uni) if len(r_codes) else 0
    key_type = np.int32 if n_groups * (len(p_sorted) + 1) < 2**31 else np.int64
    p_rank = np.array([rank_of[p] for p in p_uni], dtype=key_type)[p_codes]
    prev_rank_of_rank = np.array(
        [rank_of.get(periods.shift(p, -1), -1) for p in p_sorted], dtype=key_type
    )
    gid = r_codes.astype(key_type) * key_type(len(i_uni)) + i_codes.astype(key_type)
    return gid, p_rank, len(p_sorted), prev_rank_of_rank, values, i_uni


def history_warnings(rows: pd.DataFrame, history: pd.DataFrame) -> list[Problem]:
    """Robust per-region rules against the region's own previous observations (the stored
    history plus the file's own earlier periods): the centre is the rolling median of
    log(1 + x) over the last HISTORY_QUARTERS values and the scale the rolling interquartile
    range / 1.349 (a robust sigma, floored at MAD_FLOOR). Stocks are compared with the previous
    quarter.

    Vectorised on integer keys and run over blocks of whole region x indicator groups, so a
    100,000-row return costs a few sorts of integer arrays and bounded memory."""
    if rows.empty:
        return []
    n_hist = len(history)
    gid, p_rank, n_p, prev_rank_of_rank, values, i_uni = _history_keys(rows, history)
    key = gid * gid.dtype.type(n_p) + p_rank
    order = np.argsort(key, kind="stable").astype(gid.dtype)
    del key
    sorted_gid, sorted_rank = gid[order], p_rank[order]
    del gid, p_rank
    start = np.flatnonzero(
        np.r_[True, (sorted_gid[1:] != sorted_gid[:-1]) | (sorted_rank[1:] != sorted_rank[:-1])]
    )
    # one observation per key: the last (the file's value over the stored one) ...
    last = np.r_[start[1:] - 1, len(order) - 1]
    e_gid, e_rank = sorted_gid[start], sorted_rank[start]
    del sorted_gid, sorted_rank
    e_val = values[order[last]]
    del values
    # ... reported once, on the key's first row in the file (-1: no row in the file)
    n = len(order)
    candidate = np.where(order >= n_hist, np.arange(n, dtype=order.dtype), n)
    first = np.minimum.reduceat(candidate, start)
    file_row = np.where(first < n, order[np.minimum(first, n - 1)] - n_hist, -1)
    del candidate, first, order, start, last
    kind_of = {i.code: i.kind for i in indicators.INDICATORS}
    kinds = np.array([kind_of.get(c, "") for c in i_uni], dtype=object)
    value = rows.value.to_numpy(dtype=float)
    found: dict[str, list] = {"stock_slip": [], "stock_jump": [], "flow_slip": [], "outlier": []}
    new = np.r_[True, e_gid[1:] != e_gid[:-1]]
    group_starts = np.flatnonzero(new)
    a = 0
    while a < len(e_gid):
        # the block ends at the first group start past a + HISTORY_BLOCK (whole groups)
        k = np.searchsorted(group_starts, a + HISTORY_BLOCK, side="left")
        b = int(group_starts[k]) if k < len(group_starts) else len(e_gid)
        _history_block(
            slice(a, b),
            e_gid,
            e_rank,
            e_val,
            new,
            file_row,
            value,
            kinds,
            len(i_uni),
            prev_rank_of_rank,
            found,
        )
        a = b
    out = []
    for name, rule in (
        ("stock_slip", "unit_slip"),
        ("stock_jump", "stock_jump"),
        ("flow_slip", "unit_slip"),
        ("outlier", "outlier"),
    ):
        for row, params in sorted(found[name], key=lambda t: t[0]):
            out.append(_warn(rows.iloc[row], rule, **params))
    return out


def _history_block(
    part, e_gid, e_rank, e_val, new, file_row, value, kinds, n_ind, prev_rank_of_rank, found
) -> None:
    """The rules for one block of whole groups (see history_warnings)."""
    gid, rank, val, starts = e_gid[part], e_rank[part], e_val[part], new[part]
    rows_here = file_row[part]
    idx = np.arange(len(gid))
    pos = idx - np.maximum.accumulate(np.where(starts, idx, 0))
    gnum = np.cumsum(starts) - 1
    prev = np.r_[np.nan, val[:-1]]
    prev[starts] = np.nan
    prev_rank = np.r_[-1, rank[:-1]]
    prev_rank[starts] = -1
    # Windows over each group's previous values, from one padded array: every group gets its
    # own block followed by NaN, so no window crosses groups.
    width = int(pos.max()) + 1 + HISTORY_QUARTERS
    slot = gnum * width + pos + 1  # +1: the value sits one after its predecessor's slot
    at = slot - 1  # windows ending at the previous value
    padded = np.full(int(gnum[-1] + 1) * width + 1, np.nan)
    padded[slot] = np.log1p(np.clip(val, 0, None))
    quant, count = window_quantiles(padded, at, (0.5, 0.25, 0.75))
    lmed = quant[0.5]
    scale = np.maximum((quant[0.75] - quant[0.25]) / 1.349, MAD_FLOOR)
    padded[slot] = val
    med = window_quantiles(padded, at, (0.5,))[0][0.5]
    del padded, quant
    here = rows_here >= 0
    kind = kinds[gid % n_ind]
    v = np.where(here, value[np.where(here, rows_here, 0)], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        # stocks: compare with the previous quarter only
        ratio = v / prev
        s = here & (kind == "stock") & (prev_rank >= 0) & (prev > 0)
        s &= prev_rank == prev_rank_of_rank[rank]
        slip = s & ((ratio >= UNIT_SLIP) | ((ratio > 0) & (ratio <= 1 / UNIT_SLIP)))
        jump = s & ~slip & (np.abs(ratio - 1) > STOCK_JUMP)
        for k in np.flatnonzero(slip):
            found["stock_slip"].append((int(rows_here[k]), {"typical": f"{prev[k]:,.0f}"}))
        for k in np.flatnonzero(jump):
            found["stock_jump"].append(
                (
                    int(rows_here[k]),
                    {"prev": f"{prev[k]:,.0f}", "pct": f"{100 * (ratio[k] - 1):+.1f}"},
                )
            )
        # flows: need a history with a level (a median of 0 says nothing, e.g. the first
        # quarter a county issues residence permits)
        f = here & (kind == "flow") & (count >= MIN_HISTORY) & (med > 0)
        ratio = v / med
        slip = f & ((ratio >= UNIT_SLIP) | ((ratio > 0) & (ratio <= 1 / UNIT_SLIP)))
        z = np.abs(np.log1p(np.clip(v, 0, None)) - lmed) / scale
        for k in np.flatnonzero(slip):
            found["flow_slip"].append((int(rows_here[k]), {"typical": f"{med[k]:,.0f}"}))
        for k in np.flatnonzero(f & ~slip & (z > OUTLIER_Z)):
            found["outlier"].append(
                (
                    int(rows_here[k]),
                    {"median": f"{med[k]:,.0f}", "n": int(count[k]), "z": f"{z[k]:.1f}"},
                )
            )


def _warn(r, rule: str, **params) -> Problem:
    ind = indicators.get(r.indicator)
    return Problem(
        r.sheet,
        int(r.row),
        r.column,
        r.indicator,
        r.raw,
        rule,
        {"name": ind.name_zh, "value": f"{r.value:,.0f}", **params},
        "warning",
    )
