"""Accounts in the store (SQL only): add, change, list, sign in with lock-out. Every change is
checked against the acting user's roles (``data.accounts.policy``) and audited in its own
transaction; sign-in failures are audited too. Password hashes never leave this module."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import delete, func, select

from data import settings
from data.accounts import passwords
from data.accounts.policy import AccountError, Principal, check_assignment, require
from data.refusal import Refusal
from data.store import audit
from data.store.engine import Engine, reader, transaction
from data.store.models import SigninGuard, User
from data.typed_text import clean_email, clean_text, clean_user_name

LIST_COLUMNS = [
    "name",
    "roles",
    "regions",
    "departments",
    "sso_subject",
    "disabled",
    "locked_until",
    "failed_attempts",
    "is_demo",
    "created_at",
    "email",
    "lang",
]


class SignInRefused(Refusal):
    """A sign-in that did not succeed: ``kind`` is "bad" (unknown user or wrong password: the
    same message, so names cannot be probed), "locked" or "disabled"."""

    def __init__(self, kind: str, zh: str, en: str, until: datetime | None = None):
        super().__init__(zh, en)
        self.kind, self.until = kind, until


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(t: datetime | None) -> datetime | None:
    """SQLite gives back naive times: they were written in UTC."""
    return t.replace(tzinfo=UTC) if t is not None and t.tzinfo is None else t


def _state(u: User) -> dict:
    return {
        "roles": list(u.roles),
        "regions": list(u.regions),
        "departments": list(u.departments),
        "disabled": bool(u.disabled),
        "sso_subject": u.sso_subject,
    }


def _principal(u: User) -> Principal:
    return Principal(u.name, frozenset(u.roles), tuple(u.regions), tuple(u.departments))


def count_admins(engine: Engine) -> int:
    """Enabled accounts holding the admin role.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    int
        The count.
    """
    with reader(engine) as sess:
        users = sess.execute(select(User).where(User.disabled.is_(False))).scalars().all()
        return sum("admin" in u.roles for u in users)


def count_users(engine: Engine) -> int:
    """Every account, enabled or not.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    int
        The count.
    """
    with reader(engine) as sess:
        return sess.scalar(select(func.count()).select_from(User)) or 0


def load_principal(engine: Engine, name: str) -> Principal | None:
    """An enabled user as a Principal (roles as stored now).

    Parameters
    ----------
    engine : Engine
        The store.
    name : str
        The account's name.

    Returns
    -------
    Principal or None
        None when there is no such enabled account.
    """
    with reader(engine) as sess:
        u = sess.get(User, name)
        return None if u is None or u.disabled else _principal(u)


def principal_for_subject(engine: Engine, subject: str) -> Principal | None:
    """The enabled local user mapped to a single sign-on identity.

    Parameters
    ----------
    engine : Engine
        The store.
    subject : str
        The identity provider's subject.

    Returns
    -------
    Principal or None
        None when no enabled account is mapped to it.
    """
    with reader(engine) as sess:
        u = sess.execute(select(User).where(User.sso_subject == subject)).scalar_one_or_none()
        return None if u is None or u.disabled else _principal(u)


def add_user(
    engine: Engine,
    actor: Principal,
    name: str,
    password: str | None,
    roles,
    regions=(),
    departments=(),
    sso_subject: str | None = None,
    is_demo: bool = False,
) -> Principal:
    """Create an account (an admin's write; the first admin is made by the system principal).

    Parameters
    ----------
    engine : Engine
        The store.
    actor : Principal
        Who creates it.
    name : str
        The account's name.
    password : str or None
        Required unless the user signs in only through single sign-on.
    roles : iterable of str
        Its roles.
    regions : iterable of str
        The regions it answers for.
    departments : iterable of str
        The departments it reports tasks for.
    sso_subject : str or None
        A single sign-on identity mapped to it.
    is_demo : bool
        A demo account.

    Returns
    -------
    Principal
        The new account.
    """
    require(actor, "user_admin")
    name = clean_user_name(name)
    roles, regions, departments = check_assignment(roles, regions, departments)
    subject = clean_text(sso_subject, "user_sso")
    if password is None and subject is None:
        raise AccountError(
            "须设置密码（或单点登录身份）", "a password (or an SSO identity) is needed"
        )
    if password is not None:
        passwords.check_rules(password, name)
    with transaction(engine) as sess:
        if sess.get(User, name) is not None:
            raise AccountError(f"用户 {name} 已存在", f"user {name} already exists")
        u = User(
            name=name,
            password_hash=passwords.hash_password(password) if password is not None else None,
            roles=list(roles),
            regions=list(regions),
            departments=list(departments),
            sso_subject=subject,
            disabled=False,
            failed_attempts=0,
            is_demo=is_demo,
            password_changed_at=_now() if password is not None else None,
        )
        sess.add(u)
        sess.flush()
        audit.record(sess, actor, "user_add", target=f"user {name}", after=_state(u))
        return _principal(u)


def _get(sess, name: str) -> User:
    u = sess.get(User, name)
    if u is None:
        raise AccountError(f"没有用户 {name}", f"no user {name}")
    return u


def set_password(engine: Engine, actor: Principal, name: str, password: str) -> None:
    """A new password for an account: by an admin, or by the user themself.

    Parameters
    ----------
    engine : Engine
        The store.
    actor : Principal
        Who sets it.
    name : str
        The account.
    password : str
        The new password (checked by the password policy).
    """
    if actor.name != name or actor.is_system:
        require(actor, "user_admin")
    passwords.check_rules(password, name)
    with transaction(engine) as sess:
        u = _get(sess, name)
        u.password_hash = passwords.hash_password(password)
        u.password_changed_at = _now()
        u.failed_attempts, u.locked_until = 0, None
        audit.record(sess, actor, "user_password", target=f"user {name}")


def assign(
    engine: Engine,
    actor: Principal,
    name: str,
    roles=None,
    regions=None,
    departments=None,
    sso_subject: str | None = None,
) -> Principal:
    """Replace an account's roles, regions or departments.

    Parameters
    ----------
    engine : Engine
        The store.
    actor : Principal
        The admin.
    name : str
        The account.
    roles, regions, departments : iterable of str or None
        The new ones (None: keep).
    sso_subject : str or None
        A single sign-on identity mapped to it (None: keep).

    Returns
    -------
    Principal
        The account as it is now.
    """
    require(actor, "user_admin")
    with transaction(engine) as sess:
        u = _get(sess, name)
        before = _state(u)
        r, g, d = check_assignment(
            u.roles if roles is None else roles,
            u.regions if regions is None else regions,
            u.departments if departments is None else departments,
        )
        u.roles, u.regions, u.departments = list(r), list(g), list(d)
        if sso_subject is not None:
            u.sso_subject = clean_text(sso_subject, "user_sso")
        audit.record(
            sess, actor, "user_assign", target=f"user {name}", before=before, after=_state(u)
        )
        return _principal(u)


def set_contact(
    engine: Engine, actor: Principal, name: str, email: str | None, lang: str | None = None
) -> None:
    """Where reminders reach an account and in which language; by an admin or the user themself.

    Parameters
    ----------
    engine : Engine
        The store.
    actor : Principal
        Who sets it.
    name : str
        The account.
    email : str or None
        The address; empty removes it.
    lang : str or None
        "zh" or "en" (None: keep).
    """
    if actor.name != name or actor.is_system:
        require(actor, "user_admin")
    address = clean_email(email)
    if lang not in (None, "zh", "en"):
        raise AccountError(f"未知语言 {lang}（zh 或 en）", f"unknown language {lang} (zh or en)")
    with transaction(engine) as sess:
        u = _get(sess, name)
        before = {"email": u.email, "lang": u.lang}
        u.email = address
        if lang is not None:
            u.lang = lang
        audit.record(
            sess, actor, "user_contact", target=f"user {name}", before=before,
            after={"email": u.email, "lang": u.lang},
        )  # fmt: skip


def contacts(engine: Engine) -> pd.DataFrame:
    """The enabled statisticians with an e-mail address.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    pandas.DataFrame
        name, regions, email, lang.
    """
    with reader(engine) as sess:
        users = sess.execute(
            select(User).where(User.email.is_not(None), User.disabled.is_(False))
        ).scalars()
        rows = [
            {"name": u.name, "regions": list(u.regions), "email": u.email, "lang": u.lang or ""}
            for u in users
            if "statistician" in (u.roles or [])
        ]
    return pd.DataFrame(rows, columns=["name", "regions", "email", "lang"])


def set_disabled(engine: Engine, actor: Principal, name: str, disabled: bool = True) -> None:
    """Disable or enable an account (an admin's write, audited).

    Parameters
    ----------
    engine : Engine
        The store.
    actor : Principal
        The admin.
    name : str
        The account.
    disabled : bool
        True to disable, False to enable.
    """
    require(actor, "user_admin")
    with transaction(engine) as sess:
        u = _get(sess, name)
        before = _state(u)
        u.disabled = disabled
        audit.record(
            sess,
            actor,
            "user_disable" if disabled else "user_enable",
            target=f"user {name}",
            before=before,
            after=_state(u),
        )


def unlock(engine: Engine, actor: Principal, name: str) -> None:
    """Lift a sign-in lock-out before it runs out.

    Parameters
    ----------
    engine : Engine
        The store.
    actor : Principal
        The admin.
    name : str
        The account.
    """
    require(actor, "user_admin")
    with transaction(engine) as sess:
        u = _get(sess, name)
        before = {"failed_attempts": u.failed_attempts, "locked_until": str(u.locked_until)}
        u.failed_attempts, u.locked_until = 0, None
        sess.execute(delete(SigninGuard).where(SigninGuard.user_name == name))
        audit.record(sess, actor, "user_unlock", target=f"user {name}", before=before)


def list_users(engine: Engine) -> pd.DataFrame:
    """Every account, by name (never the hash).

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    pandas.DataFrame
        ``LIST_COLUMNS``; ``locked_until``: the latest time an address is stopped from trying
        the account, if any is now.
    """
    now = _now()
    with reader(engine) as sess:
        users = sess.execute(select(User).order_by(User.name)).scalars().all()
        guards = dict(
            sess.execute(
                select(SigninGuard.user_name, func.max(SigninGuard.locked_until)).group_by(
                    SigninGuard.user_name
                )
            ).all()
        )
        rows = []
        for u in users:
            until = _aware(guards.get(u.name))
            rows.append(
                {
                    **{c: getattr(u, c) for c in LIST_COLUMNS},
                    "roles": list(u.roles),
                    "regions": list(u.regions),
                    "departments": list(u.departments),
                    "locked_until": _locked(u, now) or (until if until and until > now else None),
                }
            )
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def _locked(u: User, now: datetime) -> datetime | None:
    until = _aware(u.locked_until)
    return until if until is not None and until > now else None


MAX_LOCK = timedelta(days=1)


def _lock_for(failures: int, limit: int, minutes: int) -> timedelta:
    """How long an address waits after its ``failures``-th wrong password in a row: nothing
    below the limit, then ``minutes``, doubling with each further one, at most a day."""
    if failures < limit:
        return timedelta(0)
    return min(timedelta(minutes=minutes) * 2 ** min(failures - limit, 16), MAX_LOCK)


def authenticate(
    engine: Engine,
    name: str,
    password: str,
    now: datetime | None = None,
    client: str = "unknown",
) -> Principal:
    """The user, if the password is theirs and the account is enabled and not locked.

    Wrong passwords are counted per account and client address (``SigninGuard``):
    ``signin_max_failures`` in a row stop that address for ``signin_lock_minutes``, doubling with
    each further failure (a day at most), while the user's own address is unaffected, so nobody
    can lock a user out at will. An attempt is counted *before* its password is checked, in a
    short transaction under the account's row lock (the store's write lock on SQLite), and
    uncounted if the password was right: parallel attempts can neither lose an increment nor get
    more than the limit checked, and the slow check holds no lock. A name without an account
    costs one password check too, so the time of an answer does not tell which names exist.
    Every failure is audited; the admin page shows failures per account.

    Parameters
    ----------
    engine : Engine
        The store.
    name : str
        The account's name.
    password : str
        The password typed.
    now : datetime.datetime or None
        The time (None: now).
    client : str
        The client's address.

    Returns
    -------
    Principal
        The signed-in user; else SignInRefused is raised.
    """
    now = now or _now()
    limit = int(settings.get("signin_max_failures"))
    minutes = int(settings.get("signin_lock_minutes"))
    typed = str(name or "").strip()[:80]
    client = str(client or "unknown")[:64]
    refusal, stored_hash = _reserve(engine, typed, client, now, limit, minutes)
    if refusal is not None:
        if refusal.kind == "bad":  # no such account: as slow as a wrong password
            passwords.verify_nobody(password)
        raise refusal
    ok = passwords.verify(stored_hash, password)
    return _settle(engine, typed, client, password, ok, now, limit)


def _failed(sess, typed: str, client: str, reason: str, **more) -> None:
    audit.record(
        sess, typed or "?", "signin_failed", target=f"user {typed}",
        detail={"reason": reason, "client": client, **more},
    )  # fmt: skip


def _reserve(engine, typed, client, now, limit, minutes):
    """Count the attempt as a failure, or refuse it (unknown, disabled, locked): (refusal or
    None, the stored hash)."""
    with transaction(engine) as sess:
        u = sess.get(User, typed, with_for_update=True) if typed else None
        if u is None:
            _failed(sess, typed, client, "unknown user")
            return SignInRefused("bad", "用户名或密码错误", "Wrong user name or password"), None
        if u.disabled:
            _failed(sess, typed, client, "disabled")
            return SignInRefused(
                "disabled",
                "此账户已停用，请联系管理员",
                "This account is disabled: ask an administrator",
            ), None
        until = _guard_until(sess, typed, client, now) or _locked(u, now)
        if until is not None:
            _failed(sess, typed, client, "locked")
            return _locked_refusal(until, limit), None
        guard = sess.get(SigninGuard, (typed, client)) or SigninGuard(
            user_name=typed, client=client, failures=0
        )
        guard.failures = (guard.failures or 0) + 1
        guard.last_at = now
        wait = _lock_for(guard.failures, limit, minutes)
        guard.locked_until = now + wait if wait else None
        sess.add(guard)
        u.failed_attempts = (u.failed_attempts or 0) + 1  # every address: for the admin
        return None, u.password_hash


def _settle(engine, typed, client, password, ok, now, limit) -> Principal:
    """After the check: a right password clears this address's count (and the account's);
    a wrong one stays counted, audited, and refused (locked once at the limit)."""
    with transaction(engine) as sess:
        u = sess.get(User, typed, with_for_update=True)
        guard = sess.get(SigninGuard, (typed, client))
        if ok and u is not None and not u.disabled:
            if passwords.needs_rehash(u.password_hash):
                u.password_hash = passwords.hash_password(password)
            u.failed_attempts, u.locked_until = 0, None
            if guard is not None:
                sess.delete(guard)
            return _principal(u)
        failures = guard.failures if guard is not None else 0
        until = _aware(guard.locked_until) if guard is not None else None
        detail = {"failed_attempts": failures}
        if until is not None and until > now:
            detail["locked_until"] = until.isoformat()
        _failed(sess, typed, client, "wrong password", **detail)
    if until is not None and until > now:
        raise _locked_refusal(until, limit)
    raise SignInRefused("bad", "用户名或密码错误", "Wrong user name or password")


def _guard_until(sess, name: str, client: str, now: datetime) -> datetime | None:
    guard = sess.get(SigninGuard, (name, client))
    until = _aware(guard.locked_until) if guard is not None else None
    return until if until is not None and until > now else None


def _locked_refusal(until: datetime, limit: int) -> SignInRefused:
    at = until.strftime("%H:%M UTC")
    return SignInRefused(
        "locked",
        f"账户已锁定：连续 {limit} 次密码错误。请于 {at} 后再试，或请管理员解锁。",
        f"Account locked after {limit} wrong passwords in a row. Try again after {at}, "
        "or ask an administrator to unlock it.",
        until,
    )
