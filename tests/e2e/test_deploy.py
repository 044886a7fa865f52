"""The scaled deployment, as `make deploy-local` starts it (deploy/local.py): a throwaway
PostgreSQL, two `urbdash serve` replicas on loopback and nginx in front. Through it: nginx's
headers and sticky cookie, every page in Chromium under its Content-Security-Policy, an upload on
one replica seen at once on the other, five concurrent sessions (bench/load.py's journey), and
PostgreSQL restarted under the running app."""

from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from bench.drive import COUNT_SHAPES
from data import store
from data.i18n.messages import t
from data.intake.ingest import list_submissions
from tests.e2e.conftest import until, visit, wait_idle
from tests.fixtures import workbooks as wb
from ui.state import PAGES

TITLE = "2021年第一季度农业转移人口落户情况统计表"
CSP_WATCH = """() => { window.__csp = [];
  document.addEventListener('securitypolicyviolation',
    e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline'))); }"""
pytestmark = pytest.mark.known_long(
    reason="starts PostgreSQL, two replicas and nginx, loads the demo into PostgreSQL and drives five sessions at once"
)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("nginx is not installed (`make test` installs the Debian package nginx)")
    from deploy.local import deployment

    with deployment(tmp_path_factory.mktemp("deploy"), replicas=2) as dep:
        yield dep


