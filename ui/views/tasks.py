"""The key-tasks page's words and tables: departments and sections in the page's language
(the plan's Chinese names are the stored keys), the tasks grid, the view by department and the
update history."""

from __future__ import annotations

import pandas as pd

from analytics.tasks import SHOWN_STATUSES, STATUSES, department_view
from data.accounts.policy import may_update_task
from data.reference import plan
from ui.state import lang, tr

ALL = "*"  # the "all" choice of a filter
# status and deadline first: visible without scrolling right on a laptop screen; the short
# title and the lead in the grid, the plan's own text and every department in the detail of a
# chosen row (and by department below), so that the grid fits the screen in both languages
TASK_COLUMNS = ["number", "status", "deadline", "text", "lead", "updated"]
HISTORY_COLUMNS = ["at", "number", "status", "note", "evidence_url", "user"]


def intro() -> str:
    meta = plan.plan_meta()
    zh = lang() == "zh"
    return tr(
        "task.intro",
        title=meta["title_zh"] if zh else meta["title_en"],
        issuer=meta["issuer_zh"] if zh else meta["issuer_en"],
        date=meta["date"],
    )


def dept(name: str) -> str:
    return name if lang() == "zh" else plan.department_en(name)


def section_name(section: str) -> str:
    return section if lang() == "zh" else plan.section_en(section)


def title(number: int) -> str:
    """A task as its row reads: the product's short title (the plan's text is in the detail)."""
    return plan.task_title(number, lang())


def status_names(shown: bool = True) -> dict[str, str]:
    """The states a filter offers (``shown``), or those an update may set, in words."""
    return {s: tr(f"task.status.{s}") for s in (SHOWN_STATUSES if shown else STATUSES)}


def filtered(frame: pd.DataFrame, section: str, department: str, status: str) -> pd.DataFrame:
    shown = frame
    if section != ALL:
        shown = shown[shown.section == section]
    if department != ALL:
        shown = shown[shown.departments.map(lambda ds: department in ds)]
    if status != ALL:
        shown = shown[shown.status == status]
    return shown


def counts_line(shown: pd.DataFrame) -> str:
    counts = shown.status.value_counts()  # the counts follow the filters
    return tr("task.counts", n=len(shown), **{s: int(counts.get(s, 0)) for s in SHOWN_STATUSES})


def grid(shown: pd.DataFrame) -> pd.DataFrame:
    """The tasks grid: number, status, deadline, short title, lead, last update."""
    each = tr("task.each_responsible")
    table = shown.assign(
        lead=[
            f"（{each}）" if e else dept(lead) if isinstance(lead, str) else "—"
            for lead, e in zip(shown.lead, shown.each_responsible, strict=True)
        ],
        status=shown.status.map(lambda s: tr(f"task.status.{s}")),
        updated=[
            f"{u} {a[:10]}" if isinstance(u, str) else "—"
            for u, a in zip(shown.updated_by, shown.updated_at, strict=True)
        ],
        deadline=shown.deadline.fillna("—"),
        text=[title(n) for n in shown.number],
    )[TASK_COLUMNS]
    table.columns = [tr(f"task.col.{c}") for c in TASK_COLUMNS]
    return table


def detail(task) -> tuple[str, str, str]:
    """A chosen task: its title line, the plan's own text, and its section and departments."""
    label = tr("task.col.text_zh")
    departments = tr("list.enum").join(map(dept, task.departments))
    return (
        f"**{task.number}. {title(task.number)}**",
        f"{label}：{task.text}" if lang() == "zh" else f"{label}: {task.text}",
        f"{tr('task.col.section')}: {section_name(task.section)}  \n"
        f"{tr('task.col.departments')}: {departments}",
    )


def by_department(frame: pd.DataFrame) -> pd.DataFrame:
    """Per department: the tasks it leads and co-leads, and their states."""
    sep = tr("list.enum")
    view = department_view(frame)
    view = view.assign(
        department=view.department.map(dept),
        led=view.led.map(lambda ns: sep.join(map(str, ns))),
        co_led=view.co_led.map(lambda ns: sep.join(map(str, ns))),
    ).rename(
        columns={
            "department": tr("task.col.department"),
            "led": tr("task.col.led"),
            "co_led": tr("task.col.co_led"),
            "n_led": tr("task.col.n_led"),
            "n_co_led": tr("task.col.n_co_led"),
            **status_names(),
        }
    )
    return view.set_index(view.columns[0])


def updatable(frame: pd.DataFrame, user) -> pd.DataFrame:
    """The tasks this person's departments lead or co-lead."""
    return frame[[may_update_task(user, ds) for ds in frame.departments]]


def history(updates: pd.DataFrame) -> pd.DataFrame:
    """Typed notes and links as plain text cells, never as HTML or markdown."""
    shown = updates.assign(
        at=updates["at"].str[:16].str.replace("T", " "),
        status=updates.status.map(lambda s: tr(f"task.status.{s}")),
    )[HISTORY_COLUMNS]
    return shown.rename(columns={c: tr(f"task.hcol.{c}") for c in HISTORY_COLUMNS})
