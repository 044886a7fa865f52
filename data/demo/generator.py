"""Deterministic demo data: county x quarter values 2014Q1-2020Q4 for every reported indicator.

County-by-quarter settlement returns are not public, so the product ships generated data,
labelled 示例数据 / demo data wherever it is shown. The generator is calibrated so that
year-end county sums equal the published provincial (and, for 2015 and 2020, city) resident and
urban population where FACTS.md has them; gaps are interpolated. Settlement flows are an
assumption (``DEMO_PARAMS``), except that Xi'an's 2017 and 2018 totals follow the published
reports of its March 2017 hukou reform. Everything else is a generated illustration.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.special import expit, logit

from data import settings
from data.accounts.policy import Principal
from data.reference import periods
from data.reference.official import headline, load_official_series
from geo.regions import PROVINCE_CODE, load_registry, reporting_unit

# who loads the demo returns: the system, named so in every submission and audit record
DEMO_LOADER = Principal.system("demo")

FIRST, LAST = "2014Q1", "2020Q4"
XIAN = "610100"
YANGLING = "610403"
DEMO_PARAMS = {
    # Assumptions of the generator, not statistics.
    "rural_settle_rate_2014": 0.050,  # share of rural residents settling in towns per year
    "settle_rate_growth": 0.06,  # yearly growth of that share as reforms roll out
    "other_share": 0.22,  # other permanent residents settled per rural-origin settler
    "seasonality": (0.85, 1.0, 1.2, 0.95),  # Q1..Q4 (school-enrolment peak in Q3)
    "noise_sd": 0.12,
    # Xi'an after the 1 March 2017 reform: 2017 and 2018 follow published reports
    # (about 245,000 in 2017, over 750,000 in 2018); later years are an assumed decay.
    "xian_reform_totals": {2017: 245_000, 2018: 750_000, 2019: 500_000, 2020: 400_000},
    "registered_ratio_2015": 3941.12 / 3792.87,  # published registered / resident, 2015
    "hukou_gap_logit": 0.75,  # initial hukou urban share below resident urban share (logit)
    "from_outside_share": {"610100": 0.5, "default": 0.15},
    "natural_growth_q": 0.0008,
    "permit_rate_q": 0.006,  # residence permits per urban resident per quarter, from 2016
    "permit_start": "2016Q1",  # Residence Permit Regulation in force 2016-01-01
}


def _province_anchors(official: pd.DataFrame) -> pd.DataFrame:
    """Year-end province resident and urban population 2013-2020 in persons."""
    prov = official[official.region_code == PROVINCE_CODE]
    pop = prov[prov.indicator == "resident_pop"].set_index("year").value * 1e4
    urb = prov[prov.indicator == "urban_resident_pop"].set_index("year").value * 1e4
    rate = prov[prov.indicator == "urbanization_rate"].set_index("year").value / 100
    years = range(2013, 2021)
    p = pop.reindex(range(2010, 2021)).interpolate("index").reindex(years)
    r = (urb / pop).combine_first(rate).reindex(years)
    r = pd.Series(expit(logit(r).interpolate("index").to_numpy()), index=r.index)
    u = urb.reindex(years).combine_first(p * r)
    return pd.DataFrame({"pop": p, "urban": u})


def _city_frame(official: pd.DataFrame, registry: pd.DataFrame, anchors: pd.DataFrame):
    """City-group (10 cities + 杨凌示范区) population and urban rate at year ends.

    In the years with published city figures (2015, 2020) published counts are kept exactly;
    a city lacking a count gets its share of the remainder of the province total, in proportion
    to its published rate (or the province rate). Other years interpolate each city's share of
    population linearly and its urban share on the logit scale, shifted to the province total.
    """
    groups = sorted(set(reporting_unit(registry)) - {YANGLING}) + [YANGLING]
    city = official[official.region_code.isin(groups)]

    def get(y, ind):
        return city[(city.year == y) & (city.indicator == ind)].set_index("region_code").value

    def published_year(y, fallback_share=None):
        pop = get(y, "resident_pop") * 1e4
        missing = [g for g in groups if g not in pop.index]
        if missing:
            shares = fallback_share if fallback_share is not None else pd.Series(1.0, index=missing)
            fixed = [g for g in missing if g == YANGLING and fallback_share is not None]
            for g in fixed:
                pop[g] = shares[g] * anchors.at[y, "pop"]
            rest = [g for g in missing if g not in fixed]
            for g in rest:
                pop[g] = (anchors.at[y, "pop"] - pop.sum()) / len(rest)
        pop = pop[groups]
        counts = get(y, "urban_resident_pop") * 1e4
        rate = get(y, "urbanization_rate") / 100
        free = [g for g in groups if g not in counts.index]
        weight = pop[free] * rate.reindex(free).fillna(
            anchors.at[y, "urban"] / anchors.at[y, "pop"]
        )
        urban = pd.concat([counts, weight / weight.sum() * (anchors.at[y, "urban"] - counts.sum())])
        return pop, urban[groups] / pop

    pop20, rate20 = published_year(2020)
    share20 = pop20 / pop20.sum()
    pop15, rate15 = published_year(2015, fallback_share=share20)
    share15 = pop15 / pop15.sum()
    out = []
    for y in anchors.index:
        if y in (2015, 2020):
            pop, rate = (pop15, rate15) if y == 2015 else (pop20, rate20)
        else:
            t = min(max((y - 2015) / 5, 0.0), 1.0)
            share = (1 - t) * share15 + t * share20
            pop = share / share.sum() * anchors.at[y, "pop"]
            base = (1 - t) * logit(rate15) + t * logit(rate20)
            target = anchors.at[y, "urban"]
            shift = brentq(lambda c, p=pop, b=base, u=target: (p * expit(b + c)).sum() - u, -5, 5)
            rate = pd.Series(expit(base + shift), index=groups)
        for g in groups:
            out.append((y, g, float(pop[g]), float(rate[g])))
    return pd.DataFrame(out, columns=["year", "group", "pop", "rate"])


def _round_to_total(values: np.ndarray, total: int) -> np.ndarray:
    """Integers summing exactly to ``total`` (largest remainder)."""
    floor = np.floor(values).astype(np.int64)
    short = int(total - floor.sum())
    order = np.argsort(-(values - floor), kind="stable")
    floor[order[:short]] += 1
    return floor


def demo_seed() -> int:
    """The generator's seed: ``URBDASH_DEMO_SEED`` (the one place it is set)."""
    return int(settings.get("demo_seed"))


