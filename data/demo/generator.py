"""Deterministic demo data: county x quarter values 2014Q1-2020Q4 for every reported indicator.

County-by-quarter settlement returns are not public, so the product ships generated data,
labelled 示例数据 / demo data wherever it is shown. Its stocks are anchored to the real county
census counts: each county's resident and urban population equal the 6th and 7th census at
2010Q4 and 2020Q4 (the census date, 1 November, falls in those quarters); the quarters between
follow ``census_path`` (population log-linear, urban share linear in logit). So the county sums
equal the census province totals in 2010 and 2020, and a city is the sum of its counties (the
administrative boundary: 西安市 and 咸阳市 differ from their census bulletins, which count by
management boundary). Registered population and every flow (settlement, permits) are generated
from assumptions (``DEMO_PARAMS``), except that Xi'an's 2017 and 2018 settlement totals follow
the published reports of its March 2017 hukou reform.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import expit, logit

from data import settings
from data.accounts.policy import Principal
from data.reference import periods
from data.reference.official import census_stocks, load_official_series
from geo.regions import code_named, load_registry, reporting_unit

# who loads the demo returns: the system, named so in every submission and audit record
DEMO_LOADER = Principal.system("demo")

FIRST, LAST = "2014Q1", "2020Q4"
CENSUS_QUARTERS = ("2010Q4", "2020Q4")  # the quarters holding the census dates (1 November)
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
    "from_outside_share": {"西安市": 0.5, "default": 0.15},  # by the county's city
    "natural_growth_q": 0.0008,
    "permit_rate_q": 0.006,  # residence permits per urban resident per quarter, from 2016
    "permit_start": "2016Q1",  # Residence Permit Regulation in force 2016-01-01
}


def census_path(official: pd.DataFrame, codes: pd.Series, quarters: list[str]) -> dict:
    """Resident and urban population per county (in ``codes`` order) for each quarter: exactly
    the census counts at 2010Q4 and 2020Q4 (the censuses count at 1 November), and between and
    around them population log-linear and the urban share linear on the logit scale (a wholly
    urban or wholly rural county stays so). Returns {quarter: (pop, urban)} as integer arrays."""
    stock = census_stocks(official).reindex(codes)
    if stock.isna().any().any():
        missing = ", ".join(stock[stock.isna().any(axis=1)].index)
        raise ValueError(f"no census figures for {missing}")
    p0, p1 = stock.pop2010.to_numpy(float), stock.pop2020.to_numpy(float)
    s0 = np.clip(stock.urban2010.to_numpy(float) / p0, 1e-9, 1 - 1e-9)
    s1 = np.clip(stock.urban2020.to_numpy(float) / p1, 1e-9, 1 - 1e-9)
    span = periods.quarters_between(*CENSUS_QUARTERS)
    out = {}
    for q in quarters:
        f = periods.quarters_between(CENSUS_QUARTERS[0], q) / span
        pop = np.rint(p0 * (p1 / p0) ** f)
        urban = np.minimum(np.rint(pop * expit((1 - f) * logit(s0) + f * logit(s1))), pop)
        if q == CENSUS_QUARTERS[0]:
            pop, urban = p0, stock.urban2010.to_numpy(float)
        elif q == CENSUS_QUARTERS[1]:
            pop, urban = p1, stock.urban2020.to_numpy(float)
        out[q] = (pop.astype(np.int64), urban.astype(np.int64))
    return out


def demo_seed() -> int:
    """The generator's seed: ``URBDASH_DEMO_SEED`` (the one place it is set)."""
    return int(settings.get("demo_seed"))


