"""AppTest helpers: run app.py against a given store, with fresh Streamlit caches, signed in
as a user of the roles a test asks for (made in that store on first use)."""

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from bench import drive
from data import store
from data.accounts.policy import ROLES
from geo.regions import PROVINCE_CODE

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "apptest-pass-2026"


def _scan_once() -> None:
    """Streamlit's AppTest scans every installed distribution's metadata for components on
    each new AppTest (0.4 s of CPU each, hundreds of times a run); the installed packages do
    not change during a run, so the scan is made once per process."""
    from functools import cache

    from streamlit.components.v2 import manifest_scanner

    scan = manifest_scanner.scan_component_manifests
    if not hasattr(scan, "cache_info"):
        manifest_scanner.scan_component_manifests = cache(scan)


_scan_once()


def ensure_user(url: str, name: str, roles, regions=(PROVINCE_CODE,), depts=None) -> None:
    """The account ``name`` with these roles in the store at ``url`` (made once)."""
    drive.ensure_user(url, name, roles, PASSWORD, regions, depts)


def sign_in(at: AppTest, name: str) -> AppTest:
    return drive.session_of(at, name)


@pytest.fixture
def app_on(monkeypatch):
    """``app_on(url)`` returns ``make(lang, roles=..., user=...)``, which builds an AppTest of
    app.py on ``url`` signed in as a user holding ``roles`` (every role by default), or as the
    existing account ``user``; ``roles=None`` leaves it signed out."""

    # as `urbdash serve` does (ui/server.py): app.py's st.navigation is the one page registry,
    # never Streamlit's old pages-folder mode, which AppTest switches on again before each run
    # (a rerun of the landing page would then run pages/overview_page.py without app.py)
    from streamlit.runtime.pages_manager import PagesManager

    init = PagesManager.__init__

    def init_without_pages_folder(self, *args, **kwargs):
        init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init_without_pages_folder)

    def bind(url: str):
        monkeypatch.setenv("URBDASH_DATABASE_URL", url)
        monkeypatch.chdir(ROOT)
        st.cache_data.clear()
        st.cache_resource.clear()
        engine = store.get_engine(url)
        if not store.is_initialised(engine):
            from data.store.bootstrap import init_store

            init_store(engine)

        def make(lang: str = "zh", roles=ROLES, user: str | None = None) -> AppTest:
            at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
            at.query_params["lang"] = lang
            if user is not None:
                sign_in(at, user)
            elif roles is not None:
                name = "t-" + "".join(sorted(r[:3] for r in roles))
                ensure_user(url, name, tuple(roles))
                sign_in(at, name)
            return at

        return make

    return bind


def caught_up(at: AppTest, engine) -> AppTest:
    """Run ``at`` as a person's next look after the results worker has caught up: one run that
    asks for what the page needs (the page says it is being computed), the worker's work
    (``analytics.results.work``, as ``urbdash serve``'s worker does it), and the page's
    refresh."""
    from analytics import results

    at.run()
    results.work(engine, once=True)
    return at.run()
