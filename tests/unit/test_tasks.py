"""The 37 key tasks: parsing by rule, the store, status updates, overdue, department view, CLI."""

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from analytics import tasks
from cli.main import main
from data.reference import numerals
from data.reference import plan as division_plan
from data.store.bootstrap import init_store
from data.store.models import TaskUpdate
from data.store.tasks import read_tasks, read_updates
from data.typed_text import TextRejected
from tests.fixtures.actors import department

# Read off the plan by hand: the first listed department of each task, None where the plan
# says 分别负责 (each responsible for its part, no lead).
LEADS = {
    1: "省公安厅",
    2: "省公安厅",
    3: "省公安厅",
    4: "省公安厅",
    5: "省公安厅",
    6: "省公安厅",
    7: None,
    8: "省公安厅",
    9: None,
    10: "省统计局",
    11: "省公安厅",
    12: None,
    13: "省发展改革委",
    14: "省发展改革委",
    15: "省住房城乡建设厅",
    16: "省民政厅",
    17: "省高院",
    18: "省公安厅",
    19: "省公安厅",
    20: "省国土资源厅",
    21: "省农业厅",
    22: "省农业厅",
    23: "省农业厅",
    24: "省教育厅",
    25: "省教育厅",
    26: "省教育厅",
    27: "省人力资源社会保障厅",
    28: "省人力资源社会保障厅",
    29: "省民政厅",
    30: "省卫生计生委",
    31: "省住房城乡建设厅",
    32: "省财政厅",
    33: "各市、县、区政府",
    34: "各有关部门",
    35: "省公安厅",
    36: "各市、县、区政府",
    37: "省委宣传部",
}
SECTIONS = {
    1: "推进户籍制度改革的总体要求",
    3: "调整户口迁移政策",
    6: "创新人口管理",
    13: "提升城镇化发展质量",
    20: "切实保障农业转移人口及其他常住人口合法权益",
    33: "加强领导统筹推进",
}
DEADLINES = {1: "2015-12-31", 2: "2020-12-31", 6: "2015-06-30", 11: "2015-12-31", 28: "2020-12-31"}


# an evaluation date after every deadline and after the updates the tests make today
LATER = "2099-12-31"


@pytest.fixture(scope="module")
def plan():
    return division_plan.read_plan()


def test_all_37_tasks_and_leads(plan):
    assert [t.number for t in plan] == list(range(1, 38))
    assert {t.number: t.lead for t in plan} == LEADS
    assert [t.number for t in plan if t.each_responsible] == [7, 9, 12]
    assert division_plan.unknown_departments(plan) == []


def test_sections_numbers_text_and_departments(plan):
    by = {t.number: t for t in plan}
    current = None
    for n in range(1, 38):
        current = SECTIONS.get(n, current)
        assert by[n].section == current
    assert by[37].number_zh == "三十七" and by[10].number_zh == "十"
    # the responsibility clause is taken off the text and split in document order
    assert by[1].text.endswith("为国家人口基础信息库提供支撑。")
    assert by[1].departments == ["省公安厅", "省发展改革委", "省财政厅", "省卫生计生委", "省统计局"]
    # a space before 、 in the plan (task 七) and a name containing 、 (task 三十三)
    assert by[7].departments[:2] == ["省发展改革委", "省教育厅"] and len(by[7].departments) == 8
    assert by[33].departments == ["各市、县、区政府", "各有关部门"]
    assert len(by[12].departments) == 14 and by[12].departments[-1] == "省地税局"


def test_deadlines_from_text_not_from_citations(plan):
    assert {t.number: t.deadline for t in plan if t.deadline} == DEADLINES
    # task 二十六 cites 陕教考〔2012〕8号: a file number, not a deadline
    assert next(t for t in plan if t.number == 26).deadline is None


@pytest.mark.parametrize(
    "text,number", [("一", 1), ("十", 10), ("十七", 17), ("二十", 20), ("三十七", 37)]
)
def test_zh_number(text, number):
    assert numerals.zh_number(text) == number


def test_unknown_departments_are_split_and_reported():
    text = "一、总体\n（一）做某事。（省公安厅、省新设局，省另一办等分别负责）\n"
    (t,) = division_plan.parse_plan(text)
    assert t.departments == ["省公安厅", "省新设局", "省另一办"]
    assert t.each_responsible and t.lead is None
    assert division_plan.unknown_departments([t]) == ["省另一办", "省新设局"]


@pytest.fixture
def task_store(db_url):
    from data import store

    eng = store.get_engine(db_url)
    init_store(eng)
    yield eng
    eng.dispose()


