"""Releasing the province's approved quarter (SQL only): today or on a later day, in quarter
order (a gap would break every series leaders read), withdrawn with a reason; a scheduled
release becomes public on its day (``publish_due``, the results worker's loop)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from data.accounts.policy import Principal
from data.reference import periods as period_rules
from data.store.approvals import ApprovalError, check_reviewer, place, row_of, step
from data.store.engine import Engine, get_engine, reader, transaction
from data.store.models import Approval, ApprovalEvent, Observation
from data.store.observations import released_quarters
from data.store.version import lock_store
from data.typed_text import clean_text
from geo.regions import PROVINCE_CODE


def release(
    period: str, actor: Principal, on: date | None = None, comment: str | None = None,
    engine: Engine | None = None, when: datetime | None = None,
) -> dict:  # fmt: skip
    """Release the province's approved quarter today or from a later day.

    A scheduled release may be moved until its day. Admins and the province's statisticians.

    Parameters
    ----------
    period : str
        The quarter.
    actor : Principal
        Who releases it.
    on : datetime.date or None
        The release day; None: today.
    comment : str or None
        A comment.
    engine : Engine or None
        The store; None: the configured one.
    when : datetime.datetime or None
        As ``approve``'s (today is then its day).

    Returns
    -------
    dict
        The step.
    """
    period = period_rules.parse_period(period)
    today = when.date() if when else date.today()
    on = on or today
    p = place(PROVINCE_CODE)
    comment = clean_text(comment, "comment")
    check_reviewer(actor, p, period, "release")
    if on < today:
        raise ApprovalError(
            f"发布日期 {on} 早于今天（{today}）", f"The release day {on} is before today ({today})"
        )
    with transaction(engine or get_engine()) as sess:
        lock_store(sess)
        row = row_of(sess, PROVINCE_CODE, period, "province")
        if row is None or row.state != "approved":
            raise ApprovalError(
                f"全省 {period} 尚未审核通过，不能发布",
                f"The province's {period} is not approved yet: it cannot be released",
            )
        if row.release_on is not None and row.release_on <= today:
            raise ApprovalError(
                f"全省 {period} 已于 {row.release_on} 发布",
                f"The province's {period} was released on {row.release_on}",
            )
        earlier = _unreleased_before(sess, period, on)
        if earlier:
            raise ApprovalError(
                f"全省 {earlier} 尚未发布（或定于更晚发布）：季度须按顺序发布，请先发布 {earlier}",
                f"The province's {earlier} is not released (or only later): quarters are "
                f"released in order, release {earlier} first",
            )
        row.release_on, row.released_by = on, actor.name
        step(
            sess, actor, p, period, "province", "release", comment, on, "approved", "released",
            when,
        )  # fmt: skip
        if on <= today:  # public now (a scheduled one: ``publish_due`` on its day)
            _publish(sess, period, on, actor.name, when)
    return {"period": period, "release_on": on.isoformat(), "scheduled": on > today}


def unrelease(period: str, actor: Principal, reason: str, engine: Engine | None = None) -> dict:
    """Withdraw a release or a scheduled one, with a reason.

    The quarter is approved again, not shown to leaders by default.

    Parameters
    ----------
    period : str
        The quarter.
    actor : Principal
        Who withdraws it.
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
    p = place(PROVINCE_CODE)
    reason = clean_text(reason, "reason", required=True)
    check_reviewer(actor, p, period, "release")
    with transaction(engine or get_engine()) as sess:
        lock_store(sess)
        row = row_of(sess, PROVINCE_CODE, period, "province")
        if row is None or row.release_on is None:
            raise ApprovalError(
                f"全省 {period} 未发布，无需撤回",
                f"The province's {period} is not released: nothing to withdraw",
            )
        later = sess.scalar(
            select(func.min(Approval.period)).where(
                Approval.level == "province",
                Approval.period > period,
                Approval.release_on.is_not(None),
            )
        )
        if later:
            raise ApprovalError(
                f"全省 {later} 已发布或已安排发布：请先撤回较晚季度的发布",
                f"The province's {later} is released or scheduled: withdraw the later release "
                "first",
            )
        row.release_on, row.released_by = None, None
        step(sess, actor, p, period, "province", "unrelease", reason, None, "released", "approved")
    return {"period": period, "release_on": None}


def _unreleased_before(sess, period: str, on: date) -> str | None:
    """The first quarter before ``period`` holding current values that is not released by
    ``on`` (quarters are released in order: a gap would break every series)."""
    held = set(
        sess.scalars(
            select(Observation.period).where(Observation.is_current, Observation.period < period)
            .distinct()
        )
    )  # fmt: skip
    done = set(
        sess.scalars(
            select(Approval.period).where(
                Approval.level == "province",
                Approval.period < period,
                Approval.release_on.is_not(None),
                Approval.release_on <= on,
            )
        )
    )
    missing = sorted(held - done)
    return missing[0] if missing else None


def publish_due(engine: Engine | None = None, today: date | None = None) -> list[str]:
    """Publish the scheduled releases whose day has come.

    Each gets its "publish" event, and the store's version moves so that every page and result
    reads the quarter from then on (called by the results worker's loop and by ``release``).

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.
    today : datetime.date or None
        Today; None: now.

    Returns
    -------
    list of str
        The quarters published now.
    """
    today = today or date.today()
    engine = engine or get_engine()
    with reader(engine) as sess:
        due = sess.execute(
            select(Approval.period, Approval.release_on).where(
                Approval.period.in_(released_quarters(today)), Approval.level == "province"
            )
        ).all()
        seen = _published(sess)
    todo = [(q, on) for q, on in due if (q, on) not in seen]
    if not todo:
        return []
    with transaction(engine) as sess:
        lock_store(sess)
        seen = _published(sess)
        todo = [(q, on) for q, on in todo if (q, on) not in seen]
        for q, on in todo:
            _publish(sess, q, on, "system")
    return [q for q, _ in todo]


def _published(sess) -> set[tuple[str, date]]:
    """(period, release day) of every "publish" event."""
    stmt = select(ApprovalEvent.period, ApprovalEvent.release_on).where(
        ApprovalEvent.action == "publish"
    )
    return {tuple(r) for r in sess.execute(stmt).all()}


def _publish(sess, period: str, on: date, user: str, when: datetime | None = None) -> None:
    """The event that a release became public (its day came)."""
    sess.add(
        ApprovalEvent(
            region_code=PROVINCE_CODE, period=period, level="province", action="publish",
            user=user, release_on=on, at=when or datetime.now(UTC),
        )
    )  # fmt: skip


def released_periods(engine: Engine | None = None, today: date | None = None) -> set[str]:
    """The quarters released by a day.

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.
    today : datetime.date or None
        The day; None: today.

    Returns
    -------
    set of str
        The quarters.
    """
    with reader(engine or get_engine()) as sess:
        return set(sess.scalars(released_quarters(today)))
