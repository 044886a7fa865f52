"""Targets, progress and projections: the answer to "will we make 10 million and 62% by 2020?".

For each target in the store: the value achieved by ``as_of`` (only data known by then), the
share achieved against the share of time elapsed, the pace needed from now against the trailing
pace, the Open SDG status (``analytics.progress``), a 95% projection path, the probability of
meeting the target on time, and the projected quarter (or year) it is reached.
"""

from __future__ import annotations

import math

import pandas as pd
from scipy.special import expit

from analytics.aggregate import aggregate, province_cumulative
from analytics.calibration import calibrated_settlements, calibration_record
from analytics.completeness import complete_through
from analytics.progress import assess, status_with_odds
from analytics.settlement_forecast import forecast_settlements
from analytics.urbanization_forecast import (
    MIN_POINTS,
    fit_across_break,
    fit_logit_linear,
    province_rates,
)
from data.accounts.policy import Principal
from data.reference import periods
from data.reference.official import public_by
from data.reference.targets import SETTLEMENT_BASELINE, TARGET_INDICATORS, baseline_of
from data.refusal import Refusal
from data.store import Engine
from data.store import targets as target_store
from data.store.snapshot import Snapshot
from geo.regions import PROVINCE_CODE

EXTRA_YEARS = 3  # project past the target date to find when it is reached


class TargetError(Refusal):
    """A target the product refuses, said in both languages (``message(lang)``; ``str()`` is
    the English, as the CLI prints it)."""


def headline_index(target_periods: list[str], as_of: str) -> int | None:
    """Which of an indicator's targets a leader reads first.

    Parameters
    ----------
    target_periods : list of str
        The targets' periods.
    as_of : str
        The evaluation date.

    Returns
    -------
    int or None
        The index into ``target_periods`` of the nearest one not yet due, else of the latest;
        None when there are none.
    """
    if not target_periods:
        return None
    order = sorted(range(len(target_periods)), key=lambda i: target_periods[i])
    due = [i for i in order if target_periods[i] >= as_of]
    return due[0] if due else order[-1]


def headline_target(targets: pd.DataFrame, indicator: str, as_of: str) -> pd.Series:
    """The province's headline target of an indicator (``headline_index``).

    Parameters
    ----------
    targets : pandas.DataFrame
        Target rows.
    indicator : str
        The indicator.
    as_of : str
        The evaluation date.

    Returns
    -------
    pandas.Series
        The target, its baseline filled in (``SETTLEMENT_BASELINE`` where it names none).
    """
    rows = targets[targets.indicator == indicator].reset_index(drop=True)
    i = headline_index(rows.period.tolist(), as_of)
    if i is None:
        raise TargetError(f"尚未设定{indicator}目标", f"no {indicator} target is set")
    row = rows.iloc[i].copy()
    if not isinstance(row.baseline_period, str):
        row["baseline_period"] = SETTLEMENT_BASELINE
    return row


def check_target_value(indicator: str, value: float) -> None:
    """Refuse a target value no plan can mean, before anything is written.

    It must be a finite number; a rate lies above 0 and at most 100 (%); a settlement count is
    at least one person and at most the province's resident population (its newest published
    figure).

    Parameters
    ----------
    indicator : str
        The indicator.
    value : float
        The value typed.

    Raises
    ------
    TargetError
        Said in both languages.
    """
    if not math.isfinite(value):
        raise TargetError(
            f"目标值须为有限数值，不能是 {value}",
            f"a target value must be a finite number, not {value}",
        )
    if indicator == "urbanization_rate" and not 0 < value <= 100:
        raise TargetError(
            f"城镇化率目标须大于0且不超过100（%），不能是 {value:g}",
            f"an urbanization rate target is above 0 and at most 100 (%), not {value:g}",
        )
    if indicator == "settled_cumulative":
        people = province_population()
        if not 1 <= value <= people:
            raise TargetError(
                f"落户目标须在1人到全省常住人口（{people:,.0f}人）之间，不能是 {value:g}",
                f"a settlement target is between 1 person and the province's resident "
                f"population ({people:,.0f} persons), not {value:g}",
            )


def province_population() -> float:
    """The province's newest published resident population.

    Returns
    -------
    float
        Persons.
    """
    from data.reference.official import province_series

    pop = province_series("resident_pop").dropna(subset=["value"])
    return float(pop.value.iloc[-1]) * 1e4


