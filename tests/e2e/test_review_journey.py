"""The quarter's review cycle in a real browser, on a server of its own (the other journeys
add returns of 2021Q1 to theirs), twice: the city's statistician in English and the others in
Chinese, then the other way round. 蓝田县 submits its 2021Q1 return; 西安市's statistician
returns it with a comment; the county sees the
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
from data.i18n.messages import t
from data.intake.ingest import ingest
from data.store import approvals
from geo.regions import load_registry, reporting_units
from tests.e2e.conftest import demo_password, serve_copy, sign_in, until, visit, wait_idle
from tests.fixtures import workbooks as wb

Q = "2021Q1"
TITLE = "2021年第一季度农业转移人口落户情况统计表"
LANTIAN = "610122"
OTHERS = Principal.system("other-offices")


@pytest.fixture
def review_server(tmp_path_factory, demo_template):
    """``review_server(name)``: a server of its own on a copy of the demo store, for one run
    of the journey (the other journeys add returns of 2021Q1 to theirs)."""
    shared = os.environ.get("URBDASH_E2E_VAR")  # the other journeys' server, if started
    servers = []

    def start(name: str) -> str:
        gen = serve_copy(tmp_path_factory.mktemp(f"review_{name}"), demo_template)
        servers.append(gen)
        return next(gen)

    yield start
    for gen in servers:
        next(gen, None)  # stops the server
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


def _review(page, server, who: str, lang: str, password: str | None = None) -> None:
    suffix = "?lang=en" if lang == "en" else ""
    if password is None:
        visit(page, f"{server}/review{suffix}", who)
    else:
        visit(page, f"{server}/review{suffix}", who, password)
    heading = t("review.heading", lang)
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=30_000)
    wait_idle(page)


CUT = "\x00"  # stands for a message's part that differs by run


def _said(key: str, lang: str, **params) -> re.Pattern:
    """The whole message ``key`` as a pattern, its ``{id}`` any number."""
    parts = t(key, lang, **params, id=CUT).split(CUT)
    return re.compile("^" + r"\d+".join(map(re.escape, parts)) + "$")


def _head(key: str, lang: str, field: str = "on", **params) -> str:
    """The words of message ``key`` before its ``field`` (a day, a count)."""
    return t(key, lang, **params, **{field: CUT}).split(CUT)[0]


LANTIAN_NAME = {"zh": "蓝田县", "en": "Lantian County"}


@pytest.mark.parametrize(
    "city,others",
    [("en", "zh"), ("zh", "en")],
    ids=["city-in-english", "city-in-chinese"],
)
def test_county_city_province_release_then_the_leader(
    city, others, review_server, page, shots, tmp_path
):
    """Every step in both languages over the two runs: the city's statistician in one, the
    county, the province and the leader in the other."""
    server = review_server(f"{city}-{others}")
    _everyone_else_reported_and_reviewed()
    city_pw = demo_password("demo-statistician")  # 西安市's statistician
    o = others
    suffix = "?lang=en" if o == "en" else ""

    # 1. 蓝田县 submits
    visit(page, f"{server}/returns{suffix}", "lantian")
    heading = t("returns.heading", o)
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=30_000)
    _upload(page, _lantian_return(tmp_path, "lantian_2021Q1.xlsx"))
    page.get_by_role("button", name=t("returns.commit", o)).click(timeout=30_000)
    stored = page.get_by_text(_said("returns.status.committed", o))
    expect(stored).to_be_visible(timeout=30_000)

    # 2. 西安市 returns it with a comment
    page.get_by_role("button", name=t("auth.sign_out", o)).click()
    _review(page, server, "demo-statistician", city, city_pw)
    expect(page.get_by_text(t("review.counties", city))).to_be_visible()
    page.get_by_role("tab", name=t("review.send_back", city)).click()
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text=t("review.pick_return", city))
    box.click()
    page.get_by_role("option", name=LANTIAN_NAME[city]).click()
    page.get_by_label(t("review.comment", city)).fill("请核对本季落户人数")
    page.get_by_role("button", name=t("review.send_back", city), exact=True).click()
    expect(page.get_by_text(t("review.done", city))).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.screenshot(path=str(shots / f"review_city_returned_{city}.png"), full_page=True)
    # the quarter's history (the page's last grid) names the step as a label, never the
    # stored word ("return")
    history = page.locator('[data-testid="stDataFrame"]').last
    step = re.compile(f"^{re.escape(t('review.action.return', city))}$")
    expect(history.locator('[role="gridcell"]').filter(has_text=step).first).to_be_attached()

    # 3. the county sees the comment and sends a corrected return
    page.get_by_role("button", name=t("auth.sign_out", city)).click()
    _review(page, server, "lantian", o)
    told = t("review.own_returned", o, county=LANTIAN_NAME[o], period=Q, by="demo-statistician")
    expect(page.get_by_text(told)).to_be_visible()
    expect(page.get_by_text("请核对本季落户人数").first).to_be_visible()
    state = t("review.state.returned", o)
    expect(page.locator('[role="gridcell"]').filter(has_text=state).first).to_be_attached()
    page.screenshot(path=str(shots / f"review_county_sees_comment_{o}.png"), full_page=True)
    page.get_by_role("link", name=t("review.send_again", o)).click()  # on to the returns
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=30_000)
    wait_idle(page)
    _upload(page, _lantian_return(tmp_path, "lantian_2021Q1_fixed.xlsx", bump=7))
    replace = _head("returns.confirm_replace", o, field="n")
    page.get_by_text(replace).first.click(timeout=30_000)
    page.get_by_role("button", name=t("returns.commit", o)).click()
    expect(page.get_by_text(_said("returns.status.committed", o))).to_be_visible(timeout=30_000)

    # 4. 西安市 approves it
    page.get_by_role("button", name=t("auth.sign_out", o)).click()
    _review(page, server, "demo-statistician", city, city_pw)
    approve = page.get_by_role("button", name=t("review.approve", city), exact=True)
    expect(approve).to_be_enabled(timeout=30_000)  # 蓝田县's return, chosen by default
    approve.click()
    expect(page.get_by_text(t("review.done", city))).to_be_visible(timeout=30_000)
    wait_idle(page)

    # 5. the province approves 西安市 and its own quarter, and releases it
    page.get_by_role("button", name=t("auth.sign_out", city)).click()
    _review(page, server, "shaanxi", o)
    page.get_by_role("button", name=t("review.approve_units", o)).click()
    expect(page.get_by_text(t("review.done", o))).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_role("button", name=t("review.approve_province", o, period=Q)).click()
    # "done" is still on screen from the step before: wait for what only this step draws (a
    # release clicked on the page before it was drawn again was lost on a loaded CI host)
    approved = t("review.province_approved", o, period=Q)
    expect(page.get_by_text(approved)).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_role("button", name=t("review.release_go", o, period=Q)).click()
    released = _head("review.province_released", o, period=Q)
    expect(page.get_by_text(released).first).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.screenshot(path=str(shots / f"review_province_released_{o}.png"), full_page=True)
    events = approvals.read_events(_engine(), Q, [LANTIAN]).action.tolist()
    assert events == ["return", "resubmit", "approve"], events

    # 6. the leader sees the released quarter
    page.get_by_role("button", name=t("auth.sign_out", o)).click()
    page.goto(f"{server}/{suffix}")
    sign_in(page, "demo-leader", demo_password("demo-leader"))
    page.get_by_role("link", name=t("page.overview", o)).click()
    expect(page.get_by_text(t("lead.as_of", o, period=Q)).first).to_be_visible(timeout=60_000)
    expect(page.get_by_text(_head("review.calendar_released", o, period=Q)).first).to_be_visible()
    wait_idle(page)
    until(page, f"({COUNT_SHAPES})() === 11", 30)  # the map, drawn
    page.screenshot(path=str(shots / f"overview_leader_released_{o}.png"))
