"""What a leader sees first: the state of each target, the cities ahead and behind, how fresh
and complete the returns are. One function per block, shared by the 总览 page and the brief.

Cities are ranked against their allocation of the settlement target when one is set
(``urbdash target-set --region …``): share of the allocation achieved minus the share of the
allocation period elapsed, in percentage points. Without allocations (none are published)
they are ranked by persons settled since the baseline per 10,000 residents, and the page says
so: no allocation is ever assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.aggregate import aggregate
from analytics.completeness import complete_through
from analytics.targets import headline_index
from data.i18n import messages
from data.reference import periods
from data.reference.official import BASIS_LABEL
from data.reference.targets import SETTLEMENT_BASELINE, TARGET_INDICATORS
from geo.regions import reporting_units


@dataclass
class CityRanking:
    frame: pd.DataFrame  # one row per city: code, name, cumulative, per_10k, allocation, ...
    basis: str  # "allocation" or "per_10k"
    as_of: str

    def ahead(self, n: int = 5) -> pd.DataFrame:
        return self.frame.dropna(subset=["score"]).nlargest(n, "score")

    def behind(self, n: int = 5) -> pd.DataFrame:
        return self.frame.dropna(subset=["score"]).nsmallest(n, "score")


def _quarters(start: str, end: str) -> int:
    return len(periods.quarter_range(start, end)) if start <= end else 0


def city_ranking(
    obs: pd.DataFrame,
    registry: pd.DataFrame,
    allocations: pd.DataFrame,
    as_of: str,
) -> CityRanking:
    """Cumulative settlement per city (ten cities plus 杨凌示范区) up to a quarter.

    Parameters
    ----------
    obs : pandas.DataFrame
        Tidy county observations (``data.store.observations.read_observations``).
    registry : pandas.DataFrame
        The region registry.
    allocations : pandas.DataFrame
        City allocations (region_code, value, period, baseline_period), possibly empty
        (``analytics.targets.allocations``).
    as_of : str
        The quarter evaluated.

    Returns
    -------
    CityRanking
        Its frame has code, name, cumulative, resident_pop, per_10k, allocation, target_period,
        share_achieved, share_of_time, lead_pp and ``score`` (lead_pp with allocations, else
        per_10k).
    """
    wide = aggregate(obs, registry, "city")
    wide = wide[wide.period <= as_of]
    alloc = allocations.set_index("region_code") if len(allocations) else None
    frame = reporting_units(registry)
    start = frame.code.map(alloc.baseline_period) if alloc is not None else None
    start = (
        start if start is not None else pd.Series(SETTLEMENT_BASELINE, index=frame.index)
    ).fillna(SETTLEMENT_BASELINE)
    cum, pop = [], []
    for code, first in zip(frame.code, start, strict=True):
        part = wide[(wide.region_code == code) & (wide.period >= first)]
        cum.append(part.settled_total.sum(min_count=1))
        stock = part.dropna(subset=["resident_pop"])
        pop.append(stock.resident_pop.iloc[-1] if len(stock) else float("nan"))
    frame["cumulative"] = cum
    frame["resident_pop"] = pop
    frame["per_10k"] = frame.cumulative / frame.resident_pop * 1e4
    if alloc is not None:
        frame["allocation"] = frame.code.map(alloc.value)
        frame["target_period"] = frame.code.map(alloc.period)
        frame["share_achieved"] = frame.cumulative / frame.allocation
        frame["share_of_time"] = [
            min(1.0, _quarters(s, as_of) / _quarters(s, p)) if isinstance(p, str) else float("nan")
            for s, p in zip(start, frame.target_period, strict=True)
        ]
        frame["lead_pp"] = 100 * (frame.share_achieved - frame.share_of_time)
    else:
        for col in ("allocation", "target_period", "share_achieved", "share_of_time", "lead_pp"):
            frame[col] = float("nan")
    basis = "allocation" if frame.lead_pp.notna().any() else "per_10k"
    frame["score"] = frame.lead_pp if basis == "allocation" else frame.per_10k
    return CityRanking(frame, basis, as_of)


def freshness(obs: pd.DataFrame, registry: pd.DataFrame) -> dict:
    """The quarter the headline figures stand at and what is newer.

    Parameters
    ----------
    obs : pandas.DataFrame
        Observations.
    registry : pandas.DataFrame
        The region registry.

    Returns
    -------
    dict
        ``as_of``: the latest complete quarter (``complete_through``), or the latest quarter
        when none is complete yet; ``reporting``: the newer quarters still coming in ({period,
        reported, expected}); ``values``: the current values up to ``as_of`` (the count the
        overview and the brief both cite); ``first``, ``latest``, ``demo``.
    """
    if obs.empty:
        return {
            "latest": None,
            "as_of": None,
            "complete": None,
            "reporting": [],
            "values": 0,
            "demo": False,
            "first": None,
        }
    state = complete_through(obs, registry)
    as_of = state["complete"] or obs.period.max()
    upto = obs[obs.period <= as_of]
    return {
        "latest": obs.period.max(),
        "as_of": as_of,
        "complete": state["complete"],
        "reporting": [r for r in state["reporting"] if r["period"] > as_of],
        "first": obs.period.min(),
        "values": len(upto),
        "demo": bool(upto.is_demo.any()),
    }


def method_text(record: dict, lang: str, alternative: bool = False) -> str:
    """The forecasting method of a target's record, in words.

    Parameters
    ----------
    record : dict
        A target's record (``analytics.targets.project_targets``): a method key and its
        numbers.
    lang : str
        "zh" or "en".
    alternative : bool
        The alternative method's words instead of the record's own.

    Returns
    -------
    str
        The sentence (the English one in ``method`` is for the CLI and logs).
    """
    part = record["alternative"] if alternative else record
    fields = dict(record.get("method_fields", {}))
    if "basis" in fields:
        fields["basis"] = BASIS_LABEL[fields["basis"]][lang]
    if "paths" in fields:
        fields["paths"] = f"{fields['paths']:,}"
    if "model" in fields:
        fields["model"] = messages.t(f"skill.method.{fields['model']}", lang)
    return messages.t(f"method.{part['method_key']}", lang, **fields)


def basis_note(record: dict, lang: str) -> str | None:
    """For a target judged on another census basis than the one it was set on, which judges it.

    Parameters
    ----------
    record : dict
        A target's record.
    lang : str
        "zh" or "en".

    Returns
    -------
    str or None
        The basis that judges it and the target basis's own trend at the target year; None
        for a target judged on its own basis.
    """
    from data.i18n import formats, messages

    other = record.get("on_target_basis")
    if not other:
        return None

    def fmt(value: float) -> str:
        return formats.format_target_value(value, record["unit"], lang)

    return messages.t(
        "verdict.other_basis",
        lang,
        judged=BASIS_LABEL[record["basis"]][lang],
        basis=BASIS_LABEL[other["basis"]][lang],
        year=other["year"],
        value=fmt(other["value"]),
        lower=fmt(other["lower"]),
        upper=fmt(other["upper"]),
    )


def verdict_text(record: dict, lang: str, basis: bool = True) -> tuple[str, list[str]]:
    """A closed target in words (``analytics.targets.verdict`` decides).

    Parameters
    ----------
    record : dict
        A target's record.
    lang : str
        "zh" or "en".
    basis : bool
        Whether to say the census basis it is judged on when not the target's.

    Returns
    -------
    tuple of (str, list of str)
        The verdict ("met", "missed", "pending": the message key's last part) and the parts of
        the line under it: the final value at the target date, then for a miss the gap and when
        (or whether) it was reached later, and the basis.
    """
    from data.i18n import formats, messages

    v = record["verdict"]
    if v == "pending":
        return v, []

    def fmt(value: float) -> str:
        return formats.format_target_value(value, record["unit"], lang)

    parts = [
        messages.t(
            "verdict.final",
            lang,
            period=record["current_period"],
            value=fmt(record["current_value"]),
        )
    ]
    note = basis_note(record, lang) if basis else None
    if note:  # judged on one census basis, set on another: said, with the other's value
        parts.append(note)
    if v == "missed":
        gap = (
            fmt(record["gap"])
            if record["unit"] == "人"
            else f"{record['gap']:.2f} " + ("个百分点" if lang == "zh" else "percentage points")
        )
        parts.append(messages.t("verdict.gap", lang, gap=gap))
        parts.append(
            messages.t("verdict.reached_later", lang, period=record["reached_later"])
            if record["reached_later"]
            else messages.t("verdict.not_reached", lang)
        )
    return v, parts


def headline(records: list[dict], prefer: str | None = None) -> list[dict]:
    """The targets a leader reads first, then the others.

    Parameters
    ----------
    records : list of dict
        The targets' records.
    prefer : str or None
        A target set whose target leads for each indicator where it has one.

    Returns
    -------
    list of dict
        For each indicator the target of ``prefer``, else the nearest not yet due at the
        evaluation date, else the latest; the others after (e.g. the 2015 interim targets).
    """
    if not records:
        return []
    as_of = records[0]["as_of"]
    chosen, rest = [], []
    by_ind: dict[str, list[dict]] = {}
    for r in records:
        by_ind.setdefault(r["indicator"], []).append(r)
    for ind in TARGET_INDICATORS:
        group = sorted(by_ind.get(ind, []), key=lambda r: r["target_period"])
        if not group:
            continue
        mine = [r for r in group if prefer and r.get("set_name") == prefer]
        pick = (
            mine[0] if mine else group[headline_index([r["target_period"] for r in group], as_of)]
        )
        chosen.append(pick)
        rest += [r for r in group if r is not pick]
    return chosen + rest
