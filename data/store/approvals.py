"""The quarter's review cycle in the store (SQL only; who may act: ``data.accounts.policy``).

A county's (or 杨凌示范区's) quarter is *submitted* once it holds a current value. Its city's
statisticians *approve* it or *return* it with a comment; a returned quarter accepts a new
return, which makes it submitted again. Once every county of a city is approved, the province's
statisticians approve the city's quarter (杨凌示范区's county step is also its unit step: the
province reviews it), then, once every city and 杨凌示范区 is, the province's quarter, which an
admin or a province statistician *releases* on a day (today or a scheduled one). Each step can
be undone with a reason by its reviewer or by the level above, while the level above has not
approved; that unlocks the level below. An approved quarter refuses new values and reverts
(``data.store.quarter_locks``, called by every write of returns), naming who approved it and
whom to ask; releases are ``data.store.releases``.

Every step takes the store's write turn first, so a step and a write of returns are serialised:
one of them happens first, the other sees it. Each step writes an event (the history) and an
audit row in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import NamedTuple

import pandas as pd
from sqlalchemy import delete, insert, select

from data.accounts.policy import PermissionDenied, Principal, approver, may_review, require
from data.i18n.formats import first_of
from data.reference import periods as period_rules
from data.refusal import Refusal
from data.store import audit
from data.store.engine import Engine, frame, get_engine, reader, transaction
from data.store.models import Approval, ApprovalEvent, Observation
from data.store.observations import ReportingState, reporting_state
from data.store.version import lock_store
from data.typed_text import clean_text
from geo.names import english_names
from geo.regions import PROVINCE_CODE, load_registry

LEVELS = ("county", "unit", "province")
LEVEL_NAMES = {
    "county": ("县区", "county"),
    "unit": ("市", "city"),
    "province": ("全省", "province"),
}
COLUMNS = ["region_code", "period", "level", "state", "by_user", "at", "comment",
           "release_on", "released_by"]  # fmt: skip
EVENT_COLUMNS = ["id", "region_code", "period", "level", "action", "user", "at", "comment",
                 "release_on"]  # fmt: skip


class ApprovalError(Refusal):
    """A step the cycle does not allow now (the message says why and what to do)."""


@dataclass(frozen=True)
class Place:
    code: str
    level: str  # the step: county / unit / province
    zh: str
    en: str
    reviewer: str  # the region whose statisticians review this step
    unit: str | None  # for a county: the unit it reports through


@lru_cache(maxsize=1)
def _every_place() -> dict[str, Place]:
    """Every region's ``Place``, made once per process from the registry (which is static)."""
    reg = load_registry()
    reg = reg.join(english_names(reg)).set_index("code")
    out = {}
    for code, row in reg.iterrows():
        zh = row.stat_name if isinstance(row.stat_name, str) else row["name"]
        en = row.stat_name_en if isinstance(row.stat_name_en, str) else row.name_en
        if row.level == "county":
            own = row.stat_parent_code == PROVINCE_CODE
            unit = code if own else row.stat_parent_code
            reviewer = approver("county", code, row.stat_parent_code)
            out[code] = Place(code, "county", zh, en, reviewer, unit)
        else:
            level = "province" if code == PROVINCE_CODE else "unit"
            out[code] = Place(code, level, zh, en, approver(level, code, None), None)
    return out


def place(code: str) -> Place:
    """The step a region's quarter takes, with its names and reviewer.

    A county's, a city's or 杨凌示范区's unit step is asked as the city; the province's is its
    own.

    Parameters
    ----------
    code : str
        The region's code.

    Returns
    -------
    Place
        The step's region, level, names and reviewer.
    """
    found = _every_place().get(code)
    if found is None:
        raise ApprovalError(f"未知地区 {code}", f"unknown region {code}")
    return found


def places(codes: Iterable[str]) -> dict[str, Place]:
    """``place`` of each code.

    Parameters
    ----------
    codes : iterable of str
        The regions' codes.

    Returns
    -------
    dict of str to Place
        code -> its step.
    """
    return {c: place(c) for c in codes}


