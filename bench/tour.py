"""A new user's tour in Chromium at 1366×768: every page of the menu, in Chinese then in
English, right after a server start (``urbdash demo --if-empty`` then ``urbdash serve``, as
``make run`` does), and again right after an upload (a 西安市 return for a new quarter, stored
by ``urbdash ingest`` as demo-statistician: the same core path as the returns page, which
moves the store's version, so the results worker computes anew while the tour goes on).

Each page is timed from the click in the menu until its heading is shown, its script run has
ended and (on the map) its shapes are drawn. The baseline is the same page visited again at
once, warm. Every JavaScript console error and every error box is counted, and each page is
screenshot to ``var/screenshots/tour-<phase>-<lang>-<page>.png`` to be looked at.

``python -m bench.tour`` runs it alone and prints its rows; ``make bench`` includes them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from bench.table import as_row, table

# each page's heading (the menu's url path -> catalogue key): what "drawn" waits for
HEADINGS = {
    "": "lead.heading",
    "overview": "lead.heading",
    "trends": "trend.heading",
    "map": "map.heading",
    "projection": "proj.heading",
    "whatif": "whatif.heading",
    "tasks": "task.heading",
    "returns": "returns.heading",
    "review": "review.heading",
    "quality": "quality.heading",
    "published": "published.heading",
    "admin": "page.admin",
}
ERRORS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
BUDGET_S = 3.0


def upload(var: Path) -> str:
    """Store a 西安市 return for the quarter after the demo's last, as demo-statistician;
    the quarter it was for."""
    from data.demo.generator import generate
    from data.intake.template import write_return
    from data.reference import periods
    from geo.regions import code_named, load_registry

    frame = generate()
    last = frame.period.max()
    quarter = periods.quarter_range(last, "2040Q4")[1]
    reg = load_registry()
    xian = code_named("西安市")
    counties = set(reg[(reg.level == "county") & (reg.parent_code == xian)].code)
    rows = frame[(frame.period == last) & frame.region_code.isin(counties)].assign(period=quarter)
    path = write_return(var / f"tour-{quarter}.xlsx", quarter, rows)
    env = {**os.environ, "URBDASH_VAR_DIR": str(var)}
    env.pop("URBDASH_DATABASE_URL", None)
    urbdash = str(Path(sys.executable).parent / "urbdash")
    subprocess.run(
        [urbdash, "ingest", str(path), "--user", "demo-statistician", "--accept-warnings"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    return quarter


def visit(page, base: str, index: int, lang: str, shots: Path, phase: str) -> tuple[str, float]:
    """Click the menu's ``index``-th link; the page's path and the seconds until drawn."""
    from bench.drive import COUNT_SHAPES, wait_idle
    from data.i18n.messages import t

    link = page.locator('[data-testid="stSidebarNav"] a').nth(index)
    href = link.get_attribute("href") or ""
    path = href.rstrip("/").rsplit("/", 1)[-1] if href.rstrip("/") != base else ""
    t0 = time.perf_counter()
    link.click()
    page.wait_for_url(href)
    heading = t(HEADINGS[path], lang)
    page.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=60_000)
    wait_idle(page, 60_000)
    if path == "map":  # polled: the app's CSP forbids wait_for_function's eval
        deadline = time.perf_counter() + 60
        while page.evaluate(f"({COUNT_SHAPES})()") <= 0:
            if time.perf_counter() > deadline:
                raise TimeoutError("map: no shape drawn in 60 s")
            time.sleep(0.05)
    seconds = time.perf_counter() - t0
    if page.locator(ERRORS).count():
        raise RuntimeError(f"/{path}: {page.locator(ERRORS).first.inner_text()[:200]}")
    page.screenshot(path=str(shots / f"tour-{phase}-{lang}-{path or 'overview'}.png"))
    return path or "overview", seconds


def tour(page, base: str, shots: Path, phase: str) -> dict:
    """Every page in Chinese then in English: the first visit's and a second visit's seconds
    per (language, page)."""
    from bench.drive import wait_idle

    first, again = {}, {}
    for lang, label in (("zh", "中文"), ("en", "English")):
        page.locator('[data-testid="stSidebar"]').get_by_text(label, exact=True).click()
        wait_idle(page, 60_000)
        count = page.locator('[data-testid="stSidebarNav"] a').count()
        for i in range(count):
            name, seconds = visit(page, base, i, lang, shots, phase)
            first[(lang, name)] = seconds
            again[(lang, name)] = visit(page, base, i, lang, shots, phase + "-again")[1]
    return {"first": first, "again": again}


def run(tmp: Path) -> dict:
    """Start the demo server as ``make run`` does, sign in as demo-admin (every page), tour,
    upload, tour again."""
    from bench.drive import CHROMIUM, CHROMIUM_ARGS, demo_server, sign_in

    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"tour: no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    var = tmp / "tour-var"
    shots = Path(os.environ.get("URBDASH_VAR_DIR", "var")) / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    out: dict = {"console": []}
    with demo_server(var) as (base, password, _proc, healthy_after):
        out["healthy_after"] = healthy_after
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.on(
                "console",
                lambda m: out["console"].append(m.text) if m.type == "error" else None,
            )
            t0 = time.perf_counter()
            page.goto(base)
            page.locator('input[type="password"]').wait_for(timeout=60_000)
            out["form"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            sign_in(page, "demo-admin", password)
            out["signin"] = time.perf_counter() - t0
            out["start"] = tour(page, base, shots, "start")
            out["quarter"] = upload(var)
            out["upload"] = tour(page, base, shots, "upload")
            browser.close()
    return out


def rows(result: dict) -> list[tuple]:
    """The tour as rows of the benchmark table: the slowest first view after the start and
    after the upload (each beside the same page's warm second visit), and sign-in."""
    out = [
        ("tour: the address opened → sign-in form drawn (a new browser, just after start)",
         result["form"], None, "—", "reported"),
        ("tour: sign-in pressed → overview drawn (just after start)", result["signin"], None, "—",
         "≤ 3 s"),
    ]  # fmt: skip
    for phase, words in (("start", "just after start"), ("upload", "just after an upload")):
        first, again = result[phase]["first"], result[phase]["again"]
        slowest = max(first, key=first.get)
        out.append(
            (
                f"tour {words}: slowest first view ({slowest[1]}, {slowest[0]}), menu click → "
                "drawn",
                first[slowest],
                again[slowest],
                "the same page again, warm",
                f"≤ {BUDGET_S:g} s",
            )
        )
    return out


def main() -> None:
    import json
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        result = run(Path(d))
    for phase in ("start", "upload"):
        for (lang, name), seconds in result[phase]["first"].items():
            warm = result[phase]["again"][(lang, name)]
            print(f"{phase:7} {lang} {name:11} first {seconds:5.2f} s   again {warm:5.2f} s")
    print(f"server healthy after {result['healthy_after']:.1f} s; uploaded {result['quarter']}")
    print(f"console errors: {len(result['console'])}" + "".join(
        f"\n  {m[:160]}" for m in result["console"]))  # fmt: skip
    print(table([as_row(*r) for r in rows(result)]))
    print(json.dumps({"console": result["console"]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
