"""SIGKILL at random points while returns are being ingested, 16 times: after each, SQLite's
integrity check passes, every stored submission holds all of its values (none half-written),
and the next ingest works."""

from __future__ import annotations

import itertools
import multiprocessing
import os
import random
import signal
import sqlite3
import time

import pandas as pd

from data import store
from data.intake.ingest import ingest, revert
from data.store.bootstrap import init_store
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM

KILLS = 16  # each at a random point of a run of ingests and reverts
HEADER = wb.HEADER_ZH


def province_return(year: int, quarter: int, seed: int) -> bytes:
    """All 107 counties for one quarter, plausible values."""
    from geo.regions import load_registry

    reg = load_registry()
    rng = random.Random(seed)
    rows = []
    for code in reg[reg.level == "county"].code:
        pop = rng.randint(100_000, 900_000)
        urban = pop * rng.randint(30, 70) // 100
        rows.append(
            [
                code,
                "",
                rng.randint(50, 900),
                rng.randint(0, 90),
                rng.randint(0, 50),
                pop,
                urban,
                pop + 1000,
                urban // 2,
            ]
        )
    title = f"{year}年第{'一二三四'[quarter - 1]}季度农业转移人口落户情况统计表"
    return wb.xlsx({"全省": [[title], ["单位：人"], HEADER, *rows]})


def _ingest_forever(url: str, files: list[bytes], done) -> None:
    """Until killed: ingest each file and revert every other one (so the files never run out
    and kills land in ingests and reverts alike); ``done`` counts the writes finished."""
    store.clear_engines()  # a fresh pool in this process, never the parent's connections
    engine = store.get_engine(url)
    for i, content in enumerate(itertools.cycle(files)):
        report = ingest(
            content, f"f{i}.xlsx", user=SYSTEM, engine=engine, accept_warnings=True, today="2030Q4"
        )
        done.value += 1
        if report.status == "committed" and i % 2:
            revert(report.submission_id, user=SYSTEM, engine=engine)
            done.value += 1


def check_whole(path) -> int:
    """Integrity check passes and each committed submission holds all its values; returns how
    many are committed."""
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        subs = pd.read_sql(
            "SELECT s.id, s.n_values, COUNT(o.id) AS stored FROM submission s "
            "LEFT JOIN observation o ON o.submission_id = s.id "
            "WHERE s.status = 'committed' GROUP BY s.id, s.n_values",
            con,
        )
        assert (subs.n_values == subs.stored).all(), subs[subs.n_values != subs.stored]
        orphans = con.execute(
            "SELECT COUNT(*) FROM observation o LEFT JOIN submission s "
            "ON s.id = o.submission_id WHERE s.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
        return len(subs)
    finally:
        con.close()


def test_sigkill_during_ingest_leaves_no_partial_submission(tmp_path):
    path = tmp_path / "store.sqlite"
    url = f"sqlite:///{path}"
    init_store(store.get_engine(url))
    files = [province_return(2016 + q // 4, q % 4 + 1, q) for q in range(8)]
    # warm up here: every module an ingest needs is imported before the forks, so a child
    # starts writing at once instead of importing (and a kill lands anywhere in a write)
    warm = store.get_engine(f"sqlite:///{tmp_path / 'warm.sqlite'}")
    init_store(warm)
    assert (
        ingest(
            files[0], "w.xlsx", user=SYSTEM, engine=warm, accept_warnings=True, today="2030Q4"
        ).status
        == "committed"
    )
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(20261202)
    committed = []
    for _ in range(KILLS):
        done = ctx.Value("i", 0, lock=False)  # no lock a killed child could leave held
        child = ctx.Process(target=_ingest_forever, args=(url, files, done))
        child.start()
        # after 0-2 finished writes (counted, not timed: a busy machine slows the child, never
        # the count) and then at a random moment of the next one or two: a kill lands anywhere
        after = rng.randint(0, 2)
        deadline = time.monotonic() + 120
        while done.value < after:
            assert time.monotonic() < deadline, f"the child finished {done.value} of {after} writes"
            time.sleep(0.005)
        time.sleep(rng.uniform(0.0, 0.5))
        os.kill(child.pid, signal.SIGKILL)
        child.join()
        assert child.exitcode == -signal.SIGKILL
        committed.append(check_whole(path))
    assert max(committed) > 0  # the kills did land mid-way through a run of commits
    store.clear_engines()
    # the next ingest works
    nxt = province_return(2026, 1, 99)  # a quarter nobody sent yet
    report = ingest(
        nxt,
        "next.xlsx",
        user=SYSTEM,
        engine=store.get_engine(url),
        accept_warnings=True,
        today="2030Q4",
    )
    assert report.status == "committed", report.errors[:3]
    check_whole(path)
    # a kill mid-commit leaves the audit trail's chain whole (records and head in one commit)
    from data.store import audit

    assert audit.verify(store.get_engine(url))["ok"]
    store.clear_engines()
