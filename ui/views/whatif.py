"""The what-if page's pieces: the saved scenarios as choices, the parameters a page opens on,
the city multipliers' grid, the parameters from the controls, the chart and the export."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from analytics.render import charts
from analytics.scenarios import DEFAULT_AS_OF, ScenarioParams
from data.typed_text import file_stem
from geo.regions import PROVINCE_CODE
from ui.state import lang, tr


def saved_choices(saved: pd.DataFrame) -> dict:
    """None (start afresh) and each saved scenario: id, name, author."""
    return {
        None: tr("whatif.none"),
        **{
            i: f"{i} · {n} · {a}"
            for i, n, a in zip(saved.id, saved.name, saved.author, strict=True)
        },
    }


def opening(saved: pd.DataFrame, pick, headline: str | None, last: str) -> ScenarioParams:
    """The parameters the controls open on: the loaded scenario's, else the defaults seen from
    a year before the 2020 targets (when a decision could still change them)."""
    if pick:
        return ScenarioParams(**saved.set_index("id").at[pick, "params"])
    return ScenarioParams(as_of=min(headline or last, DEFAULT_AS_OF))


def city_grid(cities: dict, base: ScenarioParams) -> tuple[pd.DataFrame, dict]:
    """Each city's multiplier, editable (the code kept for the key, not shown)."""
    cities = {k: v for k, v in cities.items() if k != PROVINCE_CODE}
    table = pd.DataFrame(
        {
            "code": list(cities),
            "name": list(cities.values()),
            "multiplier": [float(base.city_multipliers.get(c, 1.0)) for c in cities],
        }
    )
    config = {
        "code": None,  # the key, not for reading
        "name": st.column_config.TextColumn(tr("col.city")),
        "multiplier": st.column_config.NumberColumn(
            tr("whatif.col.multiplier"), min_value=0.0, step=0.1, format="%.1f"
        ),
    }
    return table, config


def params(base: ScenarioParams, edited: pd.DataFrame, **controls) -> ScenarioParams:
    """The scenario the controls describe (a city multiplier of 1 is no change)."""
    return ScenarioParams(
        name=base.name,
        city_multipliers={
            r.code: float(r.multiplier) for r in edited.itertuples() if r.multiplier != 1.0
        },
        **controls,
    )


def as_key(p: ScenarioParams) -> str:
    """The parameters as the cached run's key."""
    return json.dumps(p.as_dict(), sort_keys=True)


def chart(result: dict, actual: pd.Series):
    """The actual path, then baseline and scenario fans after it; the actual path shown up
    to the scenario's last quarter (also after its origin when the store holds those)."""
    ends = max(p["period"] for p in result["settled"]["scenario_path"])
    return charts.scenario_chart(result["settled"], actual[actual.index <= ends], lang())


def method_line(result: dict) -> str:
    settled = result["settled"]
    calibrated = (
        tr("whatif.calibrated", oos=f"{settled['coverage95_out_of_sample']:.0%}")
        if settled["calibrated"]
        else tr("whatif.uncalibrated")
    )
    return tr("whatif.method", model=tr(f"skill.method.{settled['method']}"), calibrated=calibrated)


def export(result: dict, name: str) -> tuple[str, str]:
    """The run as JSON carrying the name typed (saved or not), and its file name."""
    exported = {**result, "name": name, "params": {**result["params"], "name": name}}
    text = json.dumps(exported, ensure_ascii=False, indent=2, default=str)
    return text, f"scenario-{file_stem(name) or 'unnamed'}.json"