@lru_cache(maxsize=1)
def _unit_map() -> dict[str, list[str]]:
    return _units(load_registry())


def _units(reg: pd.DataFrame) -> dict[str, list[str]]:
    """Unit code -> its county codes."""
    counties = reg[reg.level == "county"]
    unit = counties.stat_parent_code.where(
        counties.stat_parent_code != PROVINCE_CODE, counties.code
    )
    return {u: sorted(c) for u, c in counties.code.groupby(unit.to_numpy())}


def row_of(sess, code: str, period: str, level: str) -> Approval | None:
    """The approval row of a region's quarter at a level.

    Parameters
    ----------
    sess : Session
        The transaction.
    code : str
        The region.
    period : str
        The quarter.
    level : str
        The step's level.

    Returns
    -------
    Approval or None
        None when no step was taken.
    """
    return sess.get(Approval, (code, period, level))


def who_when(row: Approval) -> tuple[str, str]:
    """Who took a step and on which day.

    Parameters
    ----------
    row : Approval
        The approval row.

    Returns
    -------
    tuple of (str, str)
        The user's name and the day, "YYYY-MM-DD".
    """
    return row.by_user, f"{row.at:%Y-%m-%d}"


def check_reviewer(actor: Principal, p: Place, period: str, action: str = "approve") -> None:
    """Refuse a step the actor may not take (PermissionDenied, in both languages).

    Parameters
    ----------
    actor : Principal
        Who takes the step.
    p : Place
        The step (``place``).
    period : str
        The quarter.
    action : str
        The action asked ("approve", "release", ...).
    """
    require(actor, action)
    if action == "release" and actor.has("admin"):
        return
    if not may_review(actor, p.reviewer):
        rv = place(p.reviewer)
        raise PermissionDenied(
            f"用户 {actor.name} 无权审核 {p.zh} {period}：由{rv.zh}的统计人员审核",
            f"User {actor.name} may not review {p.en} {period}: {rv.en}'s statisticians do",
        )


def step(
    sess, actor: Principal, p: Place, period: str, level: str, action: str,
    comment: str | None, release_on: date | None = None, before: str | None = None,
    after: str | None = None, when: datetime | None = None,
) -> None:  # fmt: skip
    """The event and audit row of one step.

    Parameters
    ----------
    sess : Session
        The transaction.
    actor : Principal
        Who takes it.
    p : Place
        The step.
    period : str
        The quarter.
    level : str
        The step's level.
    action : str
        The action.
    comment : str or None
        The reviewer's comment.
    release_on : datetime.date or None
        A scheduled release's day.
    before, after : str or None
        The state before and after.
    when : datetime.datetime or None
        A history loaded after the fact (the audit row is always written now, saying when the
        step happened).
    """
    _steps(sess, actor, [p], period, action, comment, after, when, release_on, before, level)


def _steps(
    sess, actor: Principal, places: list[Place], period: str, action: str,
    comment: str | None, after: str | None, when: datetime | None = None,
    release_on: date | None = None, before: str | None = None, level: str | None = None,
) -> None:  # fmt: skip
    """The events and audit rows of one step on each of ``places``, written in bulk."""
    if not places:
        return
    at = when or datetime.now(UTC)
    sess.execute(
        insert(ApprovalEvent),
        [
            {"region_code": p.code, "period": period, "level": level or p.level,
             "action": action, "user": actor.name, "comment": comment,
             "release_on": release_on, "at": at}
            for p in places
        ],
    )  # fmt: skip
    audit.record_many(
        sess,
        actor,
        action,
        [
            {
                "detail": {"region_code": p.code, "period": period, "level": level or p.level,
                           "comment": comment}
                | ({"happened": when.isoformat()} if when else {}),
                "target": f"quarter {p.code} {period}",
                "before": {"state": before or "submitted"},
                "after": {"state": after or "submitted"}
                | ({"release_on": release_on.isoformat()} if release_on else {}),
            }
            for p in places
        ],
    )  # fmt: skip


