"""Router: page registry, language switch and shared chrome. Pages live in ``pages/``."""

import streamlit as st

import ui
from data import store

st.set_page_config(page_title="陕西城镇化监测 / Shaanxi urbanization", page_icon="🏙️", layout="wide")
menu: dict[str, list] = {}
for i, (path, title, icon, url, group) in enumerate(ui.PAGES):
    # the landing page lives at "/": Streamlit ignores a url path on the default page
    page = st.Page(
        path, title=ui.tr(title), icon=icon, url_path=None if i == 0 else url, default=i == 0
    )
    menu.setdefault(ui.tr(group), []).append(page)
nav = st.navigation(menu)
# After st.navigation: a widget made before it gets another id on the session's second run
# (the page is only known then), which dropped the first language change.
ui.language_switch()
st.sidebar.caption(ui.tr("app.title"))
db = store.redact(ui.engine().url.render_as_string(False))
st.sidebar.caption(ui.tr("app.database", url=db.rsplit("/", 1)[-1]))
nav.run()