def password(dep, name: str) -> str:
    for line in (dep.var / "demo-accounts.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith(name + "\t"):
            return line.split("\t")[2]
    raise KeyError(name)


def listening(port: int) -> list[str]:
    """Local addresses (hex, as /proc/net shows them) listening on ``port``."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            addr, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.append(addr)
    return found


def test_nginx_adds_headers_and_a_sticky_cookie_and_replicas_listen_on_loopback_only(deployed):
    with urllib.request.urlopen(deployed.url + "/") as reply:
        headers = reply.headers
        assert reply.status == 200
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-eval'" not in csp and "script-src 'self' 'wasm-unsafe-eval' 'sha256-" in csp
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert re.fullmatch(
        r"urbdash_route=[0-9a-f]{32}; Path=/; HttpOnly; SameSite=Lax", headers["Set-Cookie"]
    )
    # a browser that has its cookie is not given another
    req = urllib.request.Request(deployed.url + "/", headers={"Cookie": "urbdash_route=abc"})
    with urllib.request.urlopen(req) as reply:
        assert reply.headers["Set-Cookie"] is None
    # Streamlit's own assets come from nginx, with the same headers
    with urllib.request.urlopen(deployed.url + "/") as reply:
        asset = re.search(r'src="\./(static/js/[^"]+\.js)"', reply.read().decode()).group(1)
    with urllib.request.urlopen(f"{deployed.url}/{asset}") as reply:
        assert reply.headers["Content-Type"] == "application/javascript"
        assert reply.headers["X-Frame-Options"] == "DENY"
    for url in deployed.replicas:
        port = int(url.rsplit(":", 1)[1])
        assert listening(port) == ["0100007F"], f"replica {url} listens beyond loopback"


SECURITY = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "Referrer-Policy",
    "X-Content-Type-Options",
)


def test_replicas_send_nginxs_security_headers_and_close_the_metrics(deployed):
    """A replica reached without nginx (as `make run` serves) sends the same security headers,
    once each through nginx; Streamlit's /_stcore/metrics is closed on both, host-config (the
    page needs it before sign-in) stays open."""
    with urllib.request.urlopen(deployed.url + "/") as reply:
        front = {h: reply.headers.get_all(h) for h in SECURITY}
    assert all(len(v) == 1 for v in front.values()), front  # nginx hides the replica's copy
    for base in (deployed.url, *deployed.replicas):
        with urllib.request.urlopen(base + "/") as reply:
            assert {h: reply.headers.get_all(h) for h in SECURITY} == front, base
        with urllib.request.urlopen(base + "/_stcore/health") as reply:
            assert reply.headers["X-Frame-Options"] == "DENY"
        for closed in ("/_stcore/metrics", "/_stcore/metrics/", "//_stcore/metrics"):
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(base + closed)
            assert refused.value.code == 404, (base, closed)
            assert b"streamlit" not in refused.value.read().lower()
        with urllib.request.urlopen(base + "/_stcore/host-config") as reply:
            assert reply.status == 200


def test_every_page_through_nginx_under_the_csp(deployed, browser, shots):
    """Sign in through nginx and open every page of the menu: drawn, the map painted, and not
    one Content-Security-Policy violation (the watcher itself is shown to catch one)."""
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    ctx.add_init_script(f"({CSP_WATCH})()")
    page = ctx.new_page()
    try:
        visit(page, deployed.url, "demo-admin", password(deployed, "demo-admin"))
        links = page.locator('[data-testid="stSidebarNav"] a')
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        assert len(hrefs) == len(PAGES)  # the admin sees every page of the registry
        for i, href in enumerate(hrefs):
            links.nth(i).click()
            page.wait_for_url(href)
            wait_idle(page, 60_000)
            expect(page.get_by_role("heading").first).to_be_visible(timeout=30_000)
            if href.endswith("/map"):
                until(page, f"() => ({COUNT_SHAPES})() === 11")
                page.screenshot(path=str(shots / "deploy_map_through_nginx_zh.png"))
            assert page.evaluate("window.__csp") == [], href
            assert page.locator('[data-testid="stException"]').count() == 0, href
        # an injected inline script is refused, and the watcher sees it
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.__ran = 1'; document.head.appendChild(s); }"
        )
        until(page, "() => window.__csp.length > 0", 10)
        assert page.evaluate("window.__csp")[0].startswith("script-src")
        assert page.evaluate("window.__ran") is None
    finally:
        ctx.close()


def test_an_upload_through_one_replica_is_seen_through_the_other(deployed, browser, tmp_path):
    engine = store.get_engine(deployed.database_url)
    name = "deploy_lantian_2021Q1.xlsx"
    path = tmp_path / name
    path.write_bytes(
        wb.standard([wb.like_last_quarter(engine, "610122")], title=TITLE, sheet="蓝田县")
    )
    first, second = deployed.replicas
    viewer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    uploader = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    try:
        seen = viewer.new_page()  # replica 2: the returns page drawn before the upload
        visit(seen, f"{second}/returns", "demo-leader", password(deployed, "demo-leader"))
        expect(seen.get_by_role("heading", name="数据上报").first).to_be_visible(timeout=30_000)
        expect(seen.locator('[role="gridcell"]').filter(has_text=name)).to_have_count(0)
        expect(seen.get_by_text("2020Q4 已上报县（市、区）")).to_be_visible()

        page = uploader.new_page()  # replica 1: the statistician of 西安市 stores the file
        who = "demo-statistician"
        visit(page, f"{first}/returns", who, password(deployed, who))
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
        expect(page.get_by_role("button", name="入库")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="入库").click()
        expect(page.get_by_text("已入库").first).to_be_visible(timeout=30_000)
        assert name in set(list_submissions(engine).filename)

        # replica 2 at its next run: the new quarter in the completeness (a cached result) and
        # the file in the history, without a restart or a wait
        seen.locator('[data-testid="stSidebarNav"] a[href$="/trends"]').click()
        wait_idle(seen)
        seen.locator('[data-testid="stSidebarNav"] a[href$="/returns"]').click()
        # the page's first run after a write recomputes its caches (the nowcast among them):
        # allow it the time of a loaded machine, as the other steps here do
        history = seen.locator('[role="gridcell"]').filter(has_text=name)
        expect(history).to_have_count(1, timeout=30_000)
        expect(seen.get_by_text("2021Q1 已上报县（市、区）")).to_be_visible(timeout=30_000)
    finally:
        viewer.close()
        uploader.close()


def test_the_replicas_workers_compute_each_result_once(deployed):
    """Two replicas, two results workers, one store: after the start and after the upload
    above, every result of the current store version is computed once (one claim each), by
    one of the replicas' workers, and none is left failed."""
    from data.store.results import listing
    from data.store.version import store_version

    engine = store.get_engine(deployed.database_url)
    version = store_version(engine)
    wanted = {"projections", "backtests", "forecast_skill", "nowcast"}
    # generous: what is checked is "once each", not how soon (bench/ measures that); a host
    # busy with other work took over two minutes
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        rows = [r for r in listing(engine) if r["store_version"] == version]
        if {r["name"] for r in rows} >= wanted and all(r["status"] == "done" for r in rows):
            break
        time.sleep(0.5)
    assert {r["name"] for r in rows} >= wanted, rows
    assert [(r["name"], r["status"], r["attempts"]) for r in rows if r["attempts"] != 1] == []
    assert all(r["status"] == "done" for r in rows), [(r["name"], r["error"]) for r in rows]
    workers = {r["claimed_by"].rsplit(":", 1)[0] for r in rows}  # host:pid of each worker
    assert 1 <= len(workers) <= 2


def test_sessions_at_once_through_nginx(deployed):
    """bench/load.py's journey, six users at once through nginx: two in Chromium tabs (the
    page drawn), four speaking Streamlit's protocol without a browser (bench/protocol.py,
    which carries most of the 30-session load of `make bench`); each signs in and goes once
    round overview → map → trends → returns, every page checked for its heading and for error
    boxes. A refused sign-in is counted as an error with the page's own words, not as a page
    served."""
    from bench.load import demo_accounts, drive

    accounts = demo_accounts(deployed.var)
    result = drive(deployed.url, 6, 0, accounts, rounds=1, browsers=2)
    print(
        f"6 sessions, 2 in Chromium: drawn p50 {result['p50']:.2f} s, p95 {result['p95']:.2f} s;"
        f" served p50 {result['served_p50']:.2f} s, p95 {result['served_p95']:.2f} s"
    )
    assert result["errors"] == []
    # three menu clicks and back to the overview, per session
    assert (result["browsers"], result["navigations"], result["served_navigations"]) == (2, 8, 16)

    refused = drive(deployed.url, 1, 0, [("demo-leader", "not-the-password")], rounds=1, browsers=0)
    assert refused["errors"] == ["demo-leader (protocol): PageError: /: 用户名或密码错误"]
    assert refused["served_navigations"] == 0


