"""What-if scenarios for planners: change future settlement flows (province-wide and per city,
from a chosen quarter), add a time-limited policy surge, and change population growth and net
rural-to-urban migration for the urbanization path; compare with the baseline projection.

Scenario parameters are a small JSON object; unknown keys and impossible values are refused
with a message, never silently defaulted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from analytics.aggregate import aggregate
from analytics.calibration import calibrated_settlements
from analytics.targets import headline_target
from analytics.urbanization_forecast import fit_across_break, province_rates
from data.accounts.policy import Principal
from data.i18n import formats
from data.reference import periods
from data.reference.official import public_by
from data.reference.targets import published_targets
from geo.regions import PROVINCE_CODE

DEFAULT_AS_OF = "2019Q4"  # the what-if page opens a year before the 2020 targets


class ScenarioError(ValueError):
    pass


@dataclass
class ScenarioParams:
    name: str = "scenario"
    as_of: str | None = None  # data known by this quarter (default: latest)
    from_period: str | None = None  # first quarter the multipliers apply (default: next one)
    multiplier: float = 1.0  # province-wide factor on future settlement flows
    city_multipliers: dict[str, float] = field(default_factory=dict)  # city code -> factor
    surge_per_quarter: float = 0.0  # extra settlements per quarter ...
    surge_quarters: int = 0  # ... for this many quarters from from_period
    population_growth: float = 0.0  # % per year, resident population (urbanization path)
    net_migration: float = 0.0  # extra net rural-to-urban migrants per year (persons)
    target_set: str | None = None  # the targets it is measured against (None: the headline)

    @classmethod
    def from_dict(cls, data: dict) -> ScenarioParams:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScenarioError(
                f"unknown scenario keys: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
            )
        params = cls(**data)
        params.validate()
        return params

    def validate(self) -> None:
        if self.multiplier < 0:
            raise ScenarioError(f"the multiplier cannot be negative: {self.multiplier:g}")
        bad = {c: m for c, m in self.city_multipliers.items() if m < 0}
        if bad:
            raise ScenarioError(f"city multipliers cannot be negative: {bad}")
        if self.surge_per_quarter < 0 or self.surge_quarters < 0:
            raise ScenarioError("a surge cannot be negative")
        if self.population_growth <= -100:
            raise ScenarioError("population growth must be above -100% a year")
        for key in ("as_of", "from_period"):
            value = getattr(self, key)
            if value is not None:
                parsed = periods.parse_period(value)
                if key == "as_of":  # an evaluation date: a year is its last quarter
                    parsed = periods.as_of_quarter(parsed)
                if not periods.is_quarter(parsed):
                    raise ScenarioError(f"{key} must be a quarter, not {value!r}")
                setattr(self, key, parsed)

    def as_dict(self) -> dict:
        return asdict(self)


def _weights(obs: pd.DataFrame, registry: pd.DataFrame, as_of: str) -> pd.Series:
    """Each city's share of settlements over the last four quarters known."""
    wide = aggregate(obs[obs.period <= as_of], registry, "city")
    last = sorted(wide.period.unique())[-4:]
    s = wide[wide.period.isin(last)].groupby("region_code").settled_total.sum()
    return s / s.sum()


def run(
    params: ScenarioParams,
    obs: pd.DataFrame,
    official: pd.DataFrame,
    registry: pd.DataFrame,
    seed: int | None = None,
    targets: pd.DataFrame | None = None,
) -> dict:
    """Baseline and scenario side by side for the province's headline targets.

    For each indicator the headline target is chosen by the overview's rule
    (``headline_target``).

    Parameters
    ----------
    params : ScenarioParams
        The planner's what-if.
    obs : pandas.DataFrame
        Observations.
    official : pandas.DataFrame
        The official series.
    registry : pandas.DataFrame
        The region registry.
    seed : int or None
        The simulations' seed (None: the product's).
    targets : pandas.DataFrame or None
        The province's targets as the store holds them (``data.store.targets.read_targets``),
        so an admin's change reaches the what-if as it reaches the projection; None: the
        published targets shipped in ``data.reference.targets``.

    Returns
    -------
    dict
        Per indicator the baseline's and the scenario's probability, expected value and
        paths, with the target measured against.
    """
    params.validate()
    as_of = params.as_of or obs.period.max()
    targets = of_set(published_targets() if targets is None else targets, params.target_set)
    settled_t = headline_target(targets, "settled_cumulative", as_of)
    rate_t = headline_target(targets, "urbanization_rate", as_of)
    settled, start = _settled(params, obs, registry, as_of, settled_t, seed)
    return {
        "name": params.name,
        "as_of": as_of,
        "from_period": start,
        "params": params.as_dict(),
        "settled": settled,
        "urbanization": _urbanization(params, official, as_of, rate_t),
    }