def _has_values(sess, code: str, period: str) -> bool:
    return (
        sess.scalar(
            select(Observation.id)
            .where(
                Observation.region_code == code,
                Observation.period == period,
                Observation.is_current,
            )
            .limit(1)
        )
        is not None
    )


def _set(sess, code, period, level, state, actor, comment, when=None) -> None:
    at = when or datetime.now(UTC)
    row = row_of(sess, code, period, level)
    if row is None:
        sess.add(
            Approval(
                region_code=code, period=period, level=level, state=state, by_user=actor.name,
                at=at, comment=comment,
            )
        )  # fmt: skip
    else:
        row.state, row.by_user, row.at, row.comment = state, actor.name, at, comment
    sess.flush()


def approve(
    code: str, period: str, actor: Principal, comment: str | None = None,
    engine: Engine | None = None, when: datetime | None = None,
) -> dict:  # fmt: skip
    """Approve a county's return, a city's or 杨凌示范区's quarter, or the province's.

    Parameters
    ----------
    code : str
        The region.
    period : str
        The quarter.
    actor : Principal
        The reviewer (the county's city, the province's statisticians).
    comment : str or None
        The reviewer's comment.
    engine : Engine or None
        The store; None: the configured one.
    when : datetime.datetime or None
        The day it happened, for a history loaded after the fact (the demo's calendar); None:
        now.

    Returns
    -------
    dict
        The step: region, period, level, state, by whom and when.
    """
    return approve_many([code], period, actor, comment, engine, when)[0]


def approve_many(
    codes: list[str], period: str, actor: Principal, comment: str | None = None,
    engine: Engine | None = None, when: datetime | None = None,
) -> list[dict]:  # fmt: skip
    """Approve each of several regions in turn, in one transaction.

    A city's counties, then the city: one list may hold both. All are approved or, on the first
    refusal, none. The quarter's rows and which regions hold values are read once, the checks
    run on them, and the rows, events and audit rows are written in bulk (the demo approves
    3,300 in its history).

    Parameters
    ----------
    codes : list of str
        The regions, in order.
    period : str
        The quarter.
    actor : Principal
        The reviewer.
    comment : str or None
        The reviewer's comment.
    engine : Engine or None
        The store; None: the configured one.
    when : datetime.datetime or None
        The day it happened; None: now.

    Returns
    -------
    list of dict
        Each step, as ``approve`` returns it.
    """
    period = period_rules.parse_period(period)
    places = [place(c) for c in codes]
    comment = clean_text(comment, "comment")
    for p in places:
        check_reviewer(actor, p, period)
    at = when or datetime.now(UTC)
    with transaction(engine or get_engine()) as sess:
        lock_store(sess)
        rows = {
            (r.region_code, r.level): (r.state, r.by_user, r.at)
            for r in sess.execute(
                select(Approval.region_code, Approval.level, Approval.state, Approval.by_user,
                       Approval.at).where(Approval.period == period)
            )
        }  # fmt: skip
        held = set(
            sess.scalars(
                select(Observation.region_code)
                .where(Observation.period == period, Observation.is_current)
                .distinct()
            )
        )
        new, steps = [], []
        for p in places:
            _approvable(p, period, rows, held)
            levels = ("county", "unit") if p.level == "county" and p.unit == p.code else (p.level,)
            for level in levels:  # 杨凌示范区's county step is its unit step too
                rows[(p.code, level)] = ("approved", actor.name, at)
                new.append(
                    {"region_code": p.code, "period": period, "level": level,
                     "state": "approved", "by_user": actor.name, "at": at, "comment": comment}
                )  # fmt: skip
            steps.append(p)
        sess.execute(insert(Approval), new)
        _steps(sess, actor, steps, period, "approve", comment, "approved", when)
    return [
        {"region_code": p.code, "period": period, "level": p.level, "state": "approved"}
        for p in places
    ]


