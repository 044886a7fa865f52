"""Many writers at once, on SQLite and PostgreSQL: different returns all commit; two revisions
of the same region and quarter end with exactly one stored and the other told it conflicts
(the stored values always equal one file, never a mix); eight CLI processes lose nothing and
print no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from data import store
from data.intake import ingest as ingest_module
from data.intake.ingest import ingest
from data.store.models import Submission
from data.store.observations import read_current
from data.store.version import store_version
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import statistician

ROOT = Path(__file__).resolve().parents[2]
TODAY = "2020Q4"
QUARTERS = [f"{y}年第{q}季度" for y in (2016, 2017) for q in "一二三四"]
XA = statistician("tc", "610200")


@pytest.fixture
def eng(initialised):
    return initialised


def at_once(n: int, fn):
    """Run ``fn(i)`` for i < n in n threads released together; their results in order."""
    gate = threading.Barrier(n)

    def go(i):
        gate.wait()
        return fn(i)

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(go, range(n)))


def compared_together(monkeypatch) -> None:
    """Hold every ingest after it has compared its rows with the store until the other one has
    too, so two files are always checked against the same stored values (without it the second
    thread may start after the first committed and be, rightly, a revision refused)."""
    gate = threading.Barrier(2, timeout=60)
    compare = ingest_module._compare

    def compare_then_wait(*a, **k):
        compare(*a, **k)
        gate.wait()

    monkeypatch.setattr(ingest_module, "_compare", compare_then_wait)


def test_eight_different_returns_at_once_all_commit(eng):
    files = [wb.standard(title=f"{q}农业转移人口落户情况统计表") for q in QUARTERS]
    reports = at_once(8, lambda i: ingest(files[i], f"q{i}.xlsx", user=XA, engine=eng, today=TODAY))
    assert [r.status for r in reports] == ["committed"] * 8, [r.errors[:1] for r in reports]
    assert len(read_current(eng, wb.TONGCHUAN)) == 8 * 4 * 7
    assert store_version(eng) == 8


@pytest.mark.parametrize("rounds", [10])
def test_two_revisions_at_once_one_wins_never_a_mix(eng, rounds, monkeypatch):
    base = wb.standard()
    assert ingest(base, "base.xlsx", user=XA, engine=eng, today=TODAY).status == "committed"
    compared_together(monkeypatch)
    for k in range(rounds):
        values = (200 + 2 * k, 201 + 2 * k)
        files = [wb.standard(wb.county_rows(values=[v] + wb.GOOD[1:])) for v in values]

        def revise(i, files=files, k=k):
            return ingest(
                files[i], f"r{k}_{i}.xlsx", user=XA, engine=eng, today=TODAY, replace=True
            )

        reports = at_once(2, revise)
        assert sorted(r.status for r in reports) == ["committed", "conflict"], k
        winner = values[[r.status for r in reports].index("committed")]
        cur = read_current(eng, wb.TONGCHUAN)
        rural = cur[(cur.indicator == "settled_rural") & (cur.period == "2016Q3")]
        assert rural.value.tolist() == [float(winner)] * 4, (k, rural.value.tolist())
    with store.reader(eng) as s:
        kept = s.scalar(
            select(func.count()).select_from(Submission).where(Submission.status == "conflict")
        )
    assert kept == rounds  # the losing file of each round is kept, not lost


def test_two_first_versions_at_once(eng, monkeypatch):
    """Both files new for the same city and quarter: one stored, the other told to check again
    (before: an IntegrityError traceback)."""
    compared_together(monkeypatch)
    files = [wb.standard(wb.county_rows(values=[v] + wb.GOOD[1:])) for v in (300, 301)]
    reports = at_once(2, lambda i: ingest(files[i], f"f{i}.xlsx", user=XA, engine=eng, today=TODAY))
    assert sorted(r.status for r in reports) == ["committed", "conflict"]


WRITERS = 8


@pytest.mark.known_long(reason="starts 8 urbdash processes at once on two cores (their imports)")
def test_eight_cli_processes_lose_nothing(db_url, tmp_path):
    """Separate processes, one store: every writer commits (different quarters and cities) or
    is told in one line; none prints a traceback. Eight writers, four times the two cores:
    they queue for the store's write turn as sixteen did (which cost a minute of imports)."""
    env = {**os.environ, "URBDASH_DATABASE_URL": db_url, "URBDASH_VAR_DIR": str(tmp_path)}
    urbdash = str(Path(sys.executable).parent / "urbdash")
    env["PYTHONPATH"] = str(ROOT)  # this checkout's code, also in a worktree

    def run(*a, **k):
        return subprocess.run([urbdash, *a], env=env, capture_output=True, text=True, **k)

    assert run("init").returncode == 0
    assert (
        run(
            "user", "add", "root", "--role", "admin", "--password-stdin", input="pass-word-2026\n"
        ).returncode
        == 0
    )
    assert (
        run(
            "user",
            "add",
            "st",
            "--role",
            "statistician",
            "--region",
            "610000",
            "--password-stdin",
            "--as",
            "root",
            input="pass-word-2026\n",
        ).returncode
        == 0
    )
    paths = []
    for i in range(WRITERS):
        quarter = QUARTERS[i % (WRITERS // 2)]
        rows = wb.county_rows() if i < WRITERS // 2 else wb.county_rows(["610122"])  # 铜川, 蓝田县
        p = tmp_path / f"w{i}.xlsx"
        p.write_bytes(wb.standard(rows, title=f"{quarter}农业转移人口落户情况统计表"))
        paths.append(p)
    procs = [
        subprocess.Popen(
            [urbdash, "ingest", str(p), "--user", "st", "--accept-warnings"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for p in paths
    ]
    outs = [(p.wait(timeout=280), *p.communicate()) for p in procs]
    assert not any("Traceback" in err for _, _, err in outs), [e for _, _, e in outs if e][:2]
    assert [code for code, _, _ in outs] == [0] * WRITERS, outs
    engine = store.get_engine(db_url)
    # half the files 铜川's four counties, half 蓝田县 alone, each a quarter of its own: 7 values
    # per county and quarter
    half = WRITERS // 2
    assert len(read_current(engine, [*wb.TONGCHUAN, "610122"])) == (half * 4 + half) * 7
    store.clear_engines()