def _settled(params, obs, registry, as_of: str, target, seed) -> tuple[dict, str]:
    """The cumulative settlements' baseline and scenario (the calibrated forecast, with the
    scenario's multipliers and surge from its start), against ``target``; and the start."""
    value, period = float(target.value), target.period
    prov = aggregate(obs, registry, "province").set_index("period").settled_total
    flows = prov[prov.index <= as_of].dropna()
    horizon = periods.shift(period, 12)
    base = calibrated_settlements(flows, target.baseline_period, horizon, seed=seed)
    start = params.from_period or periods.shift(base.last_period, 1)
    active = np.array([q >= start for q in base.quarters])
    weights = _weights(obs, registry, as_of)
    # 1 plus each city's change weighted by its share: exactly 1 when no city changes (a sum
    # of w * m would carry the rounding of shares that do not add up to exactly 1)
    city = 1.0 + sum(w * (params.city_multipliers.get(c, 1.0) - 1.0) for c, w in weights.items())
    mult = np.where(active, params.multiplier * city, 1.0)
    surge = np.zeros(len(base.quarters))
    surge[np.flatnonzero(active)[: params.surge_quarters]] = params.surge_per_quarter
    scen = calibrated_settlements(
        flows, target.baseline_period, horizon, seed=seed, multiplier=mult, extra=surge
    )
    idx = base.quarters.index(period) if period in base.quarters else None
    judged = base.calibration is not None and base.calibration.judged

    def probability(run) -> float:
        if period > run.last_period:
            return run.probability(value, period)
        return float(run.achieved >= value)

    def median(run) -> float:
        return float(np.median(run.paths[:, idx])) if idx is not None else run.achieved

    return {
        "target": value,
        "period": period,
        "achieved": base.achieved,
        "method": base.method_key,  # the method the backtest rule picks (analytics.skill)
        "calibrated": bool(judged),
        # how often such a band held the outcome, each origin calibrated on what it knew
        "coverage95_out_of_sample": (
            base.calibration.out_of_sample["coverage95_out_of_sample"] if judged else None
        ),
        "baseline_probability": probability(base),
        "scenario_probability": probability(scen),
        "baseline_median": median(base),
        "scenario_median": median(scen),
        "baseline_reach": base.median_reach(value),
        "scenario_reach": scen.median_reach(value),
        "baseline_path": base.fan().to_dict("records"),
        "scenario_path": scen.fan().to_dict("records"),
    }, start


def _urbanization(params, official: pd.DataFrame, as_of: str, target) -> dict:
    """The urbanization rate's baseline and the scenario's, against ``target``.

    The baseline is the projection page's model: one logit-linear trend across the census
    break on the figures public by ``as_of`` (``fit_across_break``), forecast on the newest
    basis present, so the older basis is never extrapolated past the break once census-basis
    figures exist. The scenario adds its population growth and net migration into towns to
    the resident population of that basis."""
    value, year = float(target.value), periods.year_of(target.period)
    known = province_rates(official, as_of)
    fit = fit_across_break(known)
    pop = public_by(official, periods.quarter_end(as_of))
    pop = pop[(pop.region_code == PROVINCE_CODE) & (pop.indicator == "resident_pop")]
    pop = pop[pop.basis == fit.basis] if (pop.basis == fit.basis).any() else pop
    p0_year, p0 = int(pop.year.max()), float(pop.sort_values("year").value.iloc[-1]) * 1e4
    years = np.arange(int(known.year.max()) + 1, year + 4)
    basel = fit.predict(years)
    population = p0 * (1 + params.population_growth / 100) ** (years - p0_year)
    extra_urban = params.net_migration * (years - int(known.year.max()))
    share = np.clip(basel.value / 100 + extra_urban / population, 1e-6, 1 - 1e-6)
    shift = logit(share) - logit(basel.value / 100)
    scen_rate = basel.assign(
        value=100 * share,
        lower=100 * expit(logit(basel.lower / 100) + shift),
        upper=100 * expit(logit(basel.upper / 100) + shift),
    )
    at = int(np.flatnonzero(years == year)[0]) if year in years else None
    return {
        "target": value,
        "year": year,
        "baseline_probability": (
            fit.probability_at_least(value, year, shift=0.0) if at is not None else None
        ),
        "scenario_probability": (
            fit.probability_at_least(value, year, shift=float(shift[at]))
            if at is not None
            else None
        ),
        "baseline_value": float(basel.value[at]) if at is not None else None,
        "scenario_value": float(scen_rate.value[at]) if at is not None else None,
        "baseline_path": basel.to_dict("records"),
        "scenario_path": scen_rate.to_dict("records"),
    }