def test_store_updates_overdue_and_department_view(task_store):
    frame = tasks.task_table(*read_tasks(task_store), "2018-12-31")
    assert len(frame) == 37 and list(frame.lead.fillna("-")) == [
        LEADS[n] or "-" for n in range(1, 38)
    ]
    # 2015 deadlines passed by 2018 with no report: overdue; 2020 ones not yet
    assert set(frame[frame.status == "overdue"].number) == {1, 6, 11}
    tasks.update_task(
        6,
        "done",
        "西安市已统一登记为居民户口",
        None,
        department("省公安厅", "省公安厅"),
        engine=task_store,
    )
    tasks.update_task(
        11,
        "in_progress",
        None,
        "https://example.gov.cn/x",
        department("王五", "省公安厅"),
        engine=task_store,
    )
    now = tasks.task_table(*read_tasks(task_store), LATER)
    row = now.set_index("number")
    assert row.loc[6, "status"] == "done" and row.loc[6, "updated_by"] == "省公安厅"
    assert row.loc[11, "status"] == "overdue" and row.loc[11, "reported_status"] == "in_progress"
    assert row.loc[2, "status"] == "overdue"  # 2020 has passed by LATER
    # updates are kept, newest first; an earlier evaluation date does not see later updates
    hist = read_updates(task_store, 6)
    assert list(hist.status) == ["done"] and hist.user.iloc[0] == "省公安厅"
    assert tasks.task_table(*read_tasks(task_store), "2018Q4").set_index("number").loc[
        6, "status"
    ] == ("overdue")
    view = tasks.department_view(now).set_index("department")
    police = view.loc["省公安厅"]
    assert police.led == [1, 2, 3, 4, 5, 6, 8, 11, 18, 19, 35]
    assert 9 in police.co_led and police.done == 1
    assert view.loc["省统计局"].led == [10]
    assert sum(view.loc["省统计局", s] for s in tasks.SHOWN_STATUSES) == 4
    # reloading the plan keeps the updates
    init_store(task_store)
    assert (
        tasks.task_table(*read_tasks(task_store), LATER).set_index("number").loc[6, "status"]
        == "done"
    )


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"number": 38, "status": "done"}, "no task number 38 (the plan has tasks 1-37)"),
        (
            {"number": 1, "status": "finished"},
            "unknown status 'finished'; use one of not_started, in_progress, done",
        ),
        ({"number": 1, "status": "overdue"}, "unknown status 'overdue'"),
        (
            {"number": 1, "status": "done", "evidence_url": "javascript:alert(1)"},
            "The evidence link must be a full web address starting with http:// or https://",
        ),
        (
            {"number": 1, "status": "done", "evidence_url": 'https://a.gov.cn/"><script>'},
            "The evidence link must not hold spaces, quotes or angle brackets",
        ),
        (
            {"number": 1, "status": "done", "note": "x" * 2001},
            "The note is too long: 2001 characters, at most 2000",
        ),
        (
            {"number": 1, "status": "done", "note": "ok\x1b[31m"},
            "The note holds a control character (U+001B); remove it and try again",
        ),
    ],
)
def test_bad_updates_write_nothing(task_store, kwargs, message):
    kwargs = {"note": None, "evidence_url": None, **kwargs}
    with pytest.raises((tasks.TaskError, TextRejected)) as err:
        tasks.update_task(user=department("d", "省公安厅"), engine=task_store, **kwargs)
    assert str(err.value).startswith(message)
    from data import store

    with store.reader(task_store) as sess:
        assert sess.scalar(select(func.count()).select_from(TaskUpdate)) == 0


def test_cli_tasks(monkeypatch, tmp_path):
    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("URBDASH_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    out = runner.invoke(main, ["tasks", "--json", "--as-of", "2016-01-01"])
    assert out.exit_code == 0, out.output
    records = json.loads(out.output)
    assert len(records) == 37
    assert set(records[0]) >= {
        "number",
        "section",
        "text",
        "departments",
        "lead",
        "each_responsible",
        "deadline",
        "status",
    }
    assert [r["lead"] for r in records] == [LEADS[n] for n in range(1, 38)]
    assert records[6]["departments"][0] == "省发展改革委" and records[6]["each_responsible"]
    pw = "pass-word-2026\n"
    assert (
        runner.invoke(
            main, ["user", "add", "root", "--role", "admin", "--password-stdin"], input=pw
        ).exit_code
        == 0
    )
    add = ["user", "add", "李四", "--role", "department", "--department", "省公安厅"]
    assert runner.invoke(main, [*add, "--password-stdin", "--as", "root"], input=pw).exit_code == 0
    bad = runner.invoke(main, ["task-update", "5", "--status", "half", "--user", "李四"])
    assert bad.exit_code == 1 and "unknown status 'half'" in bad.output
    nobody = runner.invoke(main, ["task-update", "5", "--status", "done"])
    assert nobody.exit_code == 5 and "a write needs --user NAME outside demo mode" in nobody.stderr
    ok = runner.invoke(main, ["task-update", "5", "--status", "done", "--user", "李四"])
    assert ok.exit_code == 0 and "task 5: done" in ok.output
    # task 13 is not 省公安厅's
    other = runner.invoke(main, ["task-update", "13", "--status", "done", "--user", "李四"])
    assert other.exit_code == 5
    assert other.stderr.strip() == (
        "urbdash: error: 用户 李四 无权更新此任务：牵头或参与部门为 "
        "省发展改革委、省财政厅、省住房城乡建设厅、省国土资源厅、省农业厅"
    )
    led = runner.invoke(main, ["tasks", "--json", "--department", "省统计局"])
    assert [r["number"] for r in json.loads(led.output)] == [1, 7, 10, 11]
    text = runner.invoke(main, ["tasks", "--section", "调整户口迁移政策"])
    assert text.exit_code == 0 and text.output.count("[done]") == 1
    assert runner.invoke(main, ["tasks", "--as-of", "someday"]).exit_code == 2


def test_every_task_and_section_has_a_short_english_title():
    import re

    from data.reference.plan import read_plan, section_en, task_title_en

    tasks = read_plan()
    titles = [task_title_en(t.number) for t in tasks] + [section_en(t.section) for t in tasks]
    assert len({task_title_en(t.number) for t in tasks}) == 37  # one each, none repeated
    assert all(t and not re.search(r"[\u4e00-\u9fff]", t) for t in titles)