def generate(seed: int | None = None) -> pd.DataFrame:
    """Return a wide frame: region_code, period, and one column per reported indicator."""
    rng = np.random.default_rng(demo_seed() if seed is None else seed)
    official = headline(load_official_series())
    registry = load_registry()
    anchors = _province_anchors(official)
    cities = _city_frame(official, registry, anchors)
    counties = registry[registry.level == "county"].copy()
    counties["group"] = counties.stat_parent_code.where(counties.code != YANGLING, YANGLING)
    counties = counties.sort_values("code").reset_index(drop=True)
    kind = counties.name.str[-1].map({"区": 1.1, "市": 0.3}).fillna(-0.45)
    counties["offset"] = kind + rng.normal(0, 0.3, len(counties))
    counties.loc[counties.code == YANGLING, "offset"] = 0.0
    counties["weight"] = rng.lognormal(0, 0.45, len(counties)) * np.where(kind > 1, 1.4, 1.0)
    counties["growth"] = np.where(kind > 1, 0.012, -0.004)

    # Year-end stocks per county, calibrated to the city groups.
    year_end = []
    for (y, g), c in cities.groupby(["year", "group"]):
        part = counties[counties.group == g]
        w = part.weight * np.exp(part.growth * (y - 2015))
        pop_f = w / w.sum() * c["pop"].iloc[0]
        pop = _round_to_total(pop_f.to_numpy(), round(c["pop"].iloc[0]))
        target_u = c["pop"].iloc[0] * c["rate"].iloc[0]
        base = logit(c["rate"].iloc[0]) + part.offset.to_numpy()
        base = base - np.average(part.offset, weights=pop)
        shift = brentq(lambda s, p=pop, b=base, u=target_u: (p * expit(b + s)).sum() - u, -8, 8)
        urban = _round_to_total(pop * expit(base + shift), round(target_u))
        urban = np.minimum(urban, pop)
        year_end += [(y, code, p, u) for code, p, u in zip(part.code, pop, urban, strict=True)]
    ye = pd.DataFrame(year_end, columns=["year", "region_code", "pop", "urban"])

    quarters = periods.quarter_range(FIRST, LAST)
    rows = []
    P = DEMO_PARAMS
    season = np.array(P["seasonality"]) / np.sum(P["seasonality"])
    ratio = P["registered_ratio_2015"] * np.exp(
        np.where(kind > 1, -0.10, 0.04) + rng.normal(0, 0.03, len(counties))
    )
    ye15 = ye[ye.year == 2015].set_index("region_code").reindex(counties.code)
    ratio = (
        ratio
        * (P["registered_ratio_2015"] * ye15["pop"].sum())
        / (ratio * ye15["pop"].to_numpy()).sum()
    )
    ye13 = ye[ye.year == 2013].set_index("region_code").reindex(counties.code)
    reg = ye13["pop"].to_numpy() * np.asarray(ratio)
    urb_reg = reg * expit(logit(ye13.urban / ye13["pop"]).to_numpy() - P["hukou_gap_logit"])
    outside = (
        counties.code.str[:4]
        .map(lambda c: P["from_outside_share"].get(c + "00", P["from_outside_share"]["default"]))
        .to_numpy()
    )
    is_xian = (counties.group == XIAN).to_numpy()
    flows = []
    for q in quarters:
        y, k = periods.year_of(q), int(q[-1])
        prev = ye[ye.year == y - 1].set_index("region_code").reindex(counties.code)
        cur = ye[ye.year == y].set_index("region_code").reindex(counties.code)
        f = k / 4
        pop = np.rint(prev["pop"].to_numpy() * (1 - f) + cur["pop"].to_numpy() * f)
        urban = np.minimum(np.rint(prev.urban.to_numpy() * (1 - f) + cur.urban.to_numpy() * f), pop)
        rural = pop - urban
        rate = P["rural_settle_rate_2014"] * (1 + P["settle_rate_growth"]) ** (y - 2014)
        noise = rng.lognormal(0, P["noise_sd"], len(counties))
        settled_rural = rural * rate * season[k - 1] * noise
        if q >= "2017Q2" and y in P["xian_reform_totals"]:
            qs = [1, 2, 3] if y == 2017 else [0, 1, 2, 3]
            share = season[k - 1] / season[qs].sum()
            weights = np.where(is_xian, urban, 0.0)
            extra = P["xian_reform_totals"][y] * share * weights / weights.sum()
            settled_rural = np.where(is_xian, extra / (1 + P["other_share"]), settled_rural)
        settled_rural = np.rint(settled_rural)
        settled_other = np.rint(
            settled_rural * P["other_share"] * rng.lognormal(0, 0.1, len(counties))
        )
        permits = (
            np.rint(
                urban
                * P["permit_rate_q"]
                * rng.lognormal(0, 0.15, len(counties))
                * np.where(is_xian, 1.5, 1.0)
            )
            if q >= P["permit_start"]
            else np.zeros(len(counties))
        )
        flows.append((q, pop, urban, settled_rural, settled_other, permits))

    # Registered population: start so that the 2015Q4 sum equals the published figure.
    def registered_path(reg0: np.ndarray) -> list[np.ndarray]:
        reg, out = reg0, []
        for _q, _p, _u, sr, so, _pm in flows:
            reg = reg * (1 + P["natural_growth_q"]) + outside * (sr + so)
            out.append(reg)
        return out

    i15 = quarters.index("2015Q4")
    target15 = P["registered_ratio_2015"] * ye15["pop"].sum()
    added = registered_path(np.zeros_like(reg))[i15].sum()
    reg = reg * (target15 - added) / (registered_path(reg)[i15].sum() - added)
    urb_reg = reg * expit(logit(ye13.urban / ye13["pop"]).to_numpy() - P["hukou_gap_logit"])
    rows = []
    for (q, pop, urban, sr, so, permits), reg_q in zip(flows, registered_path(reg), strict=True):
        urb_reg = np.minimum(
            urb_reg * (1 + P["natural_growth_q"]) + sr + outside * so, reg_q * 0.97
        )
        rows.append(
            pd.DataFrame(
                {
                    "region_code": counties.code,
                    "period": q,
                    "settled_rural": sr,
                    "settled_other": so,
                    "residence_permits": permits,
                    "resident_pop": pop,
                    "urban_resident_pop": urban,
                    "registered_pop": np.rint(reg_q),
                    "urban_registered_pop": np.rint(urb_reg),
                }
            )
        )
    out = pd.concat(rows, ignore_index=True)
    num = out.columns.drop(["region_code", "period"])
    out[num] = out[num].astype("int64")
    return out