def set_target(
    engine: Engine,
    indicator: str,
    region: str,
    value: float,
    period: str,
    baseline: str | None,
    source: str,
    user: Principal,
    set_name: str | None = None,
    set_source: str | None = None,
) -> int:
    """Add or replace a target (an admin's edit, audited).

    A city's settled_cumulative target is its allocation of the province's.

    Parameters
    ----------
    engine : Engine
        The store.
    indicator : str
        The indicator.
    region : str
        The region.
    value : float
        The target value (``check_target_value``).
    period : str
        The target's quarter (a rate's year end).
    baseline : str or None
        The quarter the count starts after.
    source : str
        The document that sets it.
    user : Principal
        The admin.
    set_name : str or None
        The target set (made when new, with ``set_source``); None: the set of the province's
        target of that indicator and period.
    set_source : str or None
        A new set's source.

    Returns
    -------
    int
        The target's id.
    """
    from geo.regions import default_resolver

    if indicator not in TARGET_INDICATORS:
        names = ", ".join(TARGET_INDICATORS)
        raise TargetError(
            f"目标只能针对 {names}，不能是 {indicator!r}",
            f"targets exist for {names}, not {indicator!r}",
        )
    res = default_resolver().resolve(region)
    if not res.ok or res.code is None:
        raise TargetError(f"未知地区 {region!r}", f"unknown region {region!r}")
    period = periods.parse_period(period)
    if not periods.is_quarter(period):
        raise TargetError(
            f"目标期须为季度，不能是 {period!r}", f"a target period is a quarter, not {period!r}"
        )
    if baseline:
        baseline = periods.parse_period(baseline)
        if not periods.is_quarter(baseline):
            raise TargetError(
                f"基期须为季度，不能是 {baseline!r}", f"a baseline is a quarter, not {baseline!r}"
            )
        if period <= baseline:
            raise TargetError(
                f"目标期 {period} 不晚于基期 {baseline}",
                f"target period {period} is not after its baseline {baseline}",
            )
    check_target_value(indicator, value)
    if not str(source or "").strip():
        raise TargetError(
            "目标须注明来源（文件及条款）", "a target needs its source (document and article)"
        )
    unit = "人" if indicator == "settled_cumulative" else "%"
    return target_store.write_target(
        engine,
        indicator,
        res.code,
        value,
        unit,
        period,
        baseline,
        source,
        user,
        set_name,
        set_source,
    )