def _approvable(p: Place, period: str, rows: dict, held: set[str]) -> None:
    """Refuse (ApprovalError) approving ``p`` for ``period`` given the quarter's ``rows``
    ((region, level) -> (state, by, at)) and the regions ``held`` with values."""
    here = rows.get((p.code, p.level))
    if here is not None and here[0] == "approved":
        by, on = here[1], f"{here[2]:%Y-%m-%d}"
        raise ApprovalError(
            f"{p.zh} {period} 已由 {by} 于 {on} 审核通过",
            f"{p.en} {period} was already approved by {by} on {on}",
        )
    if p.level == "county":
        if here is not None and here[0] == "returned":
            raise ApprovalError(
                f"{p.zh} {period} 已退回，待该单位重新上报后再审核",
                f"{p.en} {period} was returned: approve it once the office has sent it again",
            )
        if p.code not in held:
            raise ApprovalError(
                f"{p.zh} {period} 尚未上报，不能审核",
                f"{p.en} {period} has not been submitted: nothing to approve",
            )
        return
    units = _unit_map()
    below, level = (
        (units.get(p.code, []), "county") if p.level == "unit" else (sorted(units), "unit")
    )
    pending = [place(c).zh for c in below if rows.get((c, level), ("",))[0] != "approved"]
    if pending:
        shown = first_of(pending, 8)
        raise ApprovalError(
            f"{p.zh} {period} 还有 {len(pending)} 个下级单位未审核通过：{shown}",
            f"{p.en} {period}: {len(pending)} unit(s) below are not approved yet: "
            f"{shown.replace('、', ', ')}",
        )


def send_back(
    code: str, period: str, actor: Principal, comment: str, engine: Engine | None = None,
    when: datetime | None = None,
) -> dict:  # fmt: skip
    """Return a submitted return to its office with a comment.

    It then accepts a new return, which makes it submitted again.

    Parameters
    ----------
    code : str
        The county (or 杨凌示范区).
    period : str
        The quarter.
    actor : Principal
        The reviewer.
    comment : str
        Why it goes back.
    engine : Engine or None
        The store; None: the configured one.
    when : datetime.datetime or None
        The day it happened; None: now.

    Returns
    -------
    dict
        The step.
    """
    period = period_rules.parse_period(period)
    p = place(code)
    if p.level != "county":
        raise ApprovalError(
            f"只能退回县区的报表（{p.zh} 不是县区）：上级单位的审核可以撤销",
            f"Only a county's return can be returned ({p.en} is not a county): undo an "
            "approval instead",
        )
    comment = clean_text(comment, "comment", required=True)
    check_reviewer(actor, p, period)
    with transaction(engine or get_engine()) as sess:
        lock_store(sess)
        here = row_of(sess, code, period, "county")
        if here is not None:
            by, on = who_when(here)
            state = (
                ("已审核通过", "approved") if here.state == "approved" else ("已退回", "returned")
            )
            raise ApprovalError(
                f"{p.zh} {period} {state[0]}（{by}，{on}）",
                f"{p.en} {period} is already {state[1]} ({by}, {on})",
            )
        if not _has_values(sess, code, period):
            raise ApprovalError(
                f"{p.zh} {period} 尚未上报，不能退回",
                f"{p.en} {period} has not been submitted: nothing to return",
            )
        _set(sess, code, period, "county", "returned", actor, comment, when)
        step(sess, actor, p, period, "county", "return", comment, after="returned", when=when)
    return {"region_code": code, "period": period, "level": "county", "state": "returned"}


