"""重点任务 / Key tasks: the 37 tasks of the division plan, by section and department, with
status updates kept with who and when. Overdue is judged at the chosen evaluation date by the
brief's rule (``analytics.tasks.task_table``); department users update the tasks their
department leads or co-leads (checked again in the core)."""

from datetime import date

import streamlit as st

import ui
from ui import actions
from ui.views import tasks as view

me = ui.user()
st.title(ui.tr("task.heading"))
st.caption(view.intro())
ALL = view.ALL
SEP = ui.tr("list.enum")  # list separator of the language

f0, f1, f2, f3 = st.columns([2, 4, 3, 2])
as_of = f0.date_input(
    ui.tr("task.as_of"),
    value=date.today(),
    min_value=date(2014, 1, 1),  # the plan's first year; Streamlit's default is ten years back
    key="task_as_of",
)
frame = ui.tasks_frame(as_of.isoformat())
sections = list(dict.fromkeys(frame.section))
departments = list(dict.fromkeys(d for ds in frame.departments for d in ds))
section = f1.selectbox(
    ui.tr("task.filter_section"),
    [ALL, *sections],
    key="task_section",
    format_func={ALL: ui.tr("task.all"), **{x: view.section_name(x) for x in sections}}.get,
)
department = f2.selectbox(
    ui.tr("task.filter_department"),
    [ALL, *departments],
    key="task_department",
    format_func={ALL: ui.tr("task.all"), **{d: view.dept(d) for d in departments}}.get,
)
statuses = view.status_names()
status = f3.selectbox(
    ui.tr("task.filter_status"),
    [ALL, *statuses],
    key="task_status",
    format_func={ALL: ui.tr("task.all"), **statuses}.get,
)
shown = view.filtered(frame, section, department, status)
st.markdown(view.counts_line(shown))
st.caption(ui.tr("task.as_of_note", date=as_of.isoformat()))
st.caption(ui.tr("task.unofficial"))
picked = ui.table(
    st,
    view.grid(shown),
    hide_index=True,
    width="stretch",
    height=360,
    key="task_table",
    # rows as tall as the titles need to fit the grid on the screen (ui.table decides)
    on_select="rerun",
    selection_mode="single-row",
)
rows = picked.selection.rows if picked else []
if rows:
    heading, text, where = view.detail(shown.iloc[rows[0]])
    with st.container(border=True):
        st.markdown(heading)
        st.markdown(text)
        st.caption(where)
else:
    st.caption(ui.tr("task.pick_row"))

st.subheader(ui.tr("task.dept_view"))
st.table(view.by_department(frame))

mine = view.updatable(frame, me)
if len(mine):
    st.subheader(ui.tr("task.update_heading"))
    st.caption(ui.tr("task.update_mine", departments=SEP.join(map(view.dept, me.departments))))
    with st.form("task_update", clear_on_submit=False, enter_to_submit=False):
        u1, u2 = st.columns([5, 2])
        number = u1.selectbox(
            ui.tr("task.update_task"),
            list(mine.number),
            key="task_update_number",
            # labels made here, in the page's language (a format_func may run outside the run)
            format_func={n: f"{n}. {view.title(n)}" for n in mine.number}.get,
        )
        settable = view.status_names(shown=False)
        new_status = u2.selectbox(
            ui.tr("task.update_status"),
            list(settable),
            key="task_update_status",
            format_func=settable.get,
        )
        note = st.text_area(ui.tr("task.update_note"), key="task_update_note", height=80)
        evidence = st.text_input(ui.tr("task.update_evidence"), key="task_update_evidence")
        if st.form_submit_button(ui.tr("task.update_submit"), type="primary"):
            refused = actions.update_task(number, new_status, note, evidence, me)
            if refused:
                st.error(ui.tr("task.update_error", error=refused))
            else:
                st.session_state["task_saved"] = (int(number), new_status)
                st.rerun()
if "task_saved" in st.session_state:
    n, s = st.session_state.pop("task_saved")
    st.success(ui.tr("task.update_saved", number=n, status=ui.tr(f"task.status.{s}")))

with st.expander(ui.tr("task.history")):
    history = ui.task_updates()
    if history.empty:
        st.caption(ui.tr("task.no_updates"))
    else:
        ui.table(st, view.history(history), hide_index=True, width="stretch")