def test_postgresql_restarted_under_the_app(deployed, browser, shots, tmp_path):
    """The app says the database is away, then recovers by itself; a write in flight during a
    restart is either stored and reported so, or reported as not stored and absent."""
    engine = store.get_engine(deployed.database_url)
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = ctx.new_page()
    nav = page.locator('[data-testid="stSidebarNav"]')
    try:
        visit(page, deployed.url, "demo-leader", password(deployed, "demo-leader"))
        deployed.pause_database()
        try:
            nav.locator('a[href$="/trends"]').click()
            expect(page.get_by_text(t("app.database_down", "zh")[:12])).to_be_visible(
                timeout=60_000
            )
            wait_idle(page)
            page.screenshot(path=str(shots / "deploy_database_down_zh.png"))
        finally:
            deployed.resume_database()
        nav.locator('a[href$="/map"]').click()
        expect(page.get_by_role("heading", name=t("map.heading", "zh"))).to_be_visible(
            timeout=60_000
        )
        until(page, f"() => ({COUNT_SHAPES})() === 11")
        expect(page.get_by_text(t("app.database_down", "zh")[:12])).to_have_count(0)
    finally:
        ctx.close()

    rng = random.Random(14)
    outcomes = []
    for i, code in enumerate(["610102", "610103", "610104", "610111"]):
        path = tmp_path / f"inflight_{code}.xlsx"
        path.write_bytes(wb.standard([wb.like_last_quarter(engine, code)], title=TITLE))
        bindir = Path(sys.executable).parent
        if i == 0:
            deployed.pause_database()
        proc = subprocess.Popen(
            [str(bindir / "urbdash"), "ingest", str(path), "--user", "demo-statistician"],
            env=deployed.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        if i == 0:  # away for the whole run: refused at its first query
            out, err = proc.communicate(timeout=180)
            deployed.resume_database()
        else:  # away for a second somewhere in the run
            time.sleep(rng.uniform(0.5, 3.5))
            deployed.pause_database()
            time.sleep(1)
            deployed.resume_database()
            out, err = proc.communicate(timeout=180)
        stored = path.name in set(list_submissions(engine).filename)
        if proc.returncode == 0:
            assert out.startswith("committed: ") and stored, (out, err)
        else:
            assert proc.returncode == 2, (out, err)
            assert re.match(
                rf"urbdash: error: (not stored: {re.escape(str(path))}: )?(cannot connect to "
                "database|database) postgresql",
                err,
            ), err
            assert len(err.strip().splitlines()) == 1, err
            assert not stored
        outcomes.append(proc.returncode)
    print(f"in-flight ingests across a PostgreSQL restart: exit codes {outcomes}")
    assert outcomes[0] == 2  # the first ran while the database was away


def test_the_app_connects_with_least_privilege(deployed):
    """The replicas' role reads and writes the store and appends to the audit trail, but can
    neither change nor delete audit records nor lift their triggers; the owner ran the
    migrations."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import ProgrammingError

    from data.store import audit
    from tests.fixtures.actors import SYSTEM

    assert deployed.owner_url and "urbdash_app@" in deployed.database_url
    app = create_engine(deployed.database_url)
    try:
        with app.connect() as conn:
            assert conn.scalar(text("SELECT current_user")) == "urbdash_app"
            assert conn.scalar(text("SELECT count(*) FROM observation")) > 0
        with store.transaction(app) as sess:
            audit.record(sess, SYSTEM, "note", {"by": "the app's role"})
        for statement, refusal in (
            ("UPDATE audit_log SET action = 'x'", "permission denied for table audit_log"),
            ("DELETE FROM audit_log", "permission denied for table audit_log"),
            ("TRUNCATE audit_log", "permission denied for table audit_log"),
            ("ALTER TABLE audit_log DISABLE TRIGGER ALL", "must be owner of table audit_log"),
            ("DROP TABLE audit_log", "must be owner of table audit_log"),
            ("CREATE TABLE sneaky (x int)", "permission denied for schema public"),
        ):
            with pytest.raises(ProgrammingError) as refused, app.begin() as conn:
                conn.execute(text(statement))
            assert refusal in str(refused.value), statement
        assert audit.verify(app)["ok"]
    finally:
        app.dispose()
        store.clear_engines()