def unapprove(
    code: str, period: str, actor: Principal, reason: str, engine: Engine | None = None
) -> dict:
    """Undo an approval, with a reason.

    By its reviewer or by the level above, while the level above has not approved; the quarter
    below is unlocked (a county's then accepts values).

    Parameters
    ----------
    code : str
        The region.
    period : str
        The quarter.
    actor : Principal
        Who undoes it.
    reason : str
        Why.
    engine : Engine or None
        The store; None: the configured one.

    Returns
    -------
    dict
        The step.
    """
    period = period_rules.parse_period(period)
    p = place(code)
    reason = clean_text(reason, "reason", required=True)
    require(actor, "approve")
    above = _above(p)
    if not (
        may_review(actor, p.reviewer)
        or (above is not None and may_review(actor, place(above[0]).reviewer))
        or (p.level == "province" and actor.has("admin"))
    ):
        raise PermissionDenied(
            f"用户 {actor.name} 无权撤销 {p.zh} {period} 的审核",
            f"User {actor.name} may not undo the approval of {p.en} {period}",
        )
    with transaction(engine or get_engine()) as sess:
        lock_store(sess)
        here = row_of(sess, code, period, p.level)
        if here is None or here.state != "approved":
            raise ApprovalError(
                f"{p.zh} {period} 未审核通过，无需撤销",
                f"{p.en} {period} is not approved: nothing to undo",
            )
        if p.level == "province" and here.release_on is not None:
            raise ApprovalError(
                f"全省 {period} 已发布或已安排发布：请先撤回发布",
                f"The province's {period} is released or scheduled: withdraw the release first",
            )
        if above is not None:
            top = row_of(sess, above[0], period, above[1])
            if top is not None and top.state == "approved":
                up = place(above[0])
                raise ApprovalError(
                    f"{up.zh} {period} 已审核通过：须先撤销其审核",
                    f"{up.en} {period} is approved: undo that approval first",
                )
        sess.execute(
            delete(Approval).where(
                Approval.region_code == code,
                Approval.period == period,
                Approval.level.in_(("county", "unit") if p.unit == code else (p.level,)),
            )
        )
        step(sess, actor, p, period, p.level, "unapprove", reason, before="approved")
    return {"region_code": code, "period": period, "level": p.level, "state": "submitted"}


def _above(p: Place) -> tuple[str, str] | None:
    """The (region, level) of the step above ``p``'s."""
    if p.level == "county":
        return (p.unit, "unit") if p.unit != p.code else (PROVINCE_CODE, "province")
    if p.level == "unit":
        return PROVINCE_CODE, "province"
    return None


# ------------------------------------------------------------------------------------ reads


def read_approvals(engine: Engine | None = None, period: str | None = None) -> pd.DataFrame:
    """Every approval row.

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.
    period : str or None
        Only this quarter's.

    Returns
    -------
    pandas.DataFrame
        ``COLUMNS``.
    """
    stmt = select(*(getattr(Approval, c) for c in COLUMNS))
    if period:
        stmt = stmt.where(Approval.period == period)
    with reader(engine or get_engine()) as sess:
        rows = sess.execute(stmt).all()
    return frame(rows, COLUMNS)


def read_events(
    engine: Engine | None = None, period: str | None = None, regions: list[str] | None = None
) -> pd.DataFrame:
    """The review steps in order.

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.
    period : str or None
        Only this quarter's.
    regions : list of str or None
        Only these regions'.

    Returns
    -------
    pandas.DataFrame
        ``EVENT_COLUMNS``.
    """
    stmt = select(*(getattr(ApprovalEvent, c) for c in EVENT_COLUMNS)).order_by(ApprovalEvent.id)
    if period:
        stmt = stmt.where(ApprovalEvent.period == period)
    if regions:
        stmt = stmt.where(ApprovalEvent.region_code.in_(regions))
    with reader(engine or get_engine()) as sess:
        rows = sess.execute(stmt).all()
    return frame(rows, EVENT_COLUMNS)


class ReviewRecords(NamedTuple):
    """What a quarter's review reads (``analytics.review.review``): who has reported what, the
    quarter, its approval rows and its review steps in order."""

    state: ReportingState
    period: str | None
    approvals: pd.DataFrame
    events: pd.DataFrame


def read_review(engine: Engine, period: str | None = None) -> ReviewRecords:
    """Read what a quarter's review needs, once.

    Parameters
    ----------
    engine : Engine
        The store.
    period : str or None
        The quarter; None: the latest with any current value.

    Returns
    -------
    ReviewRecords
        The reporting state, the quarter (None while no value is stored), and the quarter's
        approvals and events (empty without a quarter).
    """
    state = reporting_state(engine)
    period = period or state.latest
    if period is None:
        return ReviewRecords(state, None, frame([], COLUMNS), frame([], EVENT_COLUMNS))
    return ReviewRecords(state, period, read_approvals(engine, period), read_events(engine, period))
