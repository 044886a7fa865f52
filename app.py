"""Router: sign-in, the page registry (filtered by the user's roles), language switch and
shared chrome. Pages live in ``pages/``."""

import streamlit as st

import ui
from data import store
from ui import server as ui_server

st.set_page_config(page_title="陕西城镇化监测 / Shaanxi urbanization", page_icon="🏙️", layout="wide")
try:
    ui.refresh_if_store_changed()
    who = ui.current_user()
except (store.WriteError, store.StoreError):
    ui.database_unavailable()
menu: dict[str, list] = {}
for i, p in enumerate(ui.PAGES):
    role = ui.PAGE_ROLES.get(p.script)
    if who is not None and role is not None and not who.has(role):
        continue
    # the landing page lives at "/": Streamlit ignores a url path on the default page
    page = st.Page(
        p.script,
        title=ui.tr(p.title_key),
        icon=p.icon,
        url_path=None if i == 0 else p.path,
        default=i == 0,
    )
    menu.setdefault(ui.tr(p.group_key), []).append(page)
# Signed out: the pages stay registered (hidden) so that the link asked for is kept and opens
# once signed in; only the sign-in form is drawn.
nav = st.navigation(menu, position="sidebar" if who is not None else "hidden")
# After st.navigation: a widget made before it gets another id on the session's second run
# (the page is only known then), which dropped the first language change.
ui.language_switch()
if who is None:
    st.session_state.pop("_principal", None)
    ui.sign_in_form()
else:
    st.session_state["_principal"] = who
    ui.sidebar(who)
    ui.view_switch()
    st.sidebar.caption(ui.tr("app.title"))
    db = store.redact(ui.engine().url.render_as_string(False))
    st.sidebar.caption(ui.tr("app.database", url=db.rsplit("/", 1)[-1]))
    try:
        nav.run()
        ui.refresh_when_ready()  # a result still being computed: rerun once it is ready
    except store.WriteError:  # the database went away mid-page: say so, recover next click
        ui.database_unavailable()
# the freed memory of this run back to the system, at most every few seconds (ui/server.py)
ui_server.trim_heap()
