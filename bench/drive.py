"""How a person's browser and session are driven, shared by bench/ and tests/ (which import it
from here; bench never imports the tests): Chromium and its flags, a free port, signing in
on the form, waiting for a script run to finish, counting the map's drawn shapes, and the
AppTest equivalents (an account in a store, a session signed in as it)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from geo.regions import PROVINCE_CODE

# Debian's Chromium (make test installs it); URBDASH_CHROMIUM points elsewhere
CHROMIUM = os.environ.get("URBDASH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# a JS function: how many regions the map has drawn as filled shapes (-1 before its tiles
# and style are loaded)
COUNT_SHAPES = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  if (!sub || !sub.map || !sub.map.loaded() || !sub.map.areTilesLoaded()) return -1;
  const fills = sub.map.queryRenderedFeatures().filter(f => f.layer.type === 'fill');
  return new Set(fills.map(f => f.id ?? f.properties.id)).size;
}"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_idle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the script run has finished (Streamlit's running indicator is gone)."""
    page.wait_for_selector(
        '[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=timeout_ms
    )


def sign_in(page, name: str, password: str) -> None:
    """Fill the sign-in form as a person does and wait until the page behind it is drawn."""
    from playwright.sync_api import expect

    submit = page.get_by_role("button", name=re.compile("^(登录|Sign in)$"))
    form = page.locator('[data-testid="stForm"]').filter(has=submit)
    form.get_by_role("textbox", name=re.compile("^(用户名|User name)$")).fill(name)
    form.locator('input[type="password"]').fill(password)
    submit.click()
    expect(submit).to_have_count(0, timeout=30_000)  # the form is gone: signed in
    wait_idle(page)


def ensure_user(
    url: str, name: str, roles, password: str, regions=(PROVINCE_CODE,), depts=None
) -> None:
    """The account ``name`` with these roles in the store at ``url`` (made once)."""
    from data import store
    from data.accounts.policy import Principal
    from data.reference.plan import departments
    from data.store.users import add_user, load_principal

    engine = store.get_engine(url)
    if load_principal(engine, name) is not None:
        return
    depts = departments().name_zh.tolist() if depts is None else depts
    add_user(
        engine,
        Principal.system("tests"),
        name,
        password,
        roles,
        regions if "statistician" in roles else (),
        depts if "department" in roles else (),
    )


def session_of(at, name: str):
    """An AppTest whose session is signed in as ``name`` (as the sign-in form leaves it)."""
    now = time.time()
    at.session_state["auth"] = {"name": name, "since": now, "seen": now}
    return at


@contextmanager
def demo_server(var: Path, account: str = "demo-admin"):
    """As ``make run`` does on a fresh machine: ``urbdash demo --if-empty`` into ``var`` (the
    embedded store and its demo accounts), then ``urbdash serve`` on a free port, until
    healthy. Yields (base url, ``account``'s password, the server process, seconds until
    healthy); the server is stopped after."""
    import urllib.request

    env = {**os.environ, "URBDASH_VAR_DIR": str(var)}
    env.pop("URBDASH_DATABASE_URL", None)
    urbdash = str(Path(sys.executable).parent / "urbdash")
    subprocess.run([urbdash, "demo", "--if-empty"], env=env, check=True, capture_output=True)
    password = next(
        line.split("\t")[2]
        for line in (var / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()
        if line.startswith(f"{account}\t")
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [urbdash, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.perf_counter()
        while True:
            try:
                urllib.request.urlopen(f"{base}/_stcore/health", timeout=1)
                break
            except OSError:
                if time.perf_counter() - started > 120:
                    raise
                time.sleep(0.2)
        yield base, password, proc, time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=10)
