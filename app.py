"""Router: page registry, language switch and shared chrome. Pages live in ``pages/``."""

import streamlit as st

import ui
from data import store

st.set_page_config(page_title="陕西城镇化监测 / Shaanxi urbanization", page_icon="🏙️", layout="wide")
pages = [
    st.Page(path, title=ui.tr(title), icon=icon, url_path=url, default=i == 0)
    for i, (path, title, icon, url) in enumerate(ui.PAGES)
]
nav = st.navigation({ui.tr("nav.monitor"): pages})
# After st.navigation: a widget made before it gets another id on the session's second run
# (the page is only known then), which dropped the first language change.
ui.language_switch()
st.sidebar.caption(ui.tr("app.title"))
db = store.redact(ui.engine().url.render_as_string(False))
st.sidebar.caption(ui.tr("app.database", url=db.rsplit("/", 1)[-1]))
nav.run()
