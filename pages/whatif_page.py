"""情景模拟 / What-if: planner controls, baseline vs scenario, save / load / export."""

import streamlit as st

import ui
from ui import actions
from ui.views import whatif as view

st.title(ui.tr("whatif.heading"))
st.caption(ui.tr("whatif.intro"))
origins = ui.origin_quarters()
obs = ui.observations()
state = st.session_state
saved = ui.saved_scenarios()
choices = view.saved_choices(saved)
pick = st.selectbox(ui.tr("whatif.load"), list(choices), key="whatif_load", format_func=choices.get)
base = view.opening(saved, pick, ui.headline_quarter(), origins[-1])

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
    table, columns = view.city_grid(ui.scope_options(), base)
    edited = st.data_editor(
        table,
        hide_index=True,
        disabled=["code", "name"],
        key=f"whatif_cities_{pick}",
        column_config=columns,
    )
params = view.params(
    base,
    edited,
    as_of=as_of,
    from_period=start,
    multiplier=multiplier,
    surge_per_quarter=float(surge),
    surge_quarters=int(surge_q),
    population_growth=float(growth),
    net_migration=float(migration),
    target_set=target_set,
)
result = ui.scenario_result(view.as_key(params))

st.subheader(ui.tr("whatif.compare"))
ui.table(st, ui.scenario_comparison(result), hide_index=True, width="stretch")
# what actually happened, beside the scenarios: the returns' cumulative settlement, also after
# the forecast origin when the store holds those quarters
fig = view.chart(result, ui.province_cumulative())
st.plotly_chart(fig, width="stretch", config={"displaylogo": False})
if bool(obs.is_demo.any()):
    ui.demo_badge()
st.caption(view.method_line(result))

s1, s3 = st.columns([3, 1], vertical_alignment="bottom")
name = s1.text_input(ui.tr("whatif.name"), value=base.name, key=f"whatif_name_{pick}")
me = ui.user()
# saving is for planners (checked again in the core); everyone may run and export
if me.may("scenario_save") and s3.button(ui.tr("whatif.save"), icon=":material/save:"):
    params.name = name
    new_id, refused = actions.save_scenario(params, me)
    if refused:
        st.error(refused)
    else:
        st.success(ui.tr("whatif.saved", id=new_id))
text, file_name = view.export(result, name)  # the name typed above (saved or not)
st.download_button(ui.tr("whatif.export"), text, file_name=file_name, mime="application/json")