def generate(seed: int | None = None) -> pd.DataFrame:
    """Return a wide frame: region_code, period, and one column per reported indicator."""
    rng = np.random.default_rng(demo_seed() if seed is None else seed)
    official = load_official_series()
    registry = load_registry()
    counties = registry[registry.level == "county"].copy()
    counties["group"] = counties.code.map(reporting_unit(registry))  # 杨凌示范区: its own
    counties = counties.sort_values("code").reset_index(drop=True)
    kind = counties.name.str[-1].map({"区": 1.1, "市": 0.3}).fillna(-0.45)
    stocks = census_path(official, counties.code, periods.quarter_range("2013Q4", LAST))

    quarters = periods.quarter_range(FIRST, LAST)
    rows = []
    P = DEMO_PARAMS
    season = np.array(P["seasonality"]) / np.sum(P["seasonality"])
    ratio = P["registered_ratio_2015"] * np.exp(
        np.where(kind > 1, -0.10, 0.04) + rng.normal(0, 0.03, len(counties))
    )
    pop15, _ = stocks["2015Q4"]
    pop13, urban13 = (v.astype(float) for v in stocks["2013Q4"])
    ratio = ratio * (P["registered_ratio_2015"] * pop15.sum()) / (ratio * pop15).sum()
    reg = pop13 * np.asarray(ratio)
    city_name = counties.parent_code.map(registry.set_index("code").name)
    share = P["from_outside_share"]
    outside = city_name.map(lambda n: share.get(n, share["default"])).to_numpy()
    is_xian = (counties.group == code_named("西安市", registry)).to_numpy()
    flows = _flows(rng, quarters, stocks, is_xian, season)

    # Registered population: start so that the 2015Q4 sum equals the published figure.
    def registered_path(reg0: np.ndarray) -> list[np.ndarray]:
        reg, out = reg0, []
        for _q, _p, _u, sr, so, _pm in flows:
            reg = reg * (1 + P["natural_growth_q"]) + outside * (sr + so)
            out.append(reg)
        return out

    i15 = quarters.index("2015Q4")
    target15 = P["registered_ratio_2015"] * pop15.sum()
    added = registered_path(np.zeros_like(reg))[i15].sum()
    reg = reg * (target15 - added) / (registered_path(reg)[i15].sum() - added)
    urb_reg = reg * expit(logit(np.clip(urban13 / pop13, 1e-9, 1 - 1e-9)) - P["hukou_gap_logit"])
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


def _flows(rng, quarters: list[str], stocks: dict, is_xian: np.ndarray, season) -> list[tuple]:
    """Each quarter's populations and flows per county: (quarter, resident, urban resident,
    rural settled, other settled, residence permits). 西安市's 2017 reform adds its published
    totals from 2017Q2, spread over its counties by urban population."""
    P, n = DEMO_PARAMS, len(is_xian)
    flows = []
    for q in quarters:
        y, k = periods.year_of(q), int(q[-1])
        pop, urban = (v.astype(float) for v in stocks[q])
        rural = pop - urban
        rate = P["rural_settle_rate_2014"] * (1 + P["settle_rate_growth"]) ** (y - 2014)
        noise = rng.lognormal(0, P["noise_sd"], n)
        settled_rural = rural * rate * season[k - 1] * noise
        if q >= "2017Q2" and y in P["xian_reform_totals"]:
            qs = [1, 2, 3] if y == 2017 else [0, 1, 2, 3]
            share = season[k - 1] / season[qs].sum()
            weights = np.where(is_xian, urban, 0.0)
            extra = P["xian_reform_totals"][y] * share * weights / weights.sum()
            settled_rural = np.where(is_xian, extra / (1 + P["other_share"]), settled_rural)
        settled_rural = np.rint(settled_rural)
        settled_other = np.rint(settled_rural * P["other_share"] * rng.lognormal(0, 0.1, n))
        permits = (
            np.rint(
                urban * P["permit_rate_q"] * rng.lognormal(0, 0.15, n) * np.where(is_xian, 1.5, 1.0)
            )
            if q >= P["permit_start"]
            else np.zeros(n)
        )
        flows.append((q, pop, urban, settled_rural, settled_other, permits))
    return flows


DEMO_NOTE = (
    "注：示例数据：由程序生成，仅供演示 / demo data generated by urbdash, not official statistics"
)


