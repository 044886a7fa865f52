"""Load: N concurrent browser sessions (Playwright contexts in Debian's Chromium) through nginx in
front of the replicas of ``deploy.local``, each signed in and going overview → map → trends →
returns by the menu, round after round, for a bounded time.

Reports the time from a click in the menu (or the first navigation) to the page drawn — its
heading shown, the script run ended, and on the map the county shapes painted — as p50 / p95,
every error (a timeout, an exception box, a lost connection), and each replica's RSS at the end.
The naive baseline is the same journey by one session alone, in the same run.

    python -m bench.load [--sessions 30] [--seconds 90] [--replicas 2] [--ramp 60] [--think 30]
                         [--per-context 5] [--url URL --accounts FILE]

Users arrive evenly over the first ``--ramp`` seconds (offices do not all press Enter in the same
second), then all work together for ``--seconds``, reading each page about ``--think`` seconds
(a leader reads a dashboard page for half a minute) before the next click. A page not drawn within 60 s is an error. The CPU the replicas, nginx and
the whole machine spent during the run is reported beside the times: on a small machine the
browsers that make the load compete with the servers they measure. Each session is a tab with its
own websocket, Streamlit session and sign-in; five tabs share a browser context (its cookie, so
its replica, and its HTTP cache), because on 2 cores thirty contexts each loading and compiling
Streamlit's 10 MB of JavaScript saturated the machine before the servers did (the replicas used
7% of its CPU in that run).
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

CHROMIUM = "/usr/bin/chromium"
# the journey: (menu path, heading key); "" is the overview
JOURNEY = [("", "lead.heading"), ("map", "map.heading"), ("trends", "trend.heading")]
JOURNEY += [("returns", "returns.heading")]
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


async def _session(
    ctx,
    base: str,
    name: str,
    password: str,
    until: float,
    rounds: int | None,
    out: dict,
    delay: float = 0.0,
    think: float = 0.0,
) -> None:
    """One user: after ``delay`` seconds, sign in, then rounds of the journey by the menu until
    ``until`` (or, given ``rounds``, that many whole rounds however long they take), reading
    each page for about ``think`` seconds (0.5 to 1.5 times, so users do not click in step)."""
    await asyncio.sleep(delay)
    rng = random.Random(f"{name}-{delay}")
    page = await ctx.new_page()
    timeout = 60_000
    page.set_default_timeout(timeout)
    try:
        t0 = time.perf_counter()
        await page.goto(base, timeout=timeout)
        submit = page.get_by_role("button", name=re.compile("^(登录|Sign in)$"))
        form = page.locator('[data-testid="stForm"]').filter(has=submit)
        await form.get_by_role("textbox", name=re.compile("^(用户名|User name)$")).fill(name)
        await form.locator('input[type="password"]').fill(password)
        await submit.click()
        await _drawn(page, "", t("lead.heading", "zh"), timeout)
        out["signin"].append(time.perf_counter() - t0)
        nav = page.locator('[data-testid="stSidebarNav"]')
        step = 1
        while step <= rounds * len(JOURNEY) if rounds else time.perf_counter() < until:
            path, key = JOURNEY[step % len(JOURNEY)]
            t0 = time.perf_counter()
            await nav.locator(f'a[href$="/{path}"]').first.click()
            await _drawn(page, path, t(key, "zh"), timeout)
            out["times"].append(time.perf_counter() - t0)
            out["by_page"].setdefault(path or "overview", []).append(time.perf_counter() - t0)
            step += 1
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))
    except Exception as exc:  # every failure of a session is counted and shown, never raised
        out["errors"].append(f"{name}: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    finally:
        await page.close()


async def _drive(base, sessions, seconds, accounts, rounds, ramp, think, per_context):
    from playwright.async_api import async_playwright

    from tests.e2e.conftest import CHROMIUM_ARGS

    out = {"times": [], "signin": [], "errors": [], "by_page": {}}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        until = time.perf_counter() + ramp + seconds
        contexts = [
            await browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
            for _ in range(math.ceil(sessions / per_context))
        ]
        await asyncio.gather(
            *(
                _session(
                    contexts[i % len(contexts)],
                    base,
                    *accounts[i % len(accounts)],
                    until,
                    rounds,
                    out,
                    delay=ramp * i / sessions,
                    think=think,
                )
                for i in range(sessions)
            )
        )
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
) -> dict:
    """Run ``sessions`` users against ``base`` for ``seconds`` (or ``rounds`` whole rounds of
    the journey each), arriving evenly over the first ``ramp`` seconds; the figures of the
    run. Each session is a tab with its own websocket, Streamlit session and sign-in; tabs
    share a browser context (cookies, so a replica, and the HTTP cache) ``per_context`` at a
    time."""
    t0 = time.perf_counter()
    # in a thread of its own: the caller may be inside Playwright's sync API (its own loop)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        out = pool.submit(
            asyncio.run,
            _drive(base, sessions, seconds, accounts, rounds, ramp, think, per_context),
        ).result()
    times = out["times"] or [float("nan")]
    return {
        "sessions": sessions,
        "seconds": round(time.perf_counter() - t0, 1),
        "navigations": len(out["times"]),
        "p50": statistics.median(times),
        "p95": percentile(times, 95),
        "signin_p50": statistics.median(out["signin"]) if out["signin"] else float("nan"),
        "by_page_p50": {k: statistics.median(v) for k, v in out["by_page"].items()},
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
) -> dict:
    """Start the deployment (PostgreSQL, replicas, nginx), warm it with one session, measure
    one session alone (the baseline), then ``sessions`` arriving over ``ramp`` seconds and all
    working together for ``seconds`` more; the figures and RSS."""
    from deploy.local import deployment

    with tempfile.TemporaryDirectory() as d, deployment(Path(var or d), replicas) as dep:
        accounts = demo_accounts(dep.var)
        drive(dep.url, 1, 5, accounts[:1])  # warm: caches, layers, Chromium's own
        alone = drive(dep.url, 1, min(seconds, 30), accounts[:1])
        nginx = [dep.procs[-1].pid]
        before = cpu_seconds(dep.pids()), cpu_seconds(nginx), time.perf_counter(), machine_cpu()
        loaded = drive(
            dep.url, sessions, seconds, accounts, ramp=ramp, think=think, per_context=per_context
        )
        wall = time.perf_counter() - before[2]
        # where the machine's CPU went: on a small machine the browsers that make the load
        # compete with the servers they measure
        loaded["cpu"] = {
            "replicas_s": round(cpu_seconds(dep.pids()) - before[0], 1),
            "nginx_s": round(cpu_seconds(nginx) - before[1], 1),
            "machine_s": round(machine_cpu() - before[3], 1),
            "wall_s": round(wall, 1),
            "cores": os.cpu_count(),
        }
        navs = loaded["navigations"] + sessions  # menu clicks + sign-ins
        loaded["cpu"]["replica_s_per_page"] = round(loaded["cpu"]["replicas_s"] / navs, 3)
        loaded["rss_mb"] = [round(rss_mb(pid)) for pid in dep.pids()]
        loaded["alone"] = alone
        loaded["replicas"] = replicas
        loaded["contexts"] = math.ceil(sessions / per_context)
        return loaded


def rows(result: dict) -> list[tuple]:
    """The run as rows of the benchmark table (bench/__main__.py): name, ours, baseline,
    baseline's name, budget, unit."""
    n, alone, cpu = result["sessions"], result["alone"], result["cpu"]
    return [
        (f"{n} sessions: navigation → drawn, p95", result["p95"], alone["p95"],
         "one session alone, p95", "≤ 3 s"),
        (f"{n} sessions: navigation → drawn, p50", result["p50"], alone["p50"],
         "one session alone, p50", "reported"),
        (f"{n} sessions: errors", len(result["errors"]), len(alone["errors"]),
         "one session alone", "≤ 0", "count"),
        (f"{n} sessions: largest replica RSS", max(result["rss_mb"]), min(result["rss_mb"]),
         "smallest replica", "≤ 500 MB", "MB"),
        (f"{n} sessions: replica CPU per page drawn", cpu["replica_s_per_page"],
         cpu["machine_s"] / max(1, result["navigations"] + n),
         "whole machine's CPU per page (browsers included)", "reported"),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__)
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--replicas", type=int, default=2)
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
        )
    else:
        result = run(
            args.sessions, args.seconds, args.replicas, args.ramp, args.think, args.per_context
        )
    print(json.dumps(result, indent=1, ensure_ascii=False))
    return 0 if not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