DEMO_NOTE = (
    "注：示例数据：由程序生成，仅供演示 / demo data generated by urbdash, not official statistics"
)


def write_workbooks(out_dir, seed: int | None = None) -> list:
    """Write one quarterly return workbook per quarter (one sheet per city) into ``out_dir``."""
    from pathlib import Path

    from data.intake.template import write_return

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = generate(seed)
    paths = []
    for q, part in frame.groupby("period", sort=True):
        paths.append(write_return(out_dir / f"demo_return_{q}.xlsx", q, part, note=DEMO_NOTE))
    return paths


def load_demo(engine=None, reset: bool = False, seed: int | None = None, out_dir=None) -> dict:
    """Generate the demo workbooks and load them through the ordinary ingest path.

    With ``reset`` the earlier demo submissions and their observations are removed first
    (never a user's submissions). Returns counts per ingest status.
    """
    from data import store
    from data.intake.ingest import ingest
    from data.store.submissions import delete_demo

    engine = engine or store.get_engine()
    if reset:
        delete_demo(engine)
    out_dir = out_dir or settings.var_dir() / "demo"
    counts: dict[str, int] = {}
    for path in write_workbooks(out_dir, seed):
        # accept_warnings: the demo deliberately holds Xi'an's 2017 reform jump, which the
        # robust history rules flag, as they should for a real return
        report = ingest(
            path.read_bytes(),
            path.name,
            user=DEMO_LOADER,
            is_demo=True,
            engine=engine,
            accept_warnings=True,
        )
        if report.status not in ("committed", "duplicate", "unchanged"):
            raise RuntimeError(
                f"demo workbook {path.name} was {report.status}: {report.errors[:3]}"
            )
        counts[report.status] = counts.get(report.status, 0) + 1
    return counts