def save(params: ScenarioParams, author: Principal, engine=None) -> int:
    """Store a scenario with its name, author and time (a planner's write).

    Parameters
    ----------
    params : ScenarioParams
        The what-if, with its name.
    author : Principal
        Who saves it.
    engine : Engine or None
        The store; None: the configured one.

    Returns
    -------
    int
        Its id.
    """
    from data.store.scenarios import write_scenario

    params.validate()
    return write_scenario(engine, params.name, author, params.as_dict())


def target_label(value: float, lang: str = "zh") -> str:
    """A settlement target as its documents write it: 1000万 / 10 million.

    Parameters
    ----------
    value : float
        Persons.
    lang : str
        "zh" or "en".

    Returns
    -------
    str
        ``data.i18n.formats``'s wording.
    """
    return f"{value / 1e4:g}万" if lang == "zh" else f"{value / 1e6:g} million"


def comparison(result: dict, lang: str = "zh") -> pd.DataFrame:
    """Baseline and scenario side by side, one row per measure.

    Parameters
    ----------
    result : dict
        A what-if (``run``).
    lang : str
        "zh" or "en".

    Returns
    -------
    pandas.DataFrame
        Measure, baseline, scenario.
    """
    from data.i18n import messages

    s, u = result["settled"], result["urbanization"]
    fields = {
        "target": target_label(s["target"], lang),
        "period": s["period"],
        "when": f"{s['period'][:4]}年底"
        if s["period"].endswith("Q4")
        else formats.period_label(s["period"]) + "末",
        "year": u["year"],
        "rate": f"{u['target']:g}",
    }
    t = lambda k: messages.t(k, lang, **fields)  # noqa: E731

    def pct(v):
        return "—" if v is None else f"{v:.1%}"

    def persons(v):
        return formats.format_persons(v, lang)

    def rate(v):
        return "—" if v is None else f"{v:.2f}"

    def reach(v):
        return v or t("proj.reach_none")

    rows = [
        (
            t("whatif.row.settled_probability"),
            pct(s["baseline_probability"]),
            pct(s["scenario_probability"]),
        ),
        (
            t("whatif.row.settled_median"),
            persons(s["baseline_median"]),
            persons(s["scenario_median"]),
        ),
        (t("whatif.row.settled_reach"), reach(s["baseline_reach"]), reach(s["scenario_reach"])),
        (
            t("whatif.row.rate_probability"),
            pct(u["baseline_probability"]),
            pct(u["scenario_probability"]),
        ),
        (t("whatif.row.rate_value"), rate(u["baseline_value"]), rate(u["scenario_value"])),
    ]
    return pd.DataFrame(
        rows, columns=[t("whatif.col.measure"), t("whatif.col.baseline"), t("whatif.col.scenario")]
    )


def of_set(targets: pd.DataFrame, target_set: str | None) -> pd.DataFrame:
    """The targets a what-if measures against.

    Parameters
    ----------
    targets : pandas.DataFrame
        Target rows.
    target_set : str or None
        The set chosen.

    Returns
    -------
    pandas.DataFrame
        Those of ``target_set`` and, for an indicator the set has none of (a set of rate
        targets only), every target of that indicator.
    """
    if not target_set or "set_name" not in targets:
        return targets
    mine = targets[targets.set_name == target_set]
    others = targets[~targets.indicator.isin(mine.indicator)]
    return pd.concat([mine, others], ignore_index=True)


def future_quarters(
    as_of: str, targets: pd.DataFrame | None = None, target_set: str | None = None
) -> list[str]:
    """Quarters a what-if may start from.

    Parameters
    ----------
    as_of : str
        The quarter of the data.
    targets : pandas.DataFrame or None
        Target rows (None: the published ones).
    target_set : str or None
        The set chosen.

    Returns
    -------
    list of str
        After ``as_of`` up to the headline settlement target's quarter (at least the next
        quarter).
    """
    targets = of_set(published_targets() if targets is None else targets, target_set)
    end = headline_target(targets, "settled_cumulative", as_of).period
    return periods.quarter_range(periods.shift(as_of, 1), end) or [periods.shift(as_of, 1)]
