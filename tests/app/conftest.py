"""AppTest helpers: run app.py against a given store, with fresh Streamlit caches."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_on(monkeypatch):
    """``app_on(url)`` returns ``make(lang)``, which builds an AppTest of app.py on ``url``."""

    def bind(url: str):
        monkeypatch.setenv("URBDASH_DATABASE_URL", url)
        monkeypatch.chdir(ROOT)
        st.cache_data.clear()
        st.cache_resource.clear()

        def make(lang: str = "zh") -> AppTest:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            at.query_params["lang"] = lang
            return at

        return make

    return bind
