"""The quarter's review cycle on both databases: every transition and refusal with its exact
message and nothing written on refusal, the lock on approved quarters through every write path,
concurrent approval and revision, the upgrade that releases what a store already held."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from alembic import command
from sqlalchemy import func, select

from data import store
from data.accounts.policy import PermissionDenied, Principal
from data.intake.ingest import check, ingest, revert
from data.store import approvals as ap
from data.store import quarter_locks
from data.store import releases as rel
from data.store.engine import _alembic_config
from data.store.models import Approval, ApprovalEvent, AuditLog, Observation, Submission
from data.store.observations import read_observations
from data.store.version import store_version
from data.typed_text import TextRejected
from geo.regions import load_registry
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM, admin, statistician

Q = "2016Q3"
TODAY = "2020Q4"
CITY = statistician("tc-stat", "610200")  # 铜川市
COUNTY = statistician("wy-stat", "610202")  # 王益区
PROVINCE = statistician("sx-stat", "610000")
LEADER = Principal("boss", frozenset({"leader"}))


def counties() -> list[str]:
    reg = load_registry()
    return reg[reg.level == "county"].code.tolist()


def province_return(values=wb.GOOD, codes=None) -> bytes:
    return wb.standard(rows=wb.county_rows(codes or counties(), values), sheet="陕西省")


def tongchuan_return(first=100) -> bytes:
    rows = wb.county_rows()
    rows[0][2] = first
    return wb.standard(rows=rows)


@pytest.fixture
def eng(initialised):
    engine = initialised
    report = ingest(province_return(), "all.xlsx", user=SYSTEM, engine=engine, today=TODAY)
    assert report.status == "committed", report.errors
    return engine


def n(eng, model) -> int:
    with store.reader(eng) as s:
        return s.scalar(select(func.count()).select_from(model))


def counts(eng) -> tuple[int, ...]:
    return tuple(n(eng, m) for m in (Approval, ApprovalEvent, AuditLog, Submission, Observation))


def refused(eng, exc_type, call, zh: str, en: str | None = None):
    """``call`` refused with exactly this message, and nothing written."""
    before = counts(eng)
    with pytest.raises(exc_type) as err:
        call()
    assert err.value.message("zh") == zh
    if en is not None:
        assert err.value.message("en") == en
    assert counts(eng) == before


def state(eng, code, level="county") -> str | None:
    rows = ap.read_approvals(eng, Q)
    hit = rows[(rows.region_code == code) & (rows.level == level)]
    return None if hit.empty else hit.state.iloc[0]


def test_who_reviews_what(eng):
    refused(
        eng,
        PermissionDenied,
        lambda: ap.approve("610202", Q, COUNTY, engine=eng),
        "用户 wy-stat 无权审核 王益区 2016Q3：由铜川市的统计人员审核",
        "User wy-stat may not review Wangyi District 2016Q3: Tongchuan's statisticians do",
    )
    refused(
        eng,
        PermissionDenied,
        lambda: ap.approve("610202", Q, PROVINCE, engine=eng),
        "用户 sx-stat 无权审核 王益区 2016Q3：由铜川市的统计人员审核",
    )
    refused(
        eng,
        PermissionDenied,
        lambda: ap.approve("610200", Q, CITY, engine=eng),
        "用户 tc-stat 无权审核 铜川市 2016Q3：由陕西省的统计人员审核",
    )
    for who in (LEADER, Principal("plan", frozenset({"planner"})), admin("root")):
        refused(
            eng,
            PermissionDenied,
            lambda who=who: ap.approve("610202", Q, who, engine=eng),
            f"用户 {who.name} 无权审核报表：需要“统计人员”角色",
        )
    refused(
        eng,
        PermissionDenied,
        lambda: rel.release(Q, CITY, engine=eng),
        "用户 tc-stat 无权审核 陕西省 2016Q3：由陕西省的统计人员审核",
    )
    refused(
        eng,
        PermissionDenied,
        lambda: rel.release(Q, LEADER, engine=eng),
        "用户 boss 无权发布数据：需要“统计人员”或“管理员”角色",
    )
    # 杨凌示范区 reports beside the cities: the province reviews it, and that is its unit step
    ap.approve("610403", Q, PROVINCE, engine=eng)
    assert state(eng, "610403") == "approved" and state(eng, "610403", "unit") == "approved"


def test_return_resubmit_approve_lock_and_undo(eng):
    refused(
        eng,
        TextRejected,
        lambda: ap.send_back("610202", Q, CITY, "  ", engine=eng),
        "意见不能为空",
    )
    ap.send_back("610202", Q, CITY, "耀州区人数请核对", engine=eng)
    assert state(eng, "610202") == "returned"
    refused(
        eng,
        ap.ApprovalError,
        lambda: ap.approve("610202", Q, CITY, engine=eng),
        "王益区 2016Q3 已退回，待该单位重新上报后再审核",
    )
    # the office sends it again (a returned quarter accepts values): submitted again
    again = ingest(
        tongchuan_return(first=101), "again.xlsx", user=CITY, engine=eng, replace=True,
        today=TODAY,
    )  # fmt: skip
    assert again.status == "committed"
    assert state(eng, "610202") is None
    events = ap.read_events(eng, Q, ["610202"])
    assert events.action.tolist() == ["return", "resubmit"]
    assert events.comment.iloc[0] == "耀州区人数请核对"
    for code in wb.TONGCHUAN:
        ap.approve(code, Q, CITY, engine=eng)
    # approved: every write path refuses, naming who approved and whom to ask
    zh = (
        f"王益区 2016Q3 已由 tc-stat 于 {date.today().isoformat()} 审核通过，不能修改或撤销；"
        "如需修改，请联系铜川市的统计人员撤销审核"
    )
    before = counts(eng)
    report = ingest(
        tongchuan_return(first=102), "late.xlsx", user=CITY, engine=eng, replace=True,
        today=TODAY,
    )  # fmt: skip
    assert report.status == "rejected"
    assert [p.message("zh") for p in report.errors] == [zh]
    assert report.errors[0].message("en") == (
        f"Wangyi District 2016Q3 was approved by tc-stat on {date.today()} and cannot be "
        "changed or reverted; to change it, ask Tongchuan's statisticians to undo the approval"
    )
    assert counts(eng) == before
    preview = check(tongchuan_return(first=102), "late.xlsx", engine=eng, user=CITY)
    assert [p.message("zh") for p in preview.errors] == [zh]
    refused(eng, quarter_locks.Locked, lambda: revert(again.submission_id, CITY, eng), zh)
    # a file about the approved quarter that changes nothing is not refused
    same = ingest(tongchuan_return(first=101), "same.xlsx", user=CITY, engine=eng, today=TODAY)
    assert same.status in ("duplicate", "unchanged")
    # the city's quarter: approved by the province; its counties then cannot be undone
    ap.approve("610200", Q, PROVINCE, engine=eng)
    refused(
        eng,
        ap.ApprovalError,
        lambda: ap.unapprove("610202", Q, CITY, "错了", engine=eng),
        "铜川市 2016Q3 已审核通过：须先撤销其审核",
    )
    refused(
        eng,
        PermissionDenied,
        lambda: ap.unapprove("610200", Q, CITY, "错了", engine=eng),
        "用户 tc-stat 无权撤销 铜川市 2016Q3 的审核",
    )
    ap.unapprove("610200", Q, PROVINCE, "王益区需更正", engine=eng)
    # the level above may undo a county's approval too
    ap.unapprove("610202", Q, PROVINCE, "王益区需更正", engine=eng)
    fixed = ingest(
        tongchuan_return(first=103), "fix.xlsx", user=CITY, engine=eng, replace=True,
        today=TODAY,
    )  # fmt: skip
    assert fixed.status == "committed"
    assert store_audit_actions(eng) == [
        "revise", "unapprove", "unapprove", "approve", *["approve"] * 4, "revise", "resubmit",
        "return", "ingest", "init",
    ]  # fmt: skip


def store_audit_actions(eng) -> list[str]:
    from data.store import audit

    return audit.read_audit(eng).action.tolist()


def test_province_needs_every_unit_and_release_on_a_day(eng):
    refused(
        eng,
        ap.ApprovalError,
        lambda: ap.approve("610000", Q, PROVINCE, engine=eng),
        "陕西省 2016Q3 还有 11 个下级单位未审核通过：西安市、铜川市、宝鸡市、咸阳市、杨凌示范区、"
        "渭南市、延安市、汉中市 …",
    )
    refused(
        eng,
        ap.ApprovalError,
        lambda: rel.release(Q, PROVINCE, engine=eng),
        "全省 2016Q3 尚未审核通过，不能发布",
    )
    units = {}
    for code in counties():
        units.setdefault(ap.place(code).unit, []).append(code)
    for unit, codes in units.items():
        for code in codes:
            reviewer = PROVINCE if unit == code else statistician(f"s{unit}", unit)
            ap.approve(code, Q, reviewer, engine=eng)
        if unit not in codes:
            ap.approve(unit, Q, PROVINCE, engine=eng)
    ap.approve("610000", Q, PROVINCE, comment="全省审核通过", engine=eng)
    assert rel.released_periods(eng) == set()
    later = date.today() + timedelta(days=3)
    refused(
        eng,
        ap.ApprovalError,
        lambda: rel.release(Q, admin("root"), on=date.today() - timedelta(days=1), engine=eng),
        f"发布日期 {date.today() - timedelta(days=1)} 早于今天（{date.today()}）",
    )
    out = rel.release(Q, admin("root"), on=later, engine=eng)
    assert out["scheduled"] is True
    assert rel.released_periods(eng) == set()
    assert rel.released_periods(eng, today=later) == {Q}
    assert read_observations(eng).empty  # leaders' view: nothing before the day
    assert len(read_observations(eng, today=later)) == len(
        read_observations(eng, view="provisional")
    )
    # on the day, the worker's loop publishes it: the store's version moves (pages re-read)
    version = store_version(eng)
    assert rel.publish_due(eng, today=date.today()) == []
    assert rel.publish_due(eng, today=later) == [Q] and store_version(eng) == version + 1
    assert rel.publish_due(eng, today=later) == []
    refused(
        eng,
        ap.ApprovalError,
        lambda: ap.unapprove("610000", Q, PROVINCE, "重审", engine=eng),
        "全省 2016Q3 已发布或已安排发布：请先撤回发布",
    )
    rel.unrelease(Q, PROVINCE, "日期改动", engine=eng)
    rel.release(Q, PROVINCE, engine=eng)
    assert rel.released_periods(eng) == {Q}
    refused(
        eng,
        ap.ApprovalError,
        lambda: rel.release(Q, PROVINCE, engine=eng),
        f"全省 2016Q3 已于 {date.today()} 发布",
    )


def test_concurrent_approve_and_revise_one_wins(eng):
    """A city approves while its office sends a correction: either the correction lands first
    (and the approval covers it) or the approval does (and the correction is refused whole)."""
    outcomes = set()
    for i in range(4):
        start = threading.Barrier(2)
        out = {}

        def approve(start=start, out=out):
            start.wait()
            try:
                ap.approve("610202", Q, CITY, engine=eng)
                out["approve"] = "ok"
            except ap.ApprovalError as exc:
                out["approve"] = exc.message("en")

        def revise(i=i, start=start, out=out):
            start.wait()
            rep = ingest(
                tongchuan_return(first=200 + i), f"r{i}.xlsx", user=CITY, engine=eng,
                replace=True, today=TODAY,
            )  # fmt: skip
            out["revise"] = rep.status

        threads = [threading.Thread(target=approve), threading.Thread(target=revise)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert out["approve"] == "ok"
        events = ap.read_events(eng, Q, ["610202"])
        approved_at = events[events.action == "approve"].id.max()
        with store.reader(eng) as s:
            value = s.scalar(
                select(Observation.value).where(
                    Observation.region_code == "610202",
                    Observation.period == Q,
                    Observation.indicator_code == "settled_rural",
                    Observation.is_current,
                )
            )
        if out["revise"] == "committed":
            assert value == 200 + i  # the approval covers the correction
        else:
            assert out["revise"] == "rejected" and value != 200 + i
        outcomes.add(out["revise"])
        assert approved_at is not None
        ap.unapprove("610202", Q, CITY, "再来一次", engine=eng)
    assert outcomes <= {"committed", "rejected"}


def test_the_upgrade_releases_every_quarter_already_stored(eng):
    command.downgrade(_alembic_config(eng), "0008")
    command.upgrade(_alembic_config(eng), "head")
    rows = ap.read_approvals(eng)
    assert rows[["region_code", "period", "level", "state", "by_user"]].values.tolist() == [
        ["610000", Q, "province", "approved", "system"]
    ]
    assert rel.released_periods(eng) == {Q}
    from data.store import audit

    last = audit.read_audit(eng, limit=1).iloc[0]
    assert (last.user, last.action, last.detail) == (
        "system",
        "release",
        {"periods": [Q], "reason": "released_at_upgrade"},
    )


def _approve_all(eng, period: str) -> None:
    everything = [*counties(), *(u for u in _units() if u not in set(counties())), "610000"]
    ap.approve_many(everything, period, SYSTEM, engine=eng)


def _units() -> list[str]:
    from geo.regions import reporting_units

    return reporting_units(load_registry()).code.tolist()


def test_quarters_are_released_in_order(eng):
    """A later quarter released before an earlier one would leave a gap in every series the
    leaders see: refused, and so is withdrawing an earlier release under a later one."""
    title = "2016年第四季度农业转移人口落户情况统计表"
    rows = wb.county_rows(counties())
    q4 = ingest(
        wb.standard(rows, title=title, sheet="陕西省"), "q4.xlsx", user=SYSTEM, engine=eng,
        today=TODAY, accept_warnings=True,
    )  # fmt: skip
    assert q4.status == "committed", q4.errors
    _approve_all(eng, "2016Q4")
    refused(
        eng,
        ap.ApprovalError,
        lambda: rel.release("2016Q4", PROVINCE, engine=eng),
        "全省 2016Q3 尚未发布（或定于更晚发布）：季度须按顺序发布，请先发布 2016Q3",
        "The province's 2016Q3 is not released (or only later): quarters are released in "
        "order, release 2016Q3 first",
    )
    _approve_all(eng, Q)
    rel.release(Q, PROVINCE, engine=eng)
    rel.release("2016Q4", PROVINCE, engine=eng)
    assert rel.released_periods(eng) == {Q, "2016Q4"}
    refused(
        eng,
        ap.ApprovalError,
        lambda: rel.unrelease(Q, PROVINCE, "重审", engine=eng),
        "全省 2016Q4 已发布或已安排发布：请先撤回较晚季度的发布",
    )


def test_undoing_needs_a_reason(eng):
    ap.approve("610202", Q, CITY, engine=eng)
    refused(
        eng,
        TextRejected,
        lambda: ap.unapprove("610202", Q, CITY, "  ", engine=eng),
        "理由不能为空",
        "The reason must not be empty",
    )
    assert state(eng, "610202") == "approved"
