"""The quarter's review cycle in a real browser, both languages, on a server of its own (the
other journeys add returns of 2021Q1 to theirs): 蓝田县 submits its 2021Q1 return; 西安市's statistician (in English) returns it with a comment; the county sees the
comment and sends a corrected return; the city approves it; the province approves 西安市 and
the province's quarter and releases it; the leader then sees 2021Q1. The other offices'
returns and reviews of that quarter are loaded beforehand through the core, as a week of
other people's work."""

import os
import re

import pytest
from playwright.sync_api import expect

from bench.drive import COUNT_SHAPES
from data import store
from data.accounts.policy import Principal
from data.intake.ingest import ingest
from data.store import approvals
from geo.regions import load_registry, reporting_units
from tests.e2e.conftest import demo_password, serve_copy, sign_in, until, visit, wait_idle
from tests.fixtures import workbooks as wb

Q = "2021Q1"
TITLE = "2021年第一季度农业转移人口落户情况统计表"
LANTIAN = "610122"
OTHERS = Principal.system("other-offices")


@pytest.fixture(scope="module")
def review_server(tmp_path_factory, demo_template):
    shared = os.environ.get("URBDASH_E2E_VAR")  # the other journeys' server, if started
    var = tmp_path_factory.mktemp("review_var")
    yield from serve_copy(var, demo_template)
    if shared is None:
        os.environ.pop("URBDASH_E2E_VAR", None)
    else:
        os.environ["URBDASH_E2E_VAR"] = shared


def _engine():
    return store.get_engine(f"sqlite:///{os.environ['URBDASH_E2E_VAR']}/urbdash.sqlite")


def _everyone_else_reported_and_reviewed() -> None:
    eng = _engine()
    reg = load_registry()
    counties = [c for c in reg[reg.level == "county"].code if c != LANTIAN]
    rows = [wb.like_last_quarter(eng, c) for c in counties]
    report = ingest(
        wb.standard(rows, title=TITLE, sheet="陕西省"), "others.xlsx", user=OTHERS, engine=eng,
        accept_warnings=True, today="2021Q2",
    )  # fmt: skip
    assert report.status == "committed", report.errors[:3]
    approvals.approve_many(counties, Q, OTHERS, engine=eng)
    own = set(reg[reg.level == "county"].code)
    units = [u for u in reporting_units(reg).code if u not in own and u != "610100"]
    approvals.approve_many(units, Q, OTHERS, engine=eng)


def _lantian_return(tmp_path, name: str, bump: int = 0):
    row = wb.like_last_quarter(_engine(), LANTIAN)
    row[2] = row[2] + bump
    path = tmp_path / name
    path.write_bytes(wb.standard([row], title=TITLE, sheet="蓝田县"))
    return path


def _upload(page, path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))


def _review(page, server, who: str, password: str | None = None, lang: str = "zh") -> None:
    suffix = "?lang=en" if lang == "en" else ""
    if password is None:
        visit(page, f"{server}/review{suffix}", who)
    else:
        visit(page, f"{server}/review{suffix}", who, password)
    heading = "Review and release" if lang == "en" else "审核与发布"
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=30_000)
    wait_idle(page)


def test_county_city_province_release_then_the_leader(review_server, page, shots, tmp_path):
    server = review_server
    _everyone_else_reported_and_reviewed()
    city = demo_password("demo-statistician")  # 西安市's statistician

    # 1. 蓝田县 submits
    visit(page, f"{server}/returns", "lantian")
    expect(page.get_by_role("heading", name="数据上报").first).to_be_visible(timeout=30_000)
    _upload(page, _lantian_return(tmp_path, "lantian_2021Q1.xlsx"))
    page.get_by_role("button", name="入库").click(timeout=30_000)
    expect(page.get_by_text(re.compile(r"^已入库（第 \d+ 号）$"))).to_be_visible(timeout=30_000)

    # 2. 西安市 returns it, in English, with a comment
    page.get_by_role("button", name="退出登录").click()
    _review(page, server, "demo-statistician", city, "en")
    expect(page.get_by_text("Review your counties' returns")).to_be_visible()
    page.get_by_role("tab", name="Return").click()
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="County to return")
    box.click()
    page.get_by_role("option", name="Lantian County").click()
    page.get_by_label("Comment for the office (it sees this)").fill("请核对本季落户人数")
    page.get_by_role("button", name="Return", exact=True).click()
    expect(page.get_by_text("Done.")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.screenshot(path=str(shots / "review_city_returned_en.png"), full_page=True)
    # the quarter's history names the step as a label, never the stored word ("return")
    steps = page.locator('[role="gridcell"]').filter(has_text=re.compile(r"^Returned$"))
    expect(steps.first).to_be_attached()

    # 3. the county sees the comment and sends a corrected return
    page.get_by_role("button", name="Sign out").click()
    _review(page, server, "lantian")
    expect(page.get_by_text("蓝田县 2021Q1 的报表已被 demo-statistician 退回")).to_be_visible()
    expect(page.get_by_text("请核对本季落户人数").first).to_be_visible()
    expect(page.locator('[role="gridcell"]').filter(has_text="已退回").first).to_be_attached()
    page.screenshot(path=str(shots / "review_county_sees_comment_zh.png"), full_page=True)
    page.get_by_role("link", name="去重新上报").click()  # the same session, on to the returns
    expect(page.get_by_role("heading", name="数据上报").first).to_be_visible(timeout=30_000)
    wait_idle(page)
    _upload(page, _lantian_return(tmp_path, "lantian_2021Q1_fixed.xlsx", bump=7))
    page.get_by_text("用本文件替换上述").first.click(timeout=30_000)
    page.get_by_role("button", name="入库").click()
    expect(page.get_by_text(re.compile(r"^已入库（第 \d+ 号）$"))).to_be_visible(timeout=30_000)

    # 4. 西安市 approves it
    page.get_by_role("button", name="退出登录").click()
    _review(page, server, "demo-statistician", city, "en")
    approve = page.get_by_role("button", name="Approve", exact=True)
    expect(approve).to_be_enabled(timeout=30_000)  # 蓝田县's return, chosen by default
    approve.click()
    expect(page.get_by_text("Done.")).to_be_visible(timeout=30_000)
    wait_idle(page)

    # 5. the province approves 西安市 and its own quarter, and releases it
    page.get_by_role("button", name="Sign out").click()
    _review(page, server, "shaanxi")
    page.get_by_role("button", name="审核通过所选市").click()
    expect(page.get_by_text("已完成。")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_role("button", name="审核通过全省 2021Q1").click()
    expect(page.get_by_text("已完成。")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_role("button", name="发布 2021Q1").click()
    expect(page.get_by_text("全省 2021Q1 已于").first).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.screenshot(path=str(shots / "review_province_released_zh.png"), full_page=True)
    events = approvals.read_events(_engine(), Q, [LANTIAN]).action.tolist()
    assert events == ["return", "resubmit", "approve"], events

    # 6. the leader sees the released quarter
    page.get_by_role("button", name="退出登录").click()
    sign_in(page, "demo-leader", demo_password("demo-leader"))
    page.get_by_role("link", name="总览").click()
    expect(page.get_by_text("数据截至 2021Q1").first).to_be_visible(timeout=60_000)
    expect(page.get_by_text("2021Q1 已于").first).to_be_visible()
    wait_idle(page)
    until(page, f"({COUNT_SHAPES})() === 11", 30)  # the map, drawn
    page.screenshot(path=str(shots / "overview_leader_released_zh.png"))
