"""情景模拟 / What-if: planner controls, baseline vs scenario, save / load / export."""

import json

import pandas as pd
import streamlit as st

import ui
from analytics import scenarios
from analytics.aggregate import province_cumulative
from analytics.render import charts
from data.refusal import Refusal
from data.typed_text import file_stem
from geo.regions import PROVINCE_CODE

lang = ui.lang()
st.title(ui.tr("whatif.heading"))
st.caption(ui.tr("whatif.intro"))
origins = ui.origin_quarters()
obs = ui.observations()
state = st.session_state
saved = scenarios.list_saved(ui.engine())
options = [None, *saved.id.tolist()]
pick = st.selectbox(
    ui.tr("whatif.load"),
    options,
    key="whatif_load",
    format_func={
        None: ui.tr("whatif.none"),
        **{
            i: f"{i} · {n} · {a}"
            for i, n, a in zip(saved.id, saved.name, saved.author, strict=True)
        },
    }.get,
)
loaded = scenarios.ScenarioParams(**saved.set_index("id").at[pick, "params"]) if pick else None
# by default the view from a year before the 2020 targets, when a decision could still change them
default_as_of = min(ui.headline_quarter() or origins[-1], scenarios.DEFAULT_AS_OF)
base = loaded or scenarios.ScenarioParams(as_of=default_as_of)

c1, c2, c3 = st.columns(3)
as_of = c1.select_slider(
    ui.tr("whatif.as_of"),
    origins,
    value=base.as_of or origins[-1],
    key=f"whatif_as_of_{pick}",
)
multiplier = c2.slider(
    ui.tr("whatif.multiplier"),
    0.0,
    3.0,
    float(base.multiplier),
    0.05,
    key=f"whatif_multiplier_{pick}",
)
# a scenario changes what happens after its start: only the sets with a target still ahead
sets = ui.held_target_sets(after=as_of)
set_names = list(sets.name) or [ui.default_target_set()]
chosen_set = base.target_set if base.target_set in set_names else ui.default_target_set()
target_set = c3.selectbox(
    ui.tr("proj.target_set"),
    set_names,
    index=set_names.index(chosen_set) if chosen_set in set_names else 0,
    format_func=ui.target_set_label,
    key=f"whatif_target_set_{pick}",
)
future = [q for q in ui.future_quarters(as_of, target_set)]
start = c3.selectbox(
    ui.tr("whatif.from"),
    future,
    key=f"whatif_from_{pick}",
    index=future.index(base.from_period) if base.from_period in future else 0,
)
d1, d2, d3, d4 = st.columns(4)
surge = d1.number_input(
    ui.tr("whatif.surge"),
    0,
    2_000_000,
    int(base.surge_per_quarter),
    10_000,
    key=f"whatif_surge_{pick}",
)
surge_q = d2.number_input(
    ui.tr("whatif.surge_quarters"), 0, 40, int(base.surge_quarters), 1, key=f"whatif_surge_q_{pick}"
)
growth = d3.number_input(
    ui.tr("whatif.growth"),
    -5.0,
    5.0,
    float(base.population_growth),
    0.1,
    key=f"whatif_growth_{pick}",
)
migration = d4.number_input(
    ui.tr("whatif.migration"),
    0,
    2_000_000,
    int(base.net_migration),
    10_000,
    key=f"whatif_migration_{pick}",
)
with st.expander(ui.tr("whatif.cities")):
    cities = {k: v for k, v in ui.scope_options().items() if k != PROVINCE_CODE}
    table = pd.DataFrame(
        {
            "code": list(cities),
            "name": list(cities.values()),
            "multiplier": [float(base.city_multipliers.get(c, 1.0)) for c in cities],
        }
    )
    edited = st.data_editor(
        table,
        hide_index=True,
        disabled=["code", "name"],
        key=f"whatif_cities_{pick}",
        column_config={
            "code": None,  # the key, not for reading
            "name": st.column_config.TextColumn(ui.tr("col.city")),
            "multiplier": st.column_config.NumberColumn(
                ui.tr("whatif.col.multiplier"), min_value=0.0, step=0.1, format="%.1f"
            ),
        },
    )
params = scenarios.ScenarioParams(
    name=base.name,
    as_of=as_of,
    from_period=start,
    multiplier=multiplier,
    city_multipliers={
        r.code: float(r.multiplier) for r in edited.itertuples() if r.multiplier != 1.0
    },
    surge_per_quarter=float(surge),
    surge_quarters=int(surge_q),
    population_growth=float(growth),
    net_migration=float(migration),
    target_set=target_set,
)
result = ui.scenario_result(json.dumps(params.as_dict(), sort_keys=True))

st.subheader(ui.tr("whatif.compare"))
ui.table(st, scenarios.comparison(result, lang), hide_index=True, width="stretch")
# what actually happened, beside the scenarios: the returns' cumulative settlement, also after
# the forecast origin when the store holds those quarters
actual = province_cumulative(obs, ui.registry())
ends = max(p["period"] for p in result["settled"]["scenario_path"])
fig = charts.scenario_chart(result["settled"], actual[actual.index <= ends], lang)
st.plotly_chart(fig, width="stretch", config={"displaylogo": False})
if bool(obs.is_demo.any()):
    ui.demo_badge()
st.caption(
    ui.tr(
        "whatif.method",
        model=ui.tr(f"skill.method.{result['settled']['method']}"),
        calibrated=ui.tr(
            "whatif.calibrated",
            oos=f"{result['settled']['coverage95_out_of_sample']:.0%}",
        )
        if result["settled"]["calibrated"]
        else ui.tr("whatif.uncalibrated"),
    )
)

s1, s3 = st.columns([3, 1], vertical_alignment="bottom")
name = s1.text_input(ui.tr("whatif.name"), value=base.name, key=f"whatif_name_{pick}")
me = ui.user()
# saving is for planners (checked again in the core); everyone may run and export
if me.may("scenario_save") and s3.button(ui.tr("whatif.save"), icon=":material/save:"):
    params.name = name
    try:
        new_id = scenarios.save(params, me, ui.engine())
    except Refusal as exc:
        st.error(exc.message(lang))
    except scenarios.ScenarioError as exc:
        st.error(str(exc))
    else:
        st.success(ui.tr("whatif.saved", id=new_id))
# the export carries the name typed above (saved or not)
exported = {**result, "name": name, "params": {**result["params"], "name": name}}
st.download_button(
    ui.tr("whatif.export"),
    json.dumps(exported, ensure_ascii=False, indent=2, default=str),
    file_name=f"scenario-{file_stem(name) or 'unnamed'}.json",
    mime="application/json",
)