# The demo's submission calendar: assumptions, not statistics (labelled demo data wherever the
# scorecard shows it). Most reporting units send their return one to three weeks after the
# quarter's end; two are habitually late; now and then a unit sends a return with a typed
# digit too many in one county's settlement count and sends the corrected return later.
CALENDAR = {
    "usual_days": (6, 17),  # a unit's habitual delay after the quarter's end (days)
    "late_units": 2,  # units habitually late
    "late_days": (24, 45),
    "jitter_days": (-4, 8),  # quarter to quarter
    "revise_share": 0.2,  # quarters in which one unit sends a corrected return
    "revise_after_days": (5, 25),
    "typo_factor": 10,  # the typed digit too many
    # the review cycle: a city returns a return with a typed digit too many the day after it
    # arrives; the cities approve their counties, the province the cities, then the
    # province's quarter and its release, these many days after the quarter's last return
    "return_after_days": 1,
    "review_days": {"county": 3, "unit": 5, "province": 7, "release": 10},
}
# who reviews in the demo: the system, named by the level it acts for
DEMO_REVIEWERS = {
    "county": Principal.system("demo-city-reviewer"),
    "unit": Principal.system("demo-province-reviewer"),
    "province": Principal.system("demo-province-reviewer"),
    "release": Principal.system("demo-admin"),
}
DEMO_RETURN_COMMENT = "本季农业转移人口落户人数约为上季的十倍，疑似多输一位，请核对后重报"


def submission_calendar(frame: pd.DataFrame, seed: int | None = None) -> list[dict]:
    """The order in which the demo returns arrive: per quarter one return of the units on
    time and one of the late ones (``report_due_days``), each received when its last unit
    sent it, and the corrected returns; each entry {period, units, received (UTC timestamp),
    kind ("first" or "correction"), typo (region_code or None), late}, in order of receipt."""
    rng = np.random.default_rng((demo_seed() if seed is None else seed) + 1)
    units = sorted(frame.region_code.map(_unit_of()).unique())
    c = CALENDAR
    habit = dict(zip(units, rng.integers(*c["usual_days"], len(units), endpoint=True), strict=True))
    for u in rng.choice(units, c["late_units"], replace=False):
        habit[u] = int(rng.integers(*c["late_days"], endpoint=True))
    due = int(settings.get("report_due_days"))
    out = []
    for q in sorted(frame.period.unique()):
        end = pd.Period(q, freq="Q").end_time.normalize().tz_localize("UTC")
        delay = {u: max(1, habit[u] + int(rng.integers(*c["jitter_days"], endpoint=True)))
                 for u in units}  # fmt: skip
        typo = None
        if rng.random() < c["revise_share"]:
            unit = str(rng.choice(units))
            counties = sorted(frame.loc[frame.region_code.map(_unit_of()) == unit, "region_code"]
                              .unique())  # fmt: skip
            typo = (unit, str(rng.choice(counties)))
        for late in (False, True):
            group = [u for u in units if (delay[u] > due) == late]
            if not group:
                continue
            days = max(delay[u] for u in group)
            hit = typo[1] if typo and typo[0] in group else None
            out.append({"period": q, "units": group, "received": end + pd.Timedelta(days=days),
                        "kind": "first", "typo": hit, "late": late})  # fmt: skip
            if hit:
                after = int(rng.integers(*c["revise_after_days"], endpoint=True))
                out.append({"period": q, "units": [typo[0]], "kind": "correction", "typo": None,
                            "received": end + pd.Timedelta(days=days + after), "late": late})  # fmt: skip
    return sorted(out, key=lambda e: e["received"])


def _unit_of() -> dict:
    """County code -> the code of the unit it reports through (a city, or 杨凌示范区)."""
    from geo.regions import reporting_unit

    return reporting_unit(load_registry()).to_dict()