def target_sets(sets: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Every target set with its source, horizon and province targets, sorted by horizon.

    Parameters
    ----------
    sets : pandas.DataFrame
        The stored sets (``data.store.targets.read_target_sets``).
    targets : pandas.DataFrame
        The stored targets, the province's at least (``data.store.targets.read_targets``).

    Returns
    -------
    pandas.DataFrame
        name, source, horizon (its latest province target's period) and targets (how many
        province targets it holds).
    """
    sets = sets.copy()
    prov = targets[targets.region_code == PROVINCE_CODE]
    horizon = prov.groupby("set_name").period.max()
    count = prov.groupby("set_name").size()
    sets["horizon"] = sets.name.map(horizon)
    sets["targets"] = sets.name.map(count).fillna(0).astype(int)
    return sets.sort_values(["horizon", "name"], na_position="first").reset_index(drop=True)


def held_target_sets(sets: pd.DataFrame, after: str | None = None) -> pd.DataFrame:
    """The sets a page offers.

    Parameters
    ----------
    sets : pandas.DataFrame
        ``target_sets``.
    after : str or None
        Only those whose horizon is later than this quarter (a scenario starting then changes
        nothing in a set already due).

    Returns
    -------
    pandas.DataFrame
        Those holding a province target (a set of city allocations alone leads nothing).
    """
    held = sets[sets.targets > 0]
    return held[held.horizon > after] if after else held


def default_target_set(sets: pd.DataFrame, today: str) -> str | None:
    """The set a page opens on.

    Parameters
    ----------
    sets : pandas.DataFrame
        ``target_sets``.
    today : str
        The current quarter.

    Returns
    -------
    str or None
        The nearest set whose horizon is still ahead of ``today``, else the latest; None when
        no set holds a province target.
    """
    held = held_target_sets(sets)
    if held.empty:
        return None
    ahead = held[held.horizon >= today]
    return str((ahead.iloc[0] if len(ahead) else held.iloc[-1])["name"])


def allocations(targets: pd.DataFrame) -> pd.DataFrame:
    """City allocations of the settlement target, the latest target period per city.

    Parameters
    ----------
    targets : pandas.DataFrame
        Every region's targets (``data.store.targets.read_targets``, ``Snapshot.targets``).

    Returns
    -------
    pandas.DataFrame
        region_code, value, period, baseline_period.
    """
    frame = targets[
        (targets.indicator == "settled_cumulative") & (targets.region_code != PROVINCE_CODE)
    ].assign(baseline_period=lambda f: f.baseline_period.fillna(SETTLEMENT_BASELINE))
    frame = frame[["region_code", "value", "period", "baseline_period"]]
    return frame.sort_values("period", kind="stable").drop_duplicates("region_code", keep="last")


def _year_fraction(period: str) -> float:
    return (
        int(period[:4]) + int(period[-1]) / 4 if periods.is_quarter(period) else int(period) + 1.0
    )


def _settlement(target: pd.Series, flows: pd.Series, as_of: str, is_demo: bool, seed: int) -> dict:
    baseline = baseline_of(target.baseline_period)
    known = flows[flows.index <= as_of]
    horizon = periods.shift(target.period, 4 * EXTRA_YEARS)
    # an open target is judged by the calibrated forecast of the method its backtest picks
    # (analytics.skill); a closed one by what happened, its fan only for a later reach date
    fc = (
        calibrated_settlements(known, baseline, horizon, seed=seed)
        if target.period > as_of
        else forecast_settlements(known, baseline, horizon, seed=seed)
    )
    cal = fc.calibration
    # a target whose date has passed is judged at its date, with what was achieved by then
    at = min(fc.last_period, target.period)
    cumulative = known[known.index >= baseline].cumsum()
    value_at = (
        float(cumulative[cumulative.index <= at].iloc[-1])
        if (cumulative.index <= at).any()
        else 0.0
    )
    prog = assess(
        0.0,
        _year_fraction(periods.shift(baseline, -1)),
        value_at,
        _year_fraction(at),
        target.value,
        _year_fraction(target.period),
    )
    reached = cumulative[cumulative >= target.value]
    if target.period <= fc.last_period:
        probability = float(value_at >= target.value)
    else:
        probability = fc.probability(target.value, target.period)
    left = (
        len(periods.quarter_range(periods.shift(at, 1), target.period)) if target.period > at else 0
    )
    return {
        "probability": probability,
        "reach_period": str(reached.index[0]) if len(reached) else fc.median_reach(target.value),
        "reached_observed": str(reached.index[0]) if len(reached) else None,
        "reach_distribution": {}
        if len(reached)
        else {q: round(float(v), 4) for q, v in fc.reach_quarters(target.value).items() if v > 0},
        "current_value": value_at,
        "current_period": at,
        "pace_needed": (target.value - value_at) / left if left else None,
        "trailing_pace": float(known.tail(4).mean()),
        "fitted": []
        if fc.fitted is None
        else [
            {"period": q, "value": float(v)}
            for q, v in fc.fitted[fc.fitted.index >= baseline].cumsum().items()
        ],
        "path": fc.fan().to_dict("records"),
        "method": fc.method,
        "method_key": "none"
        if not fc.paths.size
        else ("ets" if cal is None else ("calibrated" if cal.judged else "uncalibrated")),
        "method_fields": {"paths": int(fc.paths.shape[0]), "model": fc.method_key}
        | ({} if cal is None or not cal.judged else {"through": max(cal.factors)}),
        "calibration": None if cal is None else calibration_record(cal),
        "progress": prog,
        "demo": is_demo,
        "basis": "returns",
    }


def _rate_published_through(official: pd.DataFrame) -> str:
    """The quarter in which the newest province rate became public, never past the current
    quarter."""
    today = pd.Timestamp.today().normalize()
    rates = public_by(province_rates(official), today).dropna(subset=["value"])
    newest = periods.quarter_of(rates.published.max()) if len(rates) else "2010Q4"
    return min(newest, periods.current_quarter())


def _on_basis(known: pd.DataFrame, basis: str, year: int) -> dict | None:
    """The trend of one basis alone at ``year`` (value and 95% interval), or None when that
    basis has too few published years to fit."""
    part = known[known.basis == basis].dropna(subset=["value"])
    if len(part) < MIN_POINTS:
        return None
    pred = fit_logit_linear(part, basis).predict([year]).iloc[0]
    return {
        "basis": basis,
        "year": int(year),
        "value": float(pred.value),
        "lower": float(pred.lower),
        "upper": float(pred.upper),
    }


def _rate(target: pd.Series, official: pd.DataFrame, as_of: str) -> dict:
    known = province_rates(official, as_of)
    target_year = int(target.period[:4])
    baseline = baseline_of(target.baseline_period)
    base = known[known.year < int(baseline[:4])].iloc[-1]
    at = known[known.year <= target_year].iloc[-1]  # judged at the target year once it has passed
    # one trend across the census break, the newest basis's level from its first point on
    fit = fit_across_break(known)
    latest_year = int(known.year.max())
    pred = fit.predict(
        list(range(latest_year + 1, max(target_year, latest_year) + EXTRA_YEARS + 1))
    )
    if target_year <= latest_year:
        probability = float(at.year == target_year and at.value >= target.value)
    else:
        probability = fit.probability_at_least(target.value, target_year)
    seen = known[known.value >= target.value]
    ahead = pred[pred.value >= target.value]
    reach = (
        str(int(seen.year.iloc[0]))
        if len(seen)
        else (str(int(ahead.year.iloc[0])) if len(ahead) else None)
    )
    prog = assess(
        base.value, float(base.year), at.value, float(at.year), target.value, float(target_year)
    )
    return {
        # a target is on the basis of its baseline; judged on another, the verdict says so
        # and gives the value on the target's own basis (its trend) where it can be fitted
        "target_basis": str(base.basis),
        "on_target_basis": _on_basis(known, str(base.basis), target_year)
        if str(base.basis) != str(at.basis)
        else None,
        "fitted": [
            {"period": str(int(y)), "value": float(v)}
            for y, v in zip(fit.years, 100 * expit(fit.results.fittedvalues), strict=True)
        ],
        "probability": probability,
        "reach_period": reach,
        "reached_observed": str(int(seen.year.iloc[0])) if len(seen) else None,
        "current_value": float(at.value),
        "current_period": str(int(at.year)),
        "pace_needed": (target.value - at.value) / (target_year - at.year)
        if target_year > at.year
        else None,
        "trailing_pace": float(known.value.diff().tail(3).mean()),
        "path": [
            {"period": str(r.year), "value": r.value, "lower": r.lower, "upper": r.upper}
            for r in pred.itertuples()
        ],
        "method": "logit-linear trend of the urban share (UN urban–rural growth difference), "
        + (
            f"OLS on both census bases ({len(fit.years)} years, {fit.older} on the older basis "
            f"with a level shift at the break), forecast on the {fit.basis} basis"
            if fit.older
            else f"OLS on the {fit.basis} basis ({len(fit.years)} years)"
        )
        + ", 95% prediction interval (parameter uncertainty included)",
        "method_key": "logit_break" if fit.older else "logit",
        "method_fields": {"basis": fit.basis, "n": len(fit.years), "older": fit.older},
        "progress": prog,
        "demo": False,
        "basis": str(at.basis),
    }


def project_targets(
    snapshot: Snapshot,
    as_of: str | None = None,
    region: str = PROVINCE_CODE,
    seed: int | None = None,
    target_set: str | None = None,
) -> list[dict]:
    """One record per target (see the module docstring), in the shape of ``urbdash project``.

    Parameters
    ----------
    snapshot : Snapshot
        The store read once (``data.store.snapshot.read_snapshot``): its returns (of the view
        it was read with), official series, registry and targets.
    as_of : str or None
        The quarter evaluated; None: the latest complete one.
    region : str
        The region whose targets are projected.
    seed : int or None
        The simulations' seed (None: the product's).
    target_set : str or None
        Only the targets of this set.

    Returns
    -------
    list of dict
        The targets' records.
    """
    targets = snapshot.targets_of(region)
    if target_set is not None:
        targets = targets[targets.set_name == target_set]
    if targets.empty:
        raise ValueError(
            f"no targets for region {region}"
            + (f" in the target set {target_set}" if target_set else "")
        )
    obs, registry = snapshot.observations, snapshot.registry
    # by default the latest complete quarter: one early return does not move the projection
    latest = (
        complete_through(obs, registry)["complete"] or obs.period.max()
        if len(obs)
        else periods.current_quarter()
    )
    explicit = bool(as_of)
    as_of = periods.as_of_quarter(as_of) if as_of else latest
    if not periods.is_quarter(as_of):
        raise ValueError(f"--as-of must be a quarter, not {as_of!r}")
    flows = pd.Series(dtype=float)
    if len(obs):
        level = "province" if region == PROVINCE_CODE else "city"
        wide = aggregate(obs, registry, level)
        wide = wide[wide.region_code == region].set_index("period")
        flows = wide.settled_total.dropna()
    official = snapshot.official
    out = []
    for t in targets.sort_values(["indicator", "period"]).itertuples(index=False):
        t = pd.Series(t._asdict())
        if t.indicator == "settled_cumulative":
            if flows.empty:
                continue
            detail = _settlement(t, flows, as_of, bool(obs.is_demo.any()), seed)
        elif region == PROVINCE_CODE:
            # without a date asked for, a rate stands at its newest published year (annual
            # figures run on after the last complete quarter of returns); with one, as then
            when = as_of if explicit else max(as_of, _rate_published_through(official))
            detail = _rate(t, official, when)
        else:  # city rates: two published years only (2015, 2020), too few for a trend
            continue
        prog = detail.pop("progress")
        record = {
            "indicator": t.indicator,
            "target_value": float(t.value),
            "unit": t.unit,
            "target_period": t.period,
            "source": t.source,
            "set_name": t.set_name,
            **detail,
            "status": status_with_odds(prog.ratio, detail.get("probability")),
            "ratio": prog.ratio,
            "share_achieved": prog.share_achieved,
            "share_of_time": min(1.0, prog.share_of_time),
            "as_of": when if t.indicator == "urbanization_rate" else as_of,
        }
        out.append(record | verdict(record))
    return out


def verdict(record: dict) -> dict:
    """The one rule for a target whose date has passed by ``as_of``: it is judged, not forecast.

    Parameters
    ----------
    record : dict
        A target's record.

    Returns
    -------
    dict
        ``closed``; ``verdict``: "met" or "missed" on the value at the target date
        (``current_*`` hold it once the date has passed), "pending" while that value is not yet
        published, None for an open target; ``gap``: what was missing; ``reached_later``: the
        period it was reached after its date, from observed data only (None: not reached since).
    """
    closed = record["as_of"] >= record["target_period"]
    if not closed:
        return {"closed": False, "verdict": None, "gap": None, "reached_later": None}
    judged_at = record["current_period"]
    due = record["target_period"]
    if not (judged_at == due or (len(judged_at) == 4 and judged_at == due[:4])):
        return {"closed": True, "verdict": "pending", "gap": None, "reached_later": None}
    met = record["current_value"] >= record["target_value"]
    later = record.get("reached_observed")
    return {
        "closed": True,
        "verdict": "met" if met else "missed",
        "gap": 0.0 if met else record["target_value"] - record["current_value"],
        "reached_later": later if (not met and later and later > judged_at) else None,
    }


def target_history(
    indicator: str,
    as_of: str,
    obs: pd.DataFrame,
    official: pd.DataFrame,
    registry: pd.DataFrame,
) -> pd.DataFrame:
    """What a target's chart shows as observed by ``as_of``.

    Parameters
    ----------
    indicator : str
        "settled_cumulative" or "urbanization_rate".
    as_of : str
        The quarter.
    obs : pandas.DataFrame
        Observations.
    official : pandas.DataFrame
        The official series.
    registry : pandas.DataFrame
        The region registry.

    Returns
    -------
    pandas.DataFrame
        The province's cumulative settlement per quarter, or the published rate per year with
        its census basis: period, value[, basis].
    """
    if indicator == "settled_cumulative":
        cum = province_cumulative(obs, registry, as_of)
        return pd.DataFrame({"period": cum.index, "value": cum.to_numpy()})
    part = province_rates(official, as_of)
    return pd.DataFrame({"period": part.year.astype(str), "value": part.value, "basis": part.basis})
