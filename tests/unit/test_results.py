"""Heavy results kept in the store (analytics.results, data.store.results): computed once per
store version by whichever worker claims the job, on SQLite and PostgreSQL; a killed worker's
job taken over; payloads that do not verify never read."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from analytics import results
from data import store
from data.store import results as kept
from data.store.bootstrap import init_store
from data.store.models import ComputedResult
from data.store.snapshot import read_snapshot
from data.store.version import lock_store, store_version

ROOT = Path(__file__).resolve().parents[2]


def bump(engine) -> int:
    """A write: the store's version moves (as an upload, a revision or a target change does)."""
    from data.store import transaction

    with transaction(engine) as sess:
        return lock_store(sess)


@pytest.fixture
def probe(monkeypatch, tmp_path):
    """The real scheduler with one cheap job, ``probe``, in place of the heavy ones: each run
    appends a line to a file (who computed which version), so double work shows."""
    log = tmp_path / "computed.txt"

    def compute(engine, inputs, delay=0.0):
        time.sleep(delay)
        with open(log, "a") as f:
            f.write(f"{inputs.version}\n")
        return {"version": inputs.version, "rows": len(inputs.observations)}

    monkeypatch.setattr(results, "JOBS", {"probe": results.JobKind(compute)})
    monkeypatch.setenv("URBDASH_RESULT_LEASE_S", "1")
    return log


@pytest.fixture
def ready(engine):
    init_store(engine)
    return engine


def test_a_result_is_read_at_once_and_said_stale_after_a_write(ready, probe):
    assert results.lookup(ready, "probe").stored is None  # asked for, not computed here
    assert not probe.exists()
    assert results.work(ready, once=True) == 1
    first = results.lookup(ready, "probe")
    assert first.current and first.ready
    assert results.value_of(first.stored) == {"version": store_version(ready), "rows": 0}
    v = bump(ready)
    stale = results.lookup(ready, "probe")
    assert not stale.current and stale.updating  # the older one, said to be older
    assert results.value_of(stale.stored)["version"] == v - 1
    assert kept.state(ready, "probe", "{}", results.method_version(), v) == kept.QUEUED
    results.work(ready, once=True)
    assert results.value_of(results.lookup(ready, "probe").stored)["version"] == v
    # the older row is pruned once the newer one is kept
    assert [r["store_version"] for r in kept.listing(ready)] == [v]


def test_a_worker_kept_for_some_results_leaves_the_others_queued(ready, monkeypatch, tmp_path):
    """``only``: the worker claims those jobs alone, even behind more than a claim's page of
    other queued jobs; the others stay queued for another worker. An unknown name is refused."""
    done = []

    def job(name):
        def compute(engine, inputs, n=0):
            done.append((name, n))
            return n

        return results.JobKind(compute, lambda e, i: [{"n": n} for n in range(25)])

    monkeypatch.setattr(results, "JOBS", {"many": job("many"), "quick": job("quick")})
    assert results.work(ready, once=True, only=("quick",)) == 25
    assert sorted(done) == [("quick", n) for n in range(25)]
    states = {(r["name"], r["status"]) for r in kept.listing(ready)}
    assert states == {("quick", kept.DONE), ("many", kept.QUEUED)}
    with pytest.raises(ValueError, match=r"^no such result: nope \(known: many, quick\)$"):
        results.work(ready, once=True, only=("quick", "nope"))


def test_two_workers_compute_each_version_once(ready, probe, monkeypatch):
    """Eight workers race over ten versions: every version computed exactly once. (Once per
    lease: a job whose worker stalls past its lease is taken over by design, see the next
    test; the probe's 1-s lease did run out on a loaded CI host while eight threads waited
    for SQLite's write lock, so the race gets the default lease.)"""
    monkeypatch.setenv("URBDASH_RESULT_LEASE_S", "30")
    stop = threading.Event()
    workers = [
        threading.Thread(
            target=results.work, args=(ready, stop), kwargs={"poll_s": 0.05, "worker": f"w{i}"}
        )
        for i in range(8)
    ]
    for w in workers:
        w.start()
    try:
        versions = []
        for _ in range(10):
            versions.append(bump(ready))
            for _ in range(20):  # requests of versions still being computed may be superseded
                if kept.state(ready, "probe", "{}", results.method_version(), versions[-1]):
                    break
                time.sleep(0.05)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not results.lookup(ready, "probe").current:
            time.sleep(0.05)
    finally:
        stop.set()
        for w in workers:
            w.join()
    done = [int(line) for line in probe.read_text().split()]
    assert len(done) == len(set(done)), f"a version was computed twice: {done}"
    assert versions[-1] in done
    assert results.value_of(results.lookup(ready, "probe").stored)["version"] == versions[-1]


