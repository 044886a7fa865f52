"""Roles in a real browser: a county statistician submits for their own county and is refused,
row by row, for another; a leader sees no upload form. Runs after the other journeys (it adds
a quarter to the shared server's store)."""

import os

from playwright.sync_api import expect

from data import store
from tests.e2e.conftest import demo_password, sign_in, visit, wait_idle
from tests.fixtures import workbooks as wb

LANTIAN, CHANGAN = "610122", "610116"  # 蓝田县 (the statistician's) and 长安区 (not theirs)
TITLE = "2021年第一季度农业转移人口落户情况统计表"


def _like_last_quarter(code: str) -> list:
    url = f"sqlite:///{os.environ['URBDASH_E2E_VAR']}/urbdash.sqlite"
    return wb.like_last_quarter(store.get_engine(url), code)


def _upload(page, path) -> None:
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))


def test_county_statistician_then_leader(server, page, shots, tmp_path):
    own = tmp_path / "lantian_2021Q1.xlsx"
    own.write_bytes(wb.standard([_like_last_quarter(LANTIAN)], title=TITLE, sheet="蓝田县"))
    other = tmp_path / "changan_2021Q1.xlsx"
    other.write_bytes(wb.standard([_like_last_quarter(CHANGAN)], title=TITLE, sheet="长安区"))

    visit(page, f"{server}/returns", "lantian")
    expect(page.get_by_role("heading", name="数据上报").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("您可上报的地区：蓝田县")).to_be_visible()
    _upload(page, other)
    expect(page.get_by_text("有错误，未入库").first).to_be_visible(timeout=30_000)
    wait_idle(page)
    # the findings grid is drawn on a canvas; its accessible cells carry the same text
    finding = "地区 610116 长安区 不在您的填报范围（610122 蓝田县）内"
    expect(page.locator('[role="gridcell"]').filter(has_text=finding)).to_have_count(1)
    expect(page.get_by_role("button", name="入库")).to_have_count(0)
    wait_idle(page)
    page.get_by_text("有错误，未入库").first.scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "returns_out_of_scope_zh.png"))

    page.get_by_role("button", name="Remove changan_2021Q1.xlsx").or_(
        page.locator('[data-testid="stFileUploaderDeleteBtn"] button')
    ).first.click()
    wait_idle(page)
    _upload(page, own)
    expect(page.get_by_role("button", name="入库")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="入库").click()
    expect(page.get_by_text("已入库").first).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.screenshot(path=str(shots / "returns_own_county_zh.png"))

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("button", name="登录")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("这是演示版").first).to_be_visible()
    wait_idle(page)
    page.screenshot(path=str(shots / "sign_in_zh.png"))

    sign_in(page, "demo-leader", demo_password("demo-leader"))
    page.goto(f"{server}/returns")  # a new session: signed out again, the link is kept
    sign_in(page, "demo-leader", demo_password("demo-leader"))
    expect(page.get_by_role("heading", name="数据上报").first).to_be_visible(timeout=30_000)
    expect(page.get_by_text("已登录：demo-leader（领导）")).to_be_visible()
    expect(page.locator('[data-testid="stFileUploader"]')).to_have_count(0)
    expect(page.get_by_text("上报与撤销由各市县统计人员完成").first).to_be_visible()
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar.get_by_text("用户与审计", exact=True)).to_have_count(0)
    wait_idle(page)
    page.screenshot(path=str(shots / "returns_leader_zh.png"))


def test_admin_sees_users_and_the_audit_trail(server, page, shots):
    visit(page, f"{server}/admin", "demo-admin", demo_password("demo-admin"))
    expect(page.get_by_role("heading", name="用户与审计")).to_be_visible(timeout=30_000)
    expect(page.locator('[role="gridcell"]').filter(has_text="蓝田县").first).to_be_attached()
    wait_idle(page)
    page.screenshot(path=str(shots / "admin_users_zh.png"))
    page.get_by_role("tab", name="目标组").click()
    wait_idle(page)
    expect(page.get_by_text("2020年以后的省级目标未见公布", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="保存目标")).to_be_visible()
    page.screenshot(path=str(shots / "admin_target_sets_zh.png"), full_page=True)
    page.get_by_role("tab", name="审计日志").click()
    wait_idle(page)
    expect(page.locator('[role="gridcell"]').filter(has_text="新建用户").first).to_be_attached()
    page.screenshot(path=str(shots / "admin_audit_zh.png"))


def test_department_user_updates_only_their_tasks(server, page, shots):
    visit(page, f"{server}/tasks?lang=en", "demo-department", demo_password("demo-department"))
    expect(page.get_by_role("heading", name="Key tasks")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("You may update the tasks led or shared by").first).to_be_visible()
    wait_idle(page)
    page.get_by_text("Update a task's status").scroll_into_view_if_needed()
    wait_idle(page)
    expect(page.get_by_label("Note")).to_be_visible()
    page.wait_for_timeout(500)  # the scrolled-to elements are painted
    page.screenshot(path=str(shots / "tasks_department_en.png"))
