"""What every write of returns asks the review cycle (SQL only): whether a quarter it writes
or reverts is approved (``check_unlocked``: refused, naming who approved it and whom to ask),
and which returned quarters it makes submitted again (``resubmitted``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select

from data.accounts.policy import Principal
from data.refusal import Refusal
from data.store.approvals import place, step, who_when
from data.store.engine import Engine, reader
from data.store.models import Approval, ApprovalEvent, Observation
from geo.regions import PROVINCE_CODE


class Locked(Refusal):
    """New values or a revert for a quarter that is approved: nothing was written."""


def check_unlocked(sess, pairs: Iterable[tuple[str, str]]) -> None:
    """Inside a write's transaction (after the store's write turn): refuse a write to approved quarters.

    Parameters
    ----------
    sess : Session
        The transaction.
    pairs : iterable of tuple of (str, str)
        The (county, period) pairs written; Locked names the first approved one at any level,
        who approved it and whom to ask to undo it.
    """
    pairs = list(pairs)
    if not pairs:
        return
    quarters = {q for _, q in pairs}
    rows = sess.scalars(
        select(Approval).where(Approval.period.in_(quarters), Approval.state == "approved")
    ).all()
    if not rows:  # the usual case: no pair is looked at one by one
        return
    pairs = sorted(set(pairs))
    held = {(r.region_code, r.period, r.level): r for r in rows}
    locked = []
    for county, period in pairs:
        p = place(county)
        for code, level in ((county, "county"), (p.unit, "unit"), (PROVINCE_CODE, "province")):
            if (code, period, level) in held:
                locked.append((p, period, level, held[(code, period, level)]))
                break
    if not locked:
        return
    p, period, level, row = locked[0]
    by, on = who_when(row)
    ask = place(p.reviewer if level == "county" else PROVINCE_CODE)
    n = len(locked)
    more = (f"（共 {n} 个县区季度已锁定）", f" ({n} locked county-quarters in all)")
    more = more if n > 1 else ("", "")
    raise Locked(
        f"{p.zh} {period} 已由 {by} 于 {on} 审核通过，不能修改或撤销{more[0]}；"
        f"如需修改，请联系{ask.zh}的统计人员撤销审核",
        f"{p.en} {period} was approved by {by} on {on} and cannot be changed or "
        f"reverted{more[1]}; to change it, ask {ask.en}'s statisticians to undo the approval",
    )


def forget_empty_quarters(sess) -> None:
    """Inside a transaction that removed values (the demo's reset): drop the review steps of empty quarters.

    The quarters left without any value lose their steps, as the values they reviewed are gone.

    Parameters
    ----------
    sess : Session
        The transaction.
    """
    held = select(Observation.period).distinct()
    for model in (Approval, ApprovalEvent):
        sess.execute(delete(model).where(model.period.not_in(held)))


def lock_refusal(engine: Engine, pairs: Iterable[tuple[str, str]]) -> Locked | None:
    """Before a write (a preview, a check): the refusal ``check_unlocked`` would raise now.

    Parameters
    ----------
    engine : Engine
        The store.
    pairs : iterable of tuple of (str, str)
        The (county, period) pairs to be written.

    Returns
    -------
    Locked or None
        None when none is approved.
    """
    with reader(engine) as sess:
        try:
            check_unlocked(sess, pairs)
        except Locked as exc:
            return exc
    return None


def resubmitted(
    sess, actor: Principal, pairs: Iterable[tuple[str, str]], when: datetime | None = None
) -> None:
    """Inside a write of returns: the returned county-quarters among ``pairs`` are submitted again.

    Their return comment stays in the history.

    Parameters
    ----------
    sess : Session
        The transaction.
    actor : Principal
        Who sends the new return.
    pairs : iterable of tuple of (str, str)
        The (county, period) pairs written.
    when : datetime.datetime or None
        When (a history loaded after the fact); None: now.
    """
    pairs = set(pairs)
    if not pairs:
        return
    rows = sess.scalars(
        select(Approval).where(
            Approval.level == "county",
            Approval.state == "returned",
            Approval.period.in_({q for _, q in pairs}),
        )
    ).all()
    for row in rows:
        if (row.region_code, row.period) in pairs:
            p = place(row.region_code)
            sess.delete(row)
            step(
                sess, actor, p, row.period, "county", "resubmit", None, before="returned",
                when=when,
            )  # fmt: skip
