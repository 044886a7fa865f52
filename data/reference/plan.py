"""The key-task division plan of June 2015, parsed from its text.

The plan (``data/reference/plan/division_plan_2015.txt``, provenance in ``meta.json``) is read by
rule, not by position: section headings ``一、…``, tasks ``（一）…`` and, at the end of each task,
the responsibility clause ``（省公安厅、省发展改革委等负责）``. The plan's own rule names the
lead: "除明确各部门分别负责的工作外，列第一位者为牵头部门" — the first listed department leads,
except where each department is responsible for its part (``分别负责``, no single lead).
Department names are matched against ``plan/departments.csv`` (longest first, so a name that
contains ``、`` such as ``各市、县、区政府`` stays whole); anything else is split on the
separators and reported by ``unknown_departments``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from data.reference.numerals import zh_number

PLAN_DIR = Path(__file__).with_name("plan")
PLAN_FILE = PLAN_DIR / "division_plan_2015.txt"
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

_SECTION = re.compile(r"^\s*([一二三四五六七八九十]+)、\s*(\S.*?)\s*$")
_TASK = re.compile(r"^\s*[（(]([一二三四五六七八九十]+)[）)]\s*(\S.*?)\s*$")
# the responsibility clause closing a task: （A、B等负责） / （A、B等分别负责。note）
_CLAUSE = re.compile(r"[（(]([^（）()]*?负责[^（）()]*)[）)]\s*$")
_DEADLINE = re.compile(r"(20\d{2})\s*年(?:\s*(\d{1,2})\s*月\s*(?:底|末)?)?")
_CITATION = re.compile(r"《[^》]*》|〔[^〕]*〕|\[[^\]]*\]")


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


@lru_cache(maxsize=1)
def departments() -> pd.DataFrame:
    """Known department names (zh, en), from the data file."""
    return pd.read_csv(PLAN_DIR / "departments.csv", dtype=str)


@lru_cache(maxsize=1)
def _english_names() -> dict[str, str]:
    return dict(zip(departments().name_zh, departments().name_en, strict=True))


def department_en(name: str) -> str:
    return _english_names().get(name, name)


@lru_cache(maxsize=1)
def _english_titles() -> dict[tuple[str, int], str]:
    """Short English titles of the plan's sections and tasks, written for this product (an
    unofficial translation: the Chinese text is the plan's own)."""
    frame = pd.read_csv(PLAN_DIR / "titles_en.csv", dtype={"kind": str, "title_en": str})
    return {(k, int(n)): title for k, n, title in frame.itertuples(index=False)}


def task_title_en(number: int) -> str:
    """Task ``number``'s short English title (unofficial)."""
    return _english_titles()[("task", int(number))]


@lru_cache(maxsize=1)
def _chinese_titles() -> dict[int, str]:
    """Short Chinese titles of the tasks, written for this product as summaries of the plan's
    text (not the plan's words; the plan's full text is shown beside them)."""
    frame = pd.read_csv(PLAN_DIR / "titles_zh.csv", dtype={"title_zh": str})
    return {int(n): title for n, title in frame.itertuples(index=False)}


def task_title(number: int, lang: str) -> str:
    """Task ``number``'s short title in ``lang`` (the product's own summary, not the plan's)."""
    return _chinese_titles()[int(number)] if lang == "zh" else task_title_en(number)


def section_en(section: str) -> str:
    """The English title (unofficial) of the plan's section named ``section`` in Chinese."""
    numbers = {t.section: t.section_number for t in read_plan()}
    return _english_titles()[("section", numbers[section])]


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
