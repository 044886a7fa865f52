"""重点任务 / Key tasks: the 37 tasks of the division plan, by section and department, with
status updates kept with who and when. Overdue is judged at the chosen evaluation date by the
brief's rule (``analytics.tasks.list_tasks``); department users update the tasks their
department leads or co-leads (checked again in the core)."""

from datetime import date

import streamlit as st

import ui
from analytics import tasks
from data.accounts import policy
from data.reference import plan
from data.refusal import Refusal

lang = ui.lang()
me = ui.user()
meta = plan.plan_meta()
st.title(ui.tr("task.heading"))
st.caption(
    ui.tr(
        "task.intro",
        title=meta["title_zh"] if lang == "zh" else meta["title_en"],
        issuer=meta["issuer_zh"] if lang == "zh" else meta["issuer_en"],
        date=meta["date"],
    )
)
ALL = "*"
SEP = ui.tr("list.enum")  # list separator of the language


def dept(name: str) -> str:
    return name if lang == "zh" else plan.department_en(name)


def section_name(section: str) -> str:
    return section if lang == "zh" else plan.section_en(section)


def title(number: int, text: str) -> str:
    """A task as its row reads: the product's short title (the plan's text is in the detail)."""
    return plan.task_title(number, lang)


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
    format_func={ALL: ui.tr("task.all"), **{x: section_name(x) for x in sections}}.get,
)
department = f2.selectbox(
    ui.tr("task.filter_department"),
    [ALL, *departments],
    key="task_department",
    format_func={ALL: ui.tr("task.all"), **{d: dept(d) for d in departments}}.get,
)
status = f3.selectbox(
    ui.tr("task.filter_status"),
    [ALL, *tasks.SHOWN_STATUSES],
    key="task_status",
    format_func={
        ALL: ui.tr("task.all"),
        **{x: ui.tr(f"task.status.{x}") for x in tasks.SHOWN_STATUSES},
    }.get,
)
shown = frame
if section != ALL:
    shown = shown[shown.section == section]
if department != ALL:
    shown = shown[shown.departments.map(lambda ds: department in ds)]
if status != ALL:
    shown = shown[shown.status == status]

counts = shown.status.value_counts()  # the counts follow the filters
st.markdown(
    ui.tr("task.counts", n=len(shown), **{s: int(counts.get(s, 0)) for s in tasks.SHOWN_STATUSES})
)
st.caption(ui.tr("task.as_of_note", date=as_of.isoformat()))
each = ui.tr("task.each_responsible")
table = shown.assign(
    lead=[
        f"（{each}）" if e else dept(lead) if isinstance(lead, str) else "—"
        for lead, e in zip(shown.lead, shown.each_responsible, strict=True)
    ],
    status=shown.status.map(lambda s: ui.tr(f"task.status.{s}")),
    updated=[
        f"{u} {a[:10]}" if isinstance(u, str) else "—"
        for u, a in zip(shown.updated_by, shown.updated_at, strict=True)
    ],
    deadline=shown.deadline.fillna("—"),
    section=shown.section.map(section_name),
    text=[title(n, x) for n, x in zip(shown.number, shown.text, strict=True)],
    text_zh=shown.text,
)
# status and deadline first: visible without scrolling right on a laptop screen; the short
# title and the lead in the grid, the plan's own text and every department in the detail of a
# chosen row (and by department below), so that the grid fits the screen in both languages
TASK_COLUMNS = ["number", "status", "deadline", "text", "lead", "updated"]
st.caption(ui.tr("task.unofficial"))
grid = table[TASK_COLUMNS]
grid.columns = [ui.tr(f"task.col.{c}") for c in TASK_COLUMNS]
picked = ui.table(
    st,
    grid,
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
    task = shown.iloc[rows[0]]
    with st.container(border=True):
        st.markdown(f"**{task.number}. {title(task.number, task.text)}**")
        st.markdown(f"{ui.tr('task.col.text_zh')}：{task.text}" if lang == "zh" else
                    f"{ui.tr('task.col.text_zh')}: {task.text}")  # fmt: skip
        st.caption(
            "  \n".join(
                [
                    f"{ui.tr('task.col.section')}: {section_name(task.section)}",
                    f"{ui.tr('task.col.departments')}: {SEP.join(map(dept, task.departments))}",
                ]
            )
        )
else:
    st.caption(ui.tr("task.pick_row"))

st.subheader(ui.tr("task.dept_view"))
view = tasks.department_view(frame)
view = view.assign(
    department=view.department.map(dept),
    led=view.led.map(lambda ns: SEP.join(map(str, ns))),
    co_led=view.co_led.map(lambda ns: SEP.join(map(str, ns))),
).rename(
    columns={
        "department": ui.tr("task.col.department"),
        "led": ui.tr("task.col.led"),
        "co_led": ui.tr("task.col.co_led"),
        "n_led": ui.tr("task.col.n_led"),
        "n_co_led": ui.tr("task.col.n_co_led"),
        **{s: ui.tr(f"task.status.{s}") for s in tasks.SHOWN_STATUSES},
    }
)
st.table(view.set_index(view.columns[0]))

mine = frame[[policy.may_update_task(me, ds) for ds in frame.departments]]
if len(mine):
    st.subheader(ui.tr("task.update_heading"))
    st.caption(ui.tr("task.update_mine", departments=SEP.join(map(dept, me.departments))))
    with st.form("task_update", clear_on_submit=False, enter_to_submit=False):
        u1, u2 = st.columns([5, 2])
        number = u1.selectbox(
            ui.tr("task.update_task"),
            list(mine.number),
            key="task_update_number",
            format_func={
                n: f"{n}. {title(n, text)}"
                for n, text in zip(frame.number, frame.text, strict=True)
            }.get,
        )
        new_status = u2.selectbox(
            ui.tr("task.update_status"),
            tasks.STATUSES,
            key="task_update_status",
            format_func={x: ui.tr(f"task.status.{x}") for x in tasks.STATUSES}.get,
        )
        note = st.text_area(ui.tr("task.update_note"), key="task_update_note", height=80)
        evidence = st.text_input(ui.tr("task.update_evidence"), key="task_update_evidence")
        if st.form_submit_button(ui.tr("task.update_submit"), type="primary"):
            try:
                tasks.update_task(number, new_status, note, evidence, me, engine=ui.engine())
            except tasks.TaskError as exc:
                st.error(ui.tr("task.update_error", error=exc))
            except Refusal as exc:
                st.error(ui.tr("task.update_error", error=exc.message(lang)))
            else:
                ui.clear_data_caches()
                st.session_state["task_saved"] = (int(number), new_status)
                st.rerun()
if "task_saved" in st.session_state:
    n, s = st.session_state.pop("task_saved")
    st.success(ui.tr("task.update_saved", number=n, status=ui.tr(f"task.status.{s}")))

with st.expander(ui.tr("task.history")):
    history = tasks.task_updates(ui.engine())
    if history.empty:
        st.caption(ui.tr("task.no_updates"))
    else:
        # typed notes and links are shown as plain text cells, never as HTML or markdown
        HISTORY_COLUMNS = ["at", "number", "status", "note", "evidence_url", "user"]
        history = history.assign(
            at=history["at"].str[:16].str.replace("T", " "),
            status=history.status.map(lambda s: ui.tr(f"task.status.{s}")),
        )[HISTORY_COLUMNS]
        ui.table(
            st,
            history.rename(columns={c: ui.tr(f"task.hcol.{c}") for c in HISTORY_COLUMNS}),
            hide_index=True,
            width="stretch",
        )
