"""The 37 key tasks of the 2015 division plan: parsed from the plan's text, stored, and
tracked with status updates.

The plan (``data/plan/division_plan_2015.txt``, provenance in ``meta.json``) is read by rule,
not by position: section headings ``一、…``, tasks ``（一）…`` and, at the end of each task, the
responsibility clause ``（省公安厅、省发展改革委等负责）``. The plan's own rule names the lead:
"除明确各部门分别负责的工作外，列第一位者为牵头部门" — the first listed department leads, except
where each department is responsible for its part (``分别负责``, no single lead). Department
names are matched against ``data/plan/departments.csv`` (longest first, so a name that contains
``、`` such as ``各市、县、区政府`` stays whole); anything else is split on the separators and
reported by ``unknown_departments``.

A task's status is its latest update (not started / in progress / done); ``overdue`` is never
stored: it is computed from the deadline and the evaluation date.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
from sqlalchemy import delete, func, select
from sqlalchemy.engine import Engine

from data import store
from data.models import AuditLog, Task, TaskUpdate

PLAN_DIR = Path(__file__).with_name("plan")
PLAN_FILE = PLAN_DIR / "division_plan_2015.txt"
STATUSES = ("not_started", "in_progress", "done")  # what an update may say
SHOWN_STATUSES = STATUSES + ("overdue",)  # what the page shows (overdue is computed)
MAX_NOTE = 2000
# a task as the plan states it (the store's columns), in the order the CLI prints them
PLAN_FIELDS = (
    "number",
    "number_zh",
    "section",
    "text",
    "departments",
    "lead",
    "each_responsible",
    "deadline",
)

_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SECTION = re.compile(r"^\s*([一二三四五六七八九十]+)、\s*(\S.*?)\s*$")
_TASK = re.compile(r"^\s*[（(]([一二三四五六七八九十]+)[）)]\s*(\S.*?)\s*$")
# the responsibility clause closing a task: （A、B等负责） / （A、B等分别负责。note）
_CLAUSE = re.compile(r"[（(]([^（）()]*?负责[^（）()]*)[）)]\s*$")
_DEADLINE = re.compile(r"(20\d{2})\s*年(?:\s*(\d{1,2})\s*月\s*(?:底|末)?)?")
_CITATION = re.compile(r"《[^》]*》|〔[^〕]*〕|\[[^\]]*\]")


class TaskError(ValueError):
    """A status update that cannot be stored; the message says why."""


@dataclass
class ParsedTask:
    number: int
    number_zh: str
    section: str
    section_number: int
    text: str
    departments: list[str] = field(default_factory=list)
    lead: str | None = None
    each_responsible: bool = False
    deadline: str | None = None


def zh_number(text: str) -> int:
    """Chinese numerals up to 99: 一 → 1, 十 → 10, 十七 → 17, 三十七 → 37."""
    if not text or any(c not in _NUMERALS and c != "十" for c in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if "十" not in text:
        return _NUMERALS[text] if len(text) == 1 else int("".join(str(_NUMERALS[c]) for c in text))
    tens, _, ones = text.partition("十")
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0)


@lru_cache(maxsize=1)
def departments() -> pd.DataFrame:
    """Known department names (zh, en), from the data file."""
    return pd.read_csv(PLAN_DIR / "departments.csv", dtype=str)


@lru_cache(maxsize=1)
def _english_names() -> dict[str, str]:
    return dict(zip(departments().name_zh, departments().name_en, strict=True))


def department_en(name: str) -> str:
    return _english_names().get(name, name)


def split_departments(clause: str) -> list[str]:
    """Department names of a responsibility list, in document order."""
    known = sorted(departments().name_zh, key=len, reverse=True)
    out: list[str] = []
    rest = clause.strip()
    while rest:
        rest = rest.lstrip("、，, ;；")
        if not rest:
            break
        name = next((k for k in known if rest.startswith(k)), None)
        if name is None:
            name = re.split(r"\s*[、，,;；]\s*", rest, maxsplit=1)[0]
        out.append(name.strip())
        rest = rest[len(name) :].strip()
    return [d for d in out if d]


def _responsibility(clause: str) -> tuple[list[str], bool]:
    head = clause.split("负责", 1)[0]
    each = head.endswith("分别")
    head = head.removesuffix("分别").strip()
    head = head.removesuffix("等").strip()
    return split_departments(head), each


def _deadline(text: str) -> str | None:
    """The latest date the task's text sets (2015年 → 2015-12-31, 2015年6月底 → 2015-06-30);
    years inside document titles and file numbers (《…》, 〔…〕) are not deadlines."""
    found = []
    for m in _DEADLINE.finditer(_CITATION.sub("", text)):
        year, month = int(m.group(1)), int(m.group(2) or 12)
        end = (pd.Timestamp(year=year, month=month, day=1) + pd.offsets.MonthEnd(0)).date()
        found.append(end)
    return max(found).isoformat() if found else None


def parse_plan(text: str) -> list[ParsedTask]:
    """Every task of the plan, in order, with section, departments, lead and deadline."""
    tasks: list[ParsedTask] = []
    section, section_no = "", 0
    in_plan = False
    for line in text.splitlines():
        line = line.replace("\u3000", " ")
        m = _SECTION.match(line)
        if m:
            section, section_no, in_plan = m.group(2), zh_number(m.group(1)), True
            continue
        m = _TASK.match(line)
        if not (m and in_plan):
            continue
        body = m.group(2)
        clause = _CLAUSE.search(body)
        depts, each = _responsibility(clause.group(1)) if clause else ([], False)
        task_text = body[: clause.start()].strip() if clause else body
        tasks.append(
            ParsedTask(
                number=zh_number(m.group(1)),
                number_zh=m.group(1),
                section=section,
                section_number=section_no,
                text=task_text,
                departments=depts,
                lead=None if each or not depts else depts[0],
                each_responsible=each,
                deadline=_deadline(task_text),
            )
        )
    return tasks


def read_plan(path: Path = PLAN_FILE) -> list[ParsedTask]:
    return parse_plan(path.read_text(encoding="utf-8"))


def plan_meta() -> dict:
    return json.loads((PLAN_DIR / "meta.json").read_text(encoding="utf-8"))


def unknown_departments(tasks: list[ParsedTask]) -> list[str]:
    """Names in the plan that the department file does not know (reported, never guessed)."""
    known = set(departments().name_zh)
    return sorted({d for t in tasks for d in t.departments if d not in known})


def load_plan(sess) -> int:
    """(Re)load the parsed tasks into the store; status updates are kept."""
    tasks = read_plan()
    numbers = [t.number for t in tasks]
    sess.execute(delete(Task).where(Task.number.not_in(numbers)))
    existing = {t.number: t for t in sess.execute(select(Task)).scalars()}
    for t in tasks:
        row = existing.get(t.number) or Task(number=t.number)
        row.number_zh = t.number_zh
        row.section = t.section
        row.text = t.text
        row.departments = t.departments
        row.lead = t.lead
        row.each_responsible = t.each_responsible
        row.deadline = t.deadline
        sess.add(row)
    return len(tasks)


# ----------------------------------------------------------------------------- tracking
def _as_date(as_of: str | date | None) -> date:
    if as_of is None:
        return date.today()
    if isinstance(as_of, date):
        return as_of
    if re.fullmatch(r"\d{4}Q[1-4]", as_of):
        return pd.Period(as_of, freq="Q").end_time.date()
    return date.fromisoformat(as_of)


def effective_status(reported: str, deadline: str | None, as_of: date) -> str:
    """``overdue`` when the deadline has passed and the task is not done."""
    if reported != "done" and isinstance(deadline, str) and date.fromisoformat(deadline) < as_of:
        return "overdue"
    return reported


def list_tasks(engine: Engine | None = None, as_of: str | date | None = None) -> pd.DataFrame:
    """One row per task with its latest update and effective status at ``as_of``
    (a date, ``YYYY-MM-DD`` or a quarter; default today)."""
    engine = engine or store.get_engine()
    when = _as_date(as_of)
    with store.reader(engine) as sess:
        tasks = sess.execute(select(Task).order_by(Task.number)).scalars().all()
        updates = sess.execute(select(TaskUpdate).order_by(TaskUpdate.id)).scalars().all()
        sections = {t.number: t.section for t in tasks}
        rows = [
            {
                "number": t.number,
                "number_zh": t.number_zh,
                "section": t.section,
                "text": t.text,
                "departments": list(t.departments or []),
                "lead": t.lead,
                "each_responsible": bool(t.each_responsible),
                "deadline": t.deadline,
            }
            for t in tasks
        ]
        latest: dict[int, TaskUpdate] = {}
        for u in updates:
            if pd.Timestamp(u.at).date() <= when:
                latest[u.task_number] = u
    frame = pd.DataFrame(rows, columns=list(PLAN_FIELDS))
    order = {s: i for i, s in enumerate(dict.fromkeys(sections.values()))}
    frame["section_order"] = frame.section.map(order)
    reported = [latest[n].status if n in latest else "not_started" for n in frame.number]
    frame["reported_status"] = reported
    frame["status"] = [
        effective_status(s, d, when) for s, d in zip(reported, frame.deadline, strict=True)
    ]
    frame["updated_by"] = [latest[n].user if n in latest else None for n in frame.number]
    frame["updated_at"] = [
        pd.Timestamp(latest[n].at).isoformat() if n in latest else None for n in frame.number
    ]
    frame["note"] = [latest[n].note if n in latest else None for n in frame.number]
    frame["evidence_url"] = [latest[n].evidence_url if n in latest else None for n in frame.number]
    return frame


def task_updates(engine: Engine | None = None, number: int | None = None) -> pd.DataFrame:
    """Every status update (newest first), optionally of one task."""
    engine = engine or store.get_engine()
    stmt = select(TaskUpdate).order_by(TaskUpdate.id.desc())
    if number is not None:
        stmt = stmt.where(TaskUpdate.task_number == number)
    with store.reader(engine) as sess:
        rows = [
            {
                "id": u.id,
                "number": u.task_number,
                "status": u.status,
                "note": u.note,
                "evidence_url": u.evidence_url,
                "user": u.user,
                "at": pd.Timestamp(u.at).isoformat(),
            }
            for u in sess.execute(stmt).scalars()
        ]
    return pd.DataFrame(
        rows, columns=["id", "number", "status", "note", "evidence_url", "user", "at"]
    )


def update_task(
    number: int,
    status: str,
    note: str | None = None,
    evidence_url: str | None = None,
    user: str = "anonymous",
    engine: Engine | None = None,
) -> int:
    """Record a status update (kept with who and when; earlier ones are never changed).

    Raises TaskError for an unknown task, an unknown status, a note that is too long or an
    evidence link that is not an http(s) URL; nothing is written then.
    """
    engine = engine or store.get_engine()
    if status not in STATUSES:
        raise TaskError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
    note = (note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        raise TaskError(f"note has {len(note)} characters; at most {MAX_NOTE}")
    evidence_url = (evidence_url or "").strip() or None
    if evidence_url:
        parts = urlparse(evidence_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise TaskError(f"evidence link {evidence_url!r} is not an http(s) URL")
    user = (user or "").strip() or "anonymous"
    with store.transaction(engine) as sess:
        if sess.get(Task, number) is None:
            last = sess.scalar(select(func.max(Task.number))) or 0
            raise TaskError(f"no task number {number} (the plan has tasks 1-{last})")
        upd = TaskUpdate(
            task_number=number, status=status, note=note, evidence_url=evidence_url, user=user
        )
        sess.add(upd)
        sess.flush()
        sess.add(
            AuditLog(
                user=user,
                action="task_update",
                detail={"task": number, "status": status, "update_id": upd.id},
            )
        )
        return upd.id


def department_view(frame: pd.DataFrame) -> pd.DataFrame:
    """Per department: tasks led, co-led (listed but not leading, or each responsible for its
    part), and counts of each effective status over all its tasks. Rows in the order the
    departments first appear in the plan."""
    rows: dict[str, dict] = {}
    for t in frame.itertuples(index=False):
        for d in t.departments:
            r = rows.setdefault(
                d, {"department": d, "led": [], "co_led": [], **dict.fromkeys(SHOWN_STATUSES, 0)}
            )
            (r["led"] if d == t.lead else r["co_led"]).append(int(t.number))
            r[t.status] += 1
    out = pd.DataFrame(
        list(rows.values()), columns=["department", "led", "co_led", *SHOWN_STATUSES]
    )
    out.insert(3, "n_led", out.led.map(len))
    out.insert(4, "n_co_led", out.co_led.map(len))
    return out


def tasks_json(frame: pd.DataFrame) -> list[dict]:
    """The fields of ``urbdash tasks --json``."""
    cols = [
        *PLAN_FIELDS,
        "status",
        "reported_status",
        "updated_by",
        "updated_at",
        "note",
        "evidence_url",
    ]
    records = frame[cols].astype(object).where(frame[cols].notna(), None).to_dict("records")
    for r in records:
        r["number"] = int(r["number"])
        r["each_responsible"] = bool(r["each_responsible"])
    return records
