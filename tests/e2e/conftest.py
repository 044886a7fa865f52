"""Browser tier: a real ``urbdash serve`` (streamlit run app.py) on a free port, driven by Playwright in Debian's
Chromium. Playwright cannot download its own browser here; a missing /usr/bin/chromium fails
the run in CI (CI=true) and skips it elsewhere."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bench import drive
from bench.drive import CHROMIUM, CHROMIUM_ARGS, free_port
from tests.conftest import copy_sqlite

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"


PASSWORD = "e2e-pass-2026"
ALL_ROLES = ["--role", "leader", "--role", "statistician", "--role", "planner"]
ALL_ROLES += ["--role", "department", "--role", "admin", "--region", "610000"]
ALL_ROLES += ["--department", "省公安厅", "--department", "省统计局"]
ACCOUNTS = {
    "e2e": ALL_ROLES,
    "lantian": ["--role", "statistician", "--region", "610122"],
    "shaanxi": ["--role", "statistician", "--region", "610000"],  # the province's reviewer
}


def demo_password(name: str) -> str:
    """A demo account's password, from the var/demo-accounts.txt the demo loader wrote."""
    path = Path(os.environ["URBDASH_E2E_VAR"]) / "demo-accounts.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith(name + "\t"):
            return line.split("\t")[2]
    raise KeyError(name)


def sign_in(page, name: str, password: str = PASSWORD) -> None:
    """Fill the sign-in form as a person does and wait until the page behind it is drawn."""
    drive.sign_in(page, name, password)


def visit(page, url: str, name: str = "e2e", password: str = PASSWORD) -> None:
    """Open ``url`` and sign in on the form it shows (the page asked for opens after)."""
    page.goto(url)
    page.get_by_role("button", name=re.compile("^(登录|Sign in)$")).wait_for(timeout=30_000)
    sign_in(page, name, password)


def until(page, script: str, timeout_s: float = 60) -> None:
    """Poll ``script`` (a JS expression or function) until it is true. Playwright's
    wait_for_function evaluates its predicate as a string in the page, which the app's CSP
    forbids ('unsafe-eval', ui/security.py); page.evaluate goes through the debugging
    protocol."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(script):
        assert time.monotonic() < deadline, f"not true after {timeout_s} s: {script[:80]}"
        time.sleep(0.1)


def serve_copy(var: Path, demo_template: Path):
    """``urbdash serve`` on a copy of the run's demo store in ``var``, as on a second `make
    run`: the store holds the demo returns (the run's template, loaded once), `urbdash demo
    --if-empty` leaves them and makes the demo accounts, and the journeys' own accounts are
    made through the CLI as an admin would (in demo mode no --as is needed). Yields the URL."""
    copy_sqlite(demo_template, var / "urbdash.sqlite")
    env = {**os.environ, "URBDASH_VAR_DIR": str(var)}
    env.pop("URBDASH_DATABASE_URL", None)
    bindir = Path(sys.executable).parent
    subprocess.run(
        [str(bindir / "urbdash"), "demo", "--if-empty"],
        env=env,
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    for name, args in ACCOUNTS.items():
        subprocess.run(
            [str(bindir / "urbdash"), "user", "add", name, *args, "--password-stdin"],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
            input=PASSWORD + "\n",
            text=True,
        )
    os.environ["URBDASH_E2E_VAR"] = str(var)
    port = free_port()
    log = open(var / "streamlit.log", "w")
    proc = subprocess.Popen(
        [str(bindir / "urbdash"), "serve", "--port", str(port), "--host", "127.0.0.1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail(
            f"streamlit did not become healthy: {(var / 'streamlit.log').read_text()[-2000:]}"
        )
    yield url
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory, demo_template):
    """The journeys' shared server (``serve_copy``)."""
    yield from serve_copy(tmp_path_factory.mktemp("e2e_var"), demo_template)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        msg = f"Chromium not found at {CHROMIUM} (`make test` installs the Debian package chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


# Streamlit's frontend, opened on a page's own address (/projection), first asks for its
# server under that path and then under the root: two 404s logged on every deep link, whatever
# the app (streamlit/streamlit#7074, open upstream). Only those exact requests are let through.
STREAMLIT_PROBE = re.compile(r"^https?://[^/]+/[^/]+/_stcore/(health|host-config)$")


def console_problems(page) -> list[str]:
    """Collect what the browser reports as errors on ``page``: uncaught JavaScript errors and
    console errors (failed loads included), except Streamlit's own deep-link probe."""
    problems: list[str] = []

    def on_console(msg) -> None:
        if msg.type != "error":
            return
        if STREAMLIT_PROBE.match(msg.location.get("url", "")) and "404" in msg.text:
            return
        problems.append(f"console error: {msg.text} ({msg.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    return problems


@pytest.fixture
def page(browser, request):
    """A 1366x768 Chromium page; the test fails on any JavaScript or console error in it.

    A test marked ``upstream_race(message, why)`` lets that one exact message through: an error
    inside a library we use, from a race we cannot reach (the mark says which and why)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    pg = ctx.new_page()
    problems = console_problems(pg)
    yield pg
    ctx.close()
    mark = request.node.get_closest_marker("upstream_race")
    if mark is not None:
        problems = [p for p in problems if p != mark.args[0]]
    assert problems == [], "the browser reported errors:\n" + "\n".join(problems)


@pytest.fixture(scope="session")
def shots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def cjk_font_installed() -> bool:
    out = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return shutil.which("fc-list") is not None and "Noto" in out.stdout


def wait_idle(page, timeout_ms: int = 90_000) -> None:
    """Wait until the script run has finished. The limit is generous for a CI host loaded by
    the other test worker: the heavy results are the results worker's (no page computes
    them), and how long a page takes is measured in bench/, not here."""
    drive.wait_idle(page, timeout_ms)
