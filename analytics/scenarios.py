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
from scipy import stats
from scipy.special import expit, logit

from analytics.aggregate import aggregate
from analytics.projections import fit_logit_linear
from analytics.settlement_forecast import forecast_settlements
from data import periods

SETTLED_TARGET, SETTLED_PERIOD = 10_000_000, "2020Q4"
RATE_TARGET, RATE_YEAR = 62.0, 2020
BASELINE = "2014Q1"
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
                setattr(self, key, periods.parse_period(value))
                if not periods.is_quarter(getattr(self, key)):
                    raise ScenarioError(f"{key} must be a quarter, not {value!r}")

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
    seed: int = 20140923,
) -> dict:
    """Baseline and scenario side by side for the 2020 settlement and urbanization targets."""
    params.validate()
    as_of = params.as_of or obs.period.max()
    prov = aggregate(obs, registry, "province").set_index("period").settled_total
    flows = prov[prov.index <= as_of].dropna()
    horizon = periods.shift(SETTLED_PERIOD, 12)
    base = forecast_settlements(flows, BASELINE, horizon, seed=seed)
    start = params.from_period or periods.shift(base.last_period, 1)
    active = np.array([q >= start for q in base.quarters])
    weights = _weights(obs, registry, as_of)
    city = sum(w * params.city_multipliers.get(c, 1.0) for c, w in weights.items())
    mult = np.where(active, params.multiplier * city, 1.0)
    surge = np.zeros(len(base.quarters))
    surge_on = np.flatnonzero(active)[: params.surge_quarters]
    surge[surge_on] = params.surge_per_quarter
    scen = forecast_settlements(flows, BASELINE, horizon, seed=seed, multiplier=mult, extra=surge)

    rate = official[
        (official.region_code == "610000") & (official.indicator == "urbanization_rate")
    ]
    last_year = int(as_of[:4]) if as_of.endswith("Q4") else int(as_of[:4]) - 1
    known = rate[rate.year <= last_year]
    fit = fit_logit_linear(known[known.basis == "census2010"], "census2010")
    pop = official[
        (official.region_code == "610000")
        & (official.indicator == "resident_pop")
        & (official.year <= last_year)
        & (official.basis == "census2010")
    ]
    p0_year, p0 = int(pop.year.max()), float(pop.sort_values("year").value.iloc[-1]) * 1e4
    years = np.arange(int(known.year.max()) + 1, RATE_YEAR + 4)
    basel = fit.predict(years)
    growth = (1 + params.population_growth / 100) ** (years - p0_year)
    population = p0 * growth
    extra_urban = params.net_migration * (years - int(known.year.max()))
    share = np.clip(basel.value / 100 + extra_urban / population, 1e-6, 1 - 1e-6)
    shift = logit(share) - logit(basel.value / 100)
    scen_rate = basel.assign(
        value=100 * share,
        lower=100 * expit(logit(basel.lower / 100) + shift),
        upper=100 * expit(logit(basel.upper / 100) + shift),
    )

    def p_rate(delta: float) -> float:
        exog = np.array([[1.0, float(RATE_YEAR)]])
        pred = fit.results.get_prediction(exog)
        mean = float(pred.predicted_mean[0]) + delta
        se = float(np.sqrt(pred.var_pred_mean[0] + fit.results.scale))
        return float(
            1 - stats.t.cdf((logit(RATE_TARGET / 100) - mean) / se, df=fit.results.df_resid)
        )

    i2020 = int(np.flatnonzero(years == RATE_YEAR)[0]) if RATE_YEAR in years else None
    rate_delta = float(shift[i2020]) if i2020 is not None else 0.0
    idx = base.quarters.index(SETTLED_PERIOD) if SETTLED_PERIOD in base.quarters else None
    return {
        "name": params.name,
        "as_of": as_of,
        "from_period": start,
        "params": params.as_dict(),
        "settled": {
            "target": SETTLED_TARGET,
            "period": SETTLED_PERIOD,
            "achieved": base.achieved,
            "baseline_probability": base.probability(SETTLED_TARGET, SETTLED_PERIOD)
            if SETTLED_PERIOD > base.last_period
            else float(base.achieved >= SETTLED_TARGET),
            "scenario_probability": scen.probability(SETTLED_TARGET, SETTLED_PERIOD)
            if SETTLED_PERIOD > scen.last_period
            else float(scen.achieved >= SETTLED_TARGET),
            "baseline_median": float(np.median(base.paths[:, idx]))
            if idx is not None
            else base.achieved,
            "scenario_median": float(np.median(scen.paths[:, idx]))
            if idx is not None
            else scen.achieved,
            "baseline_reach": base.median_reach(SETTLED_TARGET),
            "scenario_reach": scen.median_reach(SETTLED_TARGET),
            "baseline_path": base.fan().to_dict("records"),
            "scenario_path": scen.fan().to_dict("records"),
        },
        "urbanization": {
            "target": RATE_TARGET,
            "year": RATE_YEAR,
            "baseline_probability": p_rate(0.0) if i2020 is not None else None,
            "scenario_probability": p_rate(rate_delta) if i2020 is not None else None,
            "baseline_value": float(basel.value[i2020]) if i2020 is not None else None,
            "scenario_value": float(scen_rate.value[i2020]) if i2020 is not None else None,
            "baseline_path": basel.to_dict("records"),
            "scenario_path": scen_rate.to_dict("records"),
        },
    }


def save(params: ScenarioParams, author: str, engine=None) -> int:
    """Store a scenario with its name, author and time; returns its id."""
    from data import store
    from data.models import AuditLog, Scenario

    params.validate()
    with store.transaction(engine) as sess:
        row = Scenario(name=params.name, author=author, params=params.as_dict())
        sess.add(row)
        sess.flush()
        sess.add(
            AuditLog(
                user=author, action="scenario_save", detail={"id": row.id, "name": params.name}
            )
        )
        return row.id


def list_saved(engine=None) -> pd.DataFrame:
    from sqlalchemy import select

    from data import store
    from data.models import Scenario

    with store.reader(engine) as sess:
        rows = sess.execute(select(Scenario).order_by(Scenario.id.desc())).scalars().all()
    return pd.DataFrame(
        [
            {
                "id": r.id,
                "name": r.name,
                "author": r.author,
                "created_at": r.created_at,
                "params": r.params,
            }
            for r in rows
        ],
        columns=["id", "name", "author", "created_at", "params"],
    )


def comparison(result: dict, lang: str = "zh") -> pd.DataFrame:
    """Baseline and scenario side by side, one row per measure."""
    from data import messages

    t = lambda k: messages.t(k, lang)  # noqa: E731
    s, u = result["settled"], result["urbanization"]

    def pct(v):
        return "—" if v is None else f"{v:.1%}"

    def persons(v):
        return messages.format_persons(v, lang)

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
