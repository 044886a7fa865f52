"""Load: N concurrent sessions through nginx in front of the replicas of ``deploy.local``, each
signed in and going overview → map → trends → returns by the menu, round after round, for a
bounded time. Some sessions are Chromium tabs (Playwright); the others speak Streamlit's
websocket protocol without a browser (bench/protocol.py).

For a Chromium session it reports the time from a click in the menu to the page drawn (its
heading shown, the script run ended, and on the map the county shapes painted); for a session
without a browser, the time from the click to the page's run ended and everything it drew
received. Each as p50 / p95, with every error (a timeout, an exception box, an error box, a lost
connection), the CPU the replicas, nginx, the load generators and the whole machine spent, and
each replica's RSS at the end. The naive baseline is the same journey by one session alone, in
the same run.

    python -m bench.load [--sessions 30] [--browsers 5] [--seconds 90] [--replicas 2]
                         [--ramp 60] [--think 30] [--per-context 5] [--url URL --accounts FILE]

Users arrive evenly over the first ``--ramp`` seconds (offices do not all press Enter in the same
second), then all work together for ``--seconds``, reading each page about ``--think`` seconds
(a leader reads a dashboard page for half a minute) before the next click. A page not drawn
within 60 s is an error.

Why not 30 Chromium tabs: measured on this project's 2-core machine, one Chromium tab spends
about 7 s of CPU to boot Streamlit's JavaScript and sign in, 4–7 s to draw the county map in
software WebGL and 1–1.5 s for each other page, against 0.2–0.7 s of the replica's CPU per page.
Thirty tabs need several cores for themselves; on 2 cores they saturated the machine while the
replicas used 7–12% of it, and pages timed out for want of CPU in the browsers, not the servers.
A session without a browser costs a replica at least what a browser's does: the same messages
in, the same script runs, the same figures and tables serialised and sent, every message whole
(a browser says which it has cached and is spared those), and nothing else (the pages of the
journey fetch no media; nginx serves the static files), at a few milliseconds of the generator's
CPU. So the servers meet the whole load while a few real tabs measure what a person sees under
it. On a machine with the cores, ``--browsers 30`` runs every session in Chromium.
Tabs share a browser context (its cookie, so its replica, and its HTTP cache) ``--per-context``
at a time.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from data.i18n.messages import t

# the journey: (menu path, heading key); "" is the overview
JOURNEY = [("", "lead.heading"), ("map", "map.heading"), ("trends", "trend.heading")]
JOURNEY += [("returns", "returns.heading")]
# sessions of a run in Chromium by default; the others speak Streamlit's protocol (see the top)
BROWSERS = 5
MAP_DRAWN = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  const sub = gd && gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;
  if (!sub || !sub.map || !sub.map.loaded() || !sub.map.areTilesLoaded()) return false;
  return sub.map.queryRenderedFeatures().some(f => f.layer.type === 'fill');
}"""
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their live children (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    seen = set()
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
        todo += [int(c) for c in children]
    return total / tick


def machine_cpu() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of ``values``."""
    ranked = sorted(values)
    return ranked[max(0, min(len(ranked) - 1, round(q / 100 * len(ranked) + 0.5) - 1))]


async def _drawn(page, path: str, heading: str, timeout_ms: int) -> None:
    await page.wait_for_url(re.compile(rf"/{re.escape(path)}(\?|$)"), timeout=timeout_ms)
    await page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=timeout_ms)
    await page.wait_for_selector(IDLE, timeout=timeout_ms)
    if path == "map":  # polled through evaluate: nginx's CSP forbids wait_for_function's eval
        deadline = time.perf_counter() + timeout_ms / 1000
        while not await page.evaluate(MAP_DRAWN):
            if time.perf_counter() > deadline:
                raise TimeoutError(f"/{path}: no county shape drawn in {timeout_ms} ms")
            await asyncio.sleep(0.05)
    if await page.locator(PROBLEMS).count():
        text = await page.locator(PROBLEMS).first.inner_text()
        raise RuntimeError(f"/{path}: {text.strip()[:200]}")


class BrowserTab:
    """A Chromium tab of a shared browser context, used as a ``bench.protocol.ProtocolSession``
    is: open, sign in, visit pages by the menu (each timed until drawn), close."""

    timeout_ms = 60_000

    def __init__(self, ctx, base: str) -> None:
        self.ctx, self.base, self.page = ctx, base, None

    async def open(self) -> None:
        self.page = await self.ctx.new_page()
        self.page.set_default_timeout(self.timeout_ms)
        await self.page.goto(self.base, timeout=self.timeout_ms)

    async def sign_in(self, name: str, password: str, heading: str) -> None:
        submit = self.page.get_by_role("button", name=re.compile("^(登录|Sign in)$"))
        form = self.page.locator('[data-testid="stForm"]').filter(has=submit)
        await form.get_by_role("textbox", name=re.compile("^(用户名|User name)$")).fill(name)
        await form.locator('input[type="password"]').fill(password)
        await submit.click()
        await _drawn(self.page, "", heading, self.timeout_ms)

    async def visit(self, path: str, heading: str) -> float:
        t0 = time.perf_counter()
        nav = self.page.locator('[data-testid="stSidebarNav"]')
        await nav.locator(f'a[href$="/{path}"]').first.click()
        await _drawn(self.page, path, heading, self.timeout_ms)
        return time.perf_counter() - t0

    async def close(self) -> None:
        if self.page is not None:
            await self.page.close()


async def _user(
    session,
    kind: str,
    name: str,
    password: str,
    until: float,
    rounds: int | None,
    out: dict,
    delay: float = 0.0,
    think: float = 0.0,
) -> None:
    """One user, in a ``BrowserTab`` (kind "drawn") or a ``ProtocolSession`` (kind "served"):
    after ``delay`` seconds, sign in, then rounds of the journey by the menu until ``until``
    (or, given ``rounds``, that many whole rounds however long they take), reading each page
    for about ``think`` seconds (0.5 to 1.5 times, so users do not click in step)."""
    await asyncio.sleep(delay)
    rng = random.Random(f"{name}-{delay}")
    times = out[kind]
    try:
        t0 = time.perf_counter()
        await session.open()
        await session.sign_in(name, password, t("lead.heading", "zh"))
        times["signin"].append(time.perf_counter() - t0)
        step = 1
        while step <= rounds * len(JOURNEY) if rounds else time.perf_counter() < until:
            path, key = JOURNEY[step % len(JOURNEY)]
            seconds = await session.visit(path, t(key, "zh"))
            times["times"].append(seconds)
            times["by_page"].setdefault(path or "overview", []).append(seconds)
            step += 1
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except Exception as exc:  # every failure of a session is counted and shown, never raised
        who = name if kind == "drawn" else f"{name} (protocol)"
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        out["errors"].append(f"{who}: {type(exc).__name__}: {detail}")
    finally:
        await session.close()


def browser_indices(sessions: int, browsers: int) -> set[int]:
    """Which of ``sessions`` (numbered in order of arrival) run in Chromium: ``browsers`` of
    them, spread evenly over the arrivals, the first always among them."""
    browsers = max(0, min(browsers, sessions))
    return {math.floor(j * sessions / browsers) for j in range(browsers)}


async def _drive(base, sessions, seconds, accounts, rounds, ramp, think, per_context, browsers):
    from playwright.async_api import async_playwright

    from bench.drive import CHROMIUM, CHROMIUM_ARGS
    from bench.protocol import ProtocolSession

    out = {kind: {"times": [], "signin": [], "by_page": {}} for kind in ("drawn", "served")}
    out["errors"] = []
    in_chromium = browser_indices(sessions, browsers)
    until = time.perf_counter() + ramp + seconds

    def user(i: int, ctx=None):
        session = ProtocolSession(base) if ctx is None else BrowserTab(ctx, base)
        kind = "served" if ctx is None else "drawn"
        args = (*accounts[i % len(accounts)], until, rounds, out)
        return _user(session, kind, *args, delay=ramp * i / sessions, think=think)

    if not in_chromium:
        await asyncio.gather(*(user(i) for i in range(sessions)))
        return out
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts = [
            await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            for _ in range(math.ceil(len(in_chromium) / per_context))
        ]
        tabs = {i: contexts[k % len(contexts)] for k, i in enumerate(sorted(in_chromium))}
        await asyncio.gather(*(user(i, tabs.get(i)) for i in range(sessions)))
        for ctx in contexts:
            await ctx.close()
        await browser.close()
    return out


def drive(
    base: str,
    sessions: int,
    seconds: float,
    accounts: list[tuple[str, str]],
    rounds: int | None = None,
    ramp: float = 0.0,
    think: float = 0.0,
    per_context: int = 1,
    browsers: int | None = None,
) -> dict:
    """Run ``sessions`` users against ``base`` for ``seconds`` (or ``rounds`` whole rounds of
    the journey each), arriving evenly over the first ``ramp`` seconds; the figures of the
    run. ``browsers`` of them (all when None) are Chromium tabs, with their own websocket,
    Streamlit session and sign-in, sharing a browser context (cookies, so a replica, and the
    HTTP cache) ``per_context`` at a time; the others speak Streamlit's protocol without a
    browser. ``p50``/``p95`` are the Chromium sessions' times to the page drawn,
    ``served_p50``/``served_p95`` the others' times to the page's run ended and received."""
    t0 = time.perf_counter()
    browsers = sessions if browsers is None else browsers
    # in a thread of its own: the caller may be inside Playwright's sync API (its own loop)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        out = pool.submit(
            asyncio.run,
            _drive(base, sessions, seconds, accounts, rounds, ramp, think, per_context, browsers),
        ).result()
    drawn, served = out["drawn"], out["served"]

    def p(values: list[float], q: float) -> float:
        return percentile(values, q) if values else float("nan")

    return {
        "sessions": sessions,
        "browsers": len(browser_indices(sessions, browsers)),
        "seconds": round(time.perf_counter() - t0, 1),
        "navigations": len(drawn["times"]),
        "p50": p(drawn["times"], 50),
        "p95": p(drawn["times"], 95),
        "signin_p50": p(drawn["signin"], 50),
        "by_page_p50": {k: statistics.median(v) for k, v in drawn["by_page"].items()},
        "served_navigations": len(served["times"]),
        "served_p50": p(served["times"], 50),
        "served_p95": p(served["times"], 95),
        "served_signin_p50": p(served["signin"], 50),
        "served_by_page_p50": {k: statistics.median(v) for k, v in served["by_page"].items()},
        "errors": out["errors"],
    }


def accounts_in(path: Path) -> list[tuple[str, str]]:
    """(name, password) of the leaders, planners and statisticians listed in ``path`` (lines of
    name<TAB>role<TAB>password; # comments), who see every page of the journey."""
    rows = [
        line.split("\t")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return [(r[0], r[2]) for r in rows if r[1] in ("leader", "planner", "statistician")]


def demo_accounts(var: Path) -> list[tuple[str, str]]:
    """The demo accounts a deployment's ``urbdash demo`` wrote into ``var``."""
    return accounts_in(var / "demo-accounts.txt")


def run(
    sessions: int,
    seconds: float,
    replicas: int = 2,
    ramp: float = 60,
    think: float = 30,
    per_context: int = 5,
    var: Path | None = None,
    browsers: int | None = BROWSERS,
) -> dict:
    """Start the deployment (PostgreSQL, replicas, nginx), warm it with one session, measure
    one session alone (the baseline, in Chromium and without a browser), then ``sessions``
    arriving over ``ramp`` seconds and all working together for ``seconds`` more, ``browsers``
    of them in Chromium (all when None); the figures, the CPU spent and the RSS."""
    from deploy.local import deployment

    with tempfile.TemporaryDirectory() as d, deployment(Path(var or d), replicas) as dep:
        accounts = demo_accounts(dep.var)
        drive(dep.url, 1, 5, accounts[:1])  # warm: caches, layers, Chromium's own
        alone = drive(dep.url, 1, min(seconds, 30), accounts[:1])
        alone_served = drive(dep.url, 1, min(seconds, 30), accounts[:1], browsers=0)
        nginx = [dep.procs[-1].pid]
        before = cpu_seconds(dep.pids()), cpu_seconds(nginx), time.perf_counter(), machine_cpu()
        own = sum(os.times()[:2])
        loaded = drive(
            dep.url,
            sessions,
            seconds,
            accounts,
            ramp=ramp,
            think=think,
            per_context=per_context,
            browsers=browsers,
        )
        wall = time.perf_counter() - before[2]
        # where the machine's CPU went: on a small machine the browsers that make the load
        # compete with the servers they measure
        loaded["cpu"] = {
            "replicas_s": round(cpu_seconds(dep.pids()) - before[0], 1),
            "nginx_s": round(cpu_seconds(nginx) - before[1], 1),
            "bench_process_s": round(sum(os.times()[:2]) - own, 1),
            "machine_s": round(machine_cpu() - before[3], 1),
            "wall_s": round(wall, 1),
            "cores": os.cpu_count(),
        }
        # menu clicks + sign-ins, of both kinds of session
        navs = loaded["navigations"] + loaded["served_navigations"] + sessions
        loaded["cpu"]["replica_s_per_page"] = round(loaded["cpu"]["replicas_s"] / navs, 3)
        loaded["rss_mb"] = [round(rss_mb(pid)) for pid in dep.pids()]
        loaded["alone"] = alone
        loaded["alone_served"] = alone_served
        loaded["replicas"] = replicas
        loaded["contexts"] = math.ceil(loaded["browsers"] / per_context)
        return loaded


def rows(result: dict) -> list[tuple]:
    """The run as rows of the benchmark table (bench/__main__.py): name, ours, baseline,
    baseline's name, budget, unit."""
    n, b, cpu = result["sessions"], result["browsers"], result["cpu"]
    alone, served = result["alone"], result["alone_served"]
    navs = result["navigations"] + result["served_navigations"] + n
    return [
        (f"{n} sessions: navigation → drawn, p95 (the {b} in Chromium)", result["p95"],
         alone["p95"], "one session alone, p95", "≤ 3 s"),
        (f"{n} sessions: navigation → drawn, p50 (the {b} in Chromium)", result["p50"],
         alone["p50"], "one session alone, p50", "reported"),
        (f"{n} sessions: navigation → run ended and received, p95 (the {n - b} without a "
         "browser)", result["served_p95"], served["served_p95"], "one such session alone, p95",
         "reported"),
        (f"{n} sessions: errors", len(result["errors"]),
         len(alone["errors"]) + len(served["errors"]), "one session alone", "≤ 0", "count"),
        (f"{n} sessions: largest replica RSS", max(result["rss_mb"]), min(result["rss_mb"]),
         "smallest replica", "≤ 500 MB", "MB"),
        (f"{n} sessions: replica CPU per page drawn", cpu["replica_s_per_page"],
         cpu["machine_s"] / max(1, navs),
         "whole machine's CPU per page (load generators included)", "reported"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument(
        "--browsers",
        type=int,
        default=BROWSERS,
        help="sessions in Chromium; the others speak Streamlit's protocol without a browser "
        "(give --browsers equal to --sessions on a machine with the cores for it)",
    )
    parser.add_argument("--ramp", type=float, default=60, help="seconds over which users arrive")
    parser.add_argument("--think", type=float, default=30, help="seconds a user reads a page")
    parser.add_argument(
        "--per-context",
        type=int,
        default=5,
        help="sessions (tabs) per browser context: 1 gives every session its own cookies and "
        "cache, and costs the browser far more CPU than the servers it measures",
    )
    parser.add_argument(
        "--url",
        help="drive this running deployment (from another machine) instead of starting one here",
    )
    parser.add_argument(
        "--accounts",
        type=Path,
        help="with --url: a file of name<TAB>role<TAB>password lines, as var/demo-accounts.txt",
    )
    args = parser.parse_args(argv)
    if args.url:
        if args.accounts is None:
            parser.error("--url needs --accounts")
        result = drive(
            args.url.rstrip("/"),
            args.sessions,
            args.seconds,
            accounts_in(args.accounts),
            ramp=args.ramp,
            think=args.think,
            per_context=args.per_context,
            browsers=args.browsers,
        )
    else:
        result = run(
            args.sessions,
            args.seconds,
            args.replicas,
            args.ramp,
            args.think,
            args.per_context,
            browsers=args.browsers,
        )
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