def write_workbooks(out_dir, seed: int | None = None) -> list[tuple]:
    """Write the demo returns in the order they arrive (``submission_calendar``): one
    workbook per return (one sheet per city), with the day it was received and whether it
    corrects an earlier one; [(path, entry)]."""
    from pathlib import Path

    from data.intake.template import write_return

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frame = generate(seed)
    unit = frame.region_code.map(_unit_of())
    paths = []
    for e in submission_calendar(frame, seed):
        part = frame[(frame.period == e["period"]) & unit.isin(e["units"])].copy()
        if e["typo"]:
            at = part.region_code == e["typo"]
            part.loc[at, "settled_rural"] = part.loc[at, "settled_rural"] * CALENDAR["typo_factor"]
        # named by quarter, day received and kind, as a person would name it (no region codes)
        kind = e["kind"] if e["kind"] == "correction" else ("late" if e["late"] else "on_time")
        name = f"demo_return_{e['period']}_{e['received']:%Y%m%d}_{kind}.xlsx"
        paths.append((write_return(out_dir / name, e["period"], part, note=DEMO_NOTE), e))
    return paths


def review_calendar(entries: list[dict]) -> list[tuple]:
    """The demo's review steps (time, order, kind, what): a return with a typed digit too many
    is returned to its county the day after it arrives, and each quarter is approved by the
    cities, then the province, and released, days after its last return (``CALENDAR``)."""
    c = CALENDAR
    out = []
    last: dict[str, pd.Timestamp] = {}
    for e in entries:
        last[e["period"]] = max(last.get(e["period"], e["received"]), e["received"])
        if e["typo"]:
            at = e["received"] + pd.Timedelta(days=c["return_after_days"])
            out.append((at, 1, "return", (e["period"], e["typo"])))
    for q, at in last.items():
        for n, level in enumerate(("county", "unit", "province", "release"), 2):
            out.append((at + pd.Timedelta(days=c["review_days"][level]), n, level, (q, None)))
    return out


def _review(engine, kind: str, what: tuple, at: pd.Timestamp) -> None:
    """One step of ``review_calendar`` through the ordinary approval rules."""
    from data.store import approvals, releases
    from geo.regions import PROVINCE_CODE, reporting_units

    period, code = what
    when = at.to_pydatetime()
    reg = load_registry()
    counties = reg.loc[reg.level == "county", "code"].tolist()
    if kind == "return":
        approvals.send_back(code, period, DEMO_REVIEWERS["county"], DEMO_RETURN_COMMENT, engine,
                            when)  # fmt: skip
    elif kind == "release":
        releases.release(period, DEMO_REVIEWERS["release"], engine=engine, when=when)
    else:
        codes = {
            "county": counties,
            "unit": [u for u in reporting_units(reg).code if u not in set(counties)],
            "province": [PROVINCE_CODE],
        }[kind]
        approvals.approve_many(codes, period, DEMO_REVIEWERS[kind], engine=engine, when=when)


def load_demo(engine=None, reset: bool = False, seed: int | None = None, out_dir=None) -> dict:
    """Generate the demo workbooks and load them through the ordinary ingest path, each with
    the day the calendar says it was received (corrections replace the values they fix).

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
    steps = [(e["received"], 0, "ingest", (path, e)) for path, e in write_workbooks(out_dir, seed)]
    steps += review_calendar([e for _, _, _, (_, e) in steps])
    for at, _, kind, what in sorted(steps, key=lambda s: (s[0], s[1])):
        if kind != "ingest":
            _review(engine, kind, what, at)
            continue
        path, entry = what
        # accept_warnings: the demo deliberately holds Xi'an's 2017 reform jump and the typed
        # digits, which the robust history rules flag, as they should for a real return
        report = ingest(
            path.read_bytes(),
            path.name,
            user=DEMO_LOADER,
            is_demo=True,
            engine=engine,
            accept_warnings=True,
            replace=entry["kind"] == "correction",
            received_at=entry["received"].to_pydatetime(),
        )
        if report.status not in ("committed", "duplicate", "unchanged"):
            raise RuntimeError(
                f"demo workbook {path.name} was {report.status}: {report.errors[:3]}"
            )
        counts[report.status] = counts.get(report.status, 0) + 1
    return counts
