"""Who is using the app: sign-in, sessions that expire, sign-out, and the roles pages ask for.

A session holds only the user's name and two times (signed in, last seen); the roles are read
from the store on every run, so a change by an admin (a role taken away, an account disabled)
applies at the user's next click. Hiding a form from a role is a courtesy: every write checks
the permission again in the core.
"""

from __future__ import annotations

import time

import streamlit as st

from data import settings
from data.accounts.policy import ROLE_NAMES, Principal
from data.demo.accounts import ACCOUNTS_FILE
from data.store.submissions import has_demo
from data.store.users import (
    SignInRefused,
    authenticate,
    count_admins,
    load_principal,
    principal_for_subject,
)
from ui.cached import engine
from ui.state import lang, tr

SESSION_KEY = "auth"


def _limits() -> tuple[float, float]:
    idle = float(settings.get("session_idle_minutes")) * 60
    absolute = float(settings.get("session_max_hours")) * 3600
    return idle, absolute


def start_session(name: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    st.session_state[SESSION_KEY] = {"name": name, "since": now, "seen": now}


def sign_out(reason: str | None = None) -> None:
    st.session_state.pop(SESSION_KEY, None)
    if reason:
        st.session_state["auth_notice"] = reason


def current_user() -> Principal | None:
    """The signed-in user, or None (never signed in, signed out, or the session expired: the
    reason is kept for the sign-in form). Each call counts as activity."""
    session = st.session_state.get(SESSION_KEY)
    if not session:
        return _sso_user()
    now = time.time()
    idle, absolute = _limits()
    if now - session["seen"] > idle:
        sign_out(tr("auth.idle", minutes=f"{idle / 60:g}"))
        return None
    if now - session["since"] > absolute:
        sign_out(tr("auth.expired", hours=f"{absolute / 3600:g}"))
        return None
    who = load_principal(engine(), session["name"])
    if who is None:
        sign_out(tr("auth.gone"))
        return None
    session["seen"] = now
    return who


def sso_enabled() -> bool:
    return bool(settings.get("sso_provider"))


def sso_identity() -> str | None:
    """The e-mail of the identity signed in through ``st.login`` (OpenID Connect), or None.
    The one place the app meets the identity provider; tests stub it here."""
    if not sso_enabled():
        return None
    user = getattr(st, "user", None)
    if user is None or not user.get("is_logged_in"):
        return None
    return user.get("email")


def _sso_user() -> Principal | None:
    subject = sso_identity()
    if subject is None:
        return None
    who = principal_for_subject(engine(), subject)
    if who is None:
        st.session_state["auth_notice"] = tr("auth.sso_unmapped", subject=subject)
        return None
    start_session(who.name)
    return who


def role_names(who: Principal) -> str:
    i = 0 if lang() == "zh" else 1
    return tr("list.enum").join(
        ROLE_NAMES[r][i] for r in sorted(who.roles, key=list(ROLE_NAMES).index)
    )


def client_address() -> str:
    """The address a sign-in comes from: the browser's, or behind the nginx site on this host
    (a loopback peer), the address nginx saw (the last X-Forwarded-For entry: the ones before
    it are the client's own claims)."""
    peer = st.context.ip_address or "unknown"
    if peer in ("127.0.0.1", "::1"):
        forwarded = (st.context.headers.get("X-Forwarded-For") or "").split(",")
        seen = forwarded[-1].strip()
        if seen:
            return seen[:64]
    return peer[:64]


def sign_in_form() -> None:
    """The sign-in page: the form, why the last session ended, and how to get an account."""
    st.title(tr("auth.heading"))
    st.caption(tr("auth.intro"))
    notice = st.session_state.pop("auth_notice", None)
    if notice:
        st.info(notice, icon=":material/info:")
    eng = engine()
    if has_demo(eng):
        st.warning(
            tr("auth.demo", path=f"{settings.var_dir() / ACCOUNTS_FILE}"), icon=":material/science:"
        )
    elif count_admins(eng) == 0:
        st.warning(tr("auth.no_admin"), icon=":material/admin_panel_settings:")
    with st.form("sign_in", border=True):
        name = st.text_input(tr("auth.name"), key="signin_name", autocomplete="username")
        password = st.text_input(
            tr("auth.password"),
            type="password",
            key="signin_password",
            autocomplete="current-password",
        )
        submitted = st.form_submit_button(tr("auth.submit"), type="primary")
    if submitted:
        try:
            who = authenticate(eng, name, password, client=client_address())
        except SignInRefused as exc:
            st.error(exc.message(lang()), icon=":material/lock:")
        else:
            start_session(who.name)
            st.rerun()
    if sso_enabled():
        provider = settings.get("sso_provider")
        if st.button(tr("auth.sso"), icon=":material/badge:"):
            st.login() if provider == "default" else st.login(provider)


def sidebar(who: Principal) -> None:
    st.sidebar.caption(tr("auth.signed_in_as", name=who.name, roles=role_names(who)))
    if st.sidebar.button(tr("auth.sign_out"), icon=":material/logout:", key="sign_out"):
        sign_out()
        if sso_identity() is not None:
            st.logout()
        st.rerun()


def database_unavailable() -> None:
    """The database cannot be reached (restarting, network): one clear message instead of the
    page; the engine reconnects by itself (pre-ping), so the next click recovers."""
    st.error(tr("app.database_down"), icon=":material/cloud_off:")
    st.stop()


def user() -> Principal:
    """The signed-in user of this run (app.py has made sure there is one)."""
    who = st.session_state.get("_principal")
    if who is None:
        st.stop()
    return who


__all__ = [
    "current_user",
    "sign_in_form",
    "sign_out",
    "sidebar",
    "user",
    "database_unavailable",
    "role_names",
    "sso_identity",
    "start_session",
]
