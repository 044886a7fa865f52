"""Accounts in the store (SQL only): add, change, list, sign in with lock-out. Every change is
checked against the acting user's roles (``data.accounts.policy``) and audited in its own
transaction; sign-in failures are audited too. Password hashes never leave this module."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
from sqlalchemy import func, select

from data import settings
from data.accounts import passwords
from data.accounts.policy import AccountError, Principal, check_assignment, require
from data.sanitize import Refusal, clean_email, clean_text, clean_user_name
from data.store import audit
from data.store.engine import Engine, reader, transaction
from data.store.models import User

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
    """Enabled accounts holding the admin role."""
    with reader(engine) as sess:
        users = sess.execute(select(User).where(User.disabled.is_(False))).scalars().all()
        return sum("admin" in u.roles for u in users)


def count_users(engine: Engine) -> int:
    with reader(engine) as sess:
        return sess.scalar(select(func.count()).select_from(User)) or 0


def load_principal(engine: Engine, name: str) -> Principal | None:
    """The enabled user ``name`` as a Principal (roles as stored now), or None."""
    with reader(engine) as sess:
        u = sess.get(User, name)
        return None if u is None or u.disabled else _principal(u)


def principal_for_subject(engine: Engine, subject: str) -> Principal | None:
    """The enabled local user mapped to a single sign-on identity, or None."""
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
    A password is required unless the user signs in only through single sign-on."""
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
    """A new password for ``name``: by an admin, or by the user themself."""
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
    """Replace the roles, regions or departments given (None: keep)."""
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
    """Where reminders reach ``name`` and in which language (zh/en); by an admin, or by the
    user themself. An empty ``email`` removes it."""
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
    """The enabled statisticians with an e-mail address: name, regions, email, lang."""
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
    """Lift a lock-out before it runs out."""
    require(actor, "user_admin")
    with transaction(engine) as sess:
        u = _get(sess, name)
        before = {"failed_attempts": u.failed_attempts, "locked_until": str(u.locked_until)}
        u.failed_attempts, u.locked_until = 0, None
        audit.record(sess, actor, "user_unlock", target=f"user {name}", before=before)


def list_users(engine: Engine) -> pd.DataFrame:
    """Every account (``LIST_COLUMNS``; never the hash), by name."""
    with reader(engine) as sess:
        users = sess.execute(select(User).order_by(User.name)).scalars().all()
        rows = [
            {
                **{c: getattr(u, c) for c in LIST_COLUMNS},
                "roles": list(u.roles),
                "regions": list(u.regions),
                "departments": list(u.departments),
                "locked_until": _locked(u, _now()),
            }
            for u in users
        ]
    return pd.DataFrame(rows, columns=LIST_COLUMNS)


def _locked(u: User, now: datetime) -> datetime | None:
    until = _aware(u.locked_until)
    return until if until is not None and until > now else None


def authenticate(
    engine: Engine, name: str, password: str, now: datetime | None = None
) -> Principal:
    """The user, if ``password`` is theirs and the account is enabled and not locked; else
    SignInRefused. Each failure counts; ``signin_max_failures`` in a row lock the account for
    ``signin_lock_minutes``. Failures are audited in the same transaction as the count."""
    now = now or _now()
    limit = int(settings.get("signin_max_failures"))
    minutes = int(settings.get("signin_lock_minutes"))
    typed = str(name or "").strip()[:80]
    bad = SignInRefused("bad", "用户名或密码错误", "Wrong user name or password")
    with transaction(engine) as sess:
        u = sess.get(User, typed) if typed else None
        if u is None:
            audit.record(
                sess,
                typed or "?",
                "signin_failed",
                target=f"user {typed}",
                detail={"reason": "unknown user"},
            )
            raise_after = bad
        elif u.disabled:
            audit.record(
                sess, typed, "signin_failed", target=f"user {typed}", detail={"reason": "disabled"}
            )
            raise_after = SignInRefused(
                "disabled",
                "此账户已停用，请联系管理员",
                "This account is disabled: ask an administrator",
            )
        elif (until := _locked(u, now)) is not None:
            audit.record(
                sess, typed, "signin_failed", target=f"user {typed}", detail={"reason": "locked"}
            )
            raise_after = _locked_refusal(until, limit)
        elif passwords.verify(u.password_hash, password):
            if passwords.needs_rehash(u.password_hash):
                u.password_hash = passwords.hash_password(password)
            u.failed_attempts, u.locked_until = 0, None
            return _principal(u)
        else:
            u.failed_attempts = (u.failed_attempts or 0) + 1
            detail = {"reason": "wrong password", "failed_attempts": u.failed_attempts}
            if u.failed_attempts >= limit:
                u.locked_until = now + timedelta(minutes=minutes)
                detail["locked_until"] = u.locked_until.isoformat()
                raise_after = _locked_refusal(u.locked_until, limit)
            else:
                raise_after = bad
            audit.record(sess, typed, "signin_failed", target=f"user {typed}", detail=detail)
    raise raise_after


def _locked_refusal(until: datetime, limit: int) -> SignInRefused:
    at = until.strftime("%H:%M UTC")
    return SignInRefused(
        "locked",
        f"账户已锁定：连续 {limit} 次密码错误。请于 {at} 后再试，或请管理员解锁。",
        f"Account locked after {limit} wrong passwords in a row. Try again after {at}, "
        "or ask an administrator to unlock it.",
        until,
    )