WORKER = """
import sys, time
from analytics import results
from data import store
def compute(engine, inputs):
    print("started", flush=True)
    time.sleep(60)
results.JOBS = {"probe": results.JobKind(compute)}
results.work(store.get_engine(sys.argv[1]), once=True, worker="doomed")
"""


def test_a_killed_workers_job_is_taken_over(ready, probe, db_url, tmp_path):
    env = {**os.environ, "URBDASH_RESULT_LEASE_S": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER, db_url], stdout=subprocess.PIPE, env=env, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "started"
        row = kept.listing(ready)[0]
        assert (row["status"], row["claimed_by"]) == (kept.RUNNING, "doomed")
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        proc.kill()
    # within its lease nobody else takes the job; after it, another worker does
    assert results.work(ready, once=True, worker="heir") == 0
    time.sleep(1.2)
    assert results.work(ready, once=True, worker="heir") == 1
    rows = kept.listing(ready)
    assert [(r["status"], r["claimed_by"], r["attempts"]) for r in rows] == [(kept.DONE, "heir", 2)]
    assert results.lookup(ready, "probe").current


def test_a_failed_job_keeps_its_error_and_is_not_retried(ready, monkeypatch):
    calls = []

    def broken(engine, inputs):
        calls.append(1)
        raise ZeroDivisionError("no quarters")

    monkeypatch.setattr(results, "JOBS", {"probe": results.JobKind(broken)})
    results.work(ready, once=True)
    results.work(ready, once=True)
    found = results.lookup(ready, "probe")
    assert found.current and not found.ready
    assert (found.stored.status, found.stored.error) == (
        kept.FAILED,
        "ZeroDivisionError: no quarters",
    )
    assert calls == [1]


def test_a_payload_that_does_not_verify_is_never_unpickled(ready, probe, monkeypatch):
    results.work(ready, once=True)
    stored = results.lookup(ready, "probe").stored
    forged = b"\0" * kept.DIGEST + stored.payload[kept.DIGEST :]
    with pytest.raises(ValueError) as err:
        kept.unpack(forged)
    assert str(err.value) == "a stored result's signature does not verify; it is ignored"
    monkeypatch.setenv("URBDASH_RESULT_KEY", "another installation")
    with pytest.raises(ValueError):
        kept.unpack(stored.payload)


def test_results_of_other_methods_are_not_read(ready, probe, monkeypatch):
    results.work(ready, once=True)
    monkeypatch.setattr(results, "method_version", lambda: "changed-code")
    assert results.lookup(ready, "probe").stored is None
    results.work(ready, once=True)
    assert {r["method"] for r in kept.listing(ready)} == {"changed-code"}


def test_the_stored_forecasts_are_those_computed_directly(demo_copy):
    """On the demo store: what a page reads is what the core computes for the same store."""
    from analytics.targets import project_targets

    eng = demo_copy["engine"]
    found = results.lookup(eng, "projections", {"as_of": None, "target_set": None})
    assert found.current, "the demo store carries its results (computed when it was loaded)"
    stored = results.value_of(found.stored)
    direct = project_targets(read_snapshot(eng))
    assert json.dumps(stored, default=str, sort_keys=True) == json.dumps(
        direct, default=str, sort_keys=True
    )
    assert found.stored.basis == "2020Q4"  # the demo's newest quarter


def test_a_version_asked_for_late_is_not_asked_again(ready):
    """A worker that saw store version 2 only after version 3 was asked for (and version 2's
    row pruned once 3 was done) does not queue version 2 again: it would compute a superseded
    version a second time (seen on PostgreSQL under load: [1, 2, 3, 2, ...])."""
    method = results.method_version()
    assert kept.request(ready, "probe", "{}", method, 2) is True
    assert kept.request(ready, "probe", "{}", method, 3) is True
    with store.transaction(ready) as sess:  # version 2 pruned, as ``prune`` does
        sess.execute(ComputedResult.__table__.delete().where(ComputedResult.store_version == 2))
    assert kept.request(ready, "probe", "{}", method, 2) is False
    assert kept.state(ready, "probe", "{}", method, 2) is None
    assert kept.request(ready, "probe", "{}", method, 4) is True  # a newer one still is
    assert kept.request(ready, "other", "{}", method, 2) is True  # another key is its own
