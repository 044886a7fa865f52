"""How long the suite takes, kept visible (a pytest plugin, loaded by tests/conftest.py).

- A test whose setup and call together take longer than ``URBDASH_TEST_LIMIT_S`` (60 s on
  this machine unloaded; stretched by how much slower the host runs when it is judged) fails,
  unless it is marked ``@pytest.mark.known_long(reason="…")``; a mark without a reason is an
  error. The few known-long tests are the ones that build something whole (the wheel, the
  replicated deployment).
- At the end of the run the terminal summary gives each tier (the folder under ``tests/``) its
  wall time — from the first test's start to the last one's end, across xdist workers — beside
  the test time summed over the workers, and the slowest tests of the run.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field

import pytest

LIMIT_ENV = "URBDASH_TEST_LIMIT_S"
DEFAULT_LIMIT_S = 60.0
MARK = "known_long"


def limit_s() -> float:
    return float(os.environ.get(LIMIT_ENV, DEFAULT_LIMIT_S))


def tier_of(nodeid: str) -> str:
    """``tests/unit/test_x.py::test_y`` -> ``unit``; a test outside a tier folder -> ``tests``."""
    parts = nodeid.split("::", 1)[0].split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else parts[0]


# The limit is for this 2-core machine unloaded. When a test goes over it, the machine's speed
# at that moment is measured with a fixed workload (its time unloaded: REFERENCE_S), and a host
# slowed by other work (CPU steal, a busy CI host) stretches the limit in proportion, so that
# a test fails for being slow, not for the host being busy.
FACTOR_ENV = "URBDASH_TEST_HOST_FACTOR"  # fixes the factor (the tests of this module)
REFERENCE_S = 0.125
WORKLOAD = 3_000_000


def host_factor() -> float:
    """How much slower than unloaded this host runs now (at least 1)."""
    if os.environ.get(FACTOR_ENV):
        return max(1.0, float(os.environ[FACTOR_ENV]))

    def run() -> float:
        start, x = time.perf_counter(), 0
        for i in range(WORKLOAD):
            x += i * i
        return time.perf_counter() - start

    return max(1.0, min(run() for _ in range(3)) / REFERENCE_S)


def overlong(seconds: float, item: pytest.Item, limit: float) -> str | None:
    """The failure message for a test that took ``seconds``, or None when that is allowed."""
    mark = item.get_closest_marker(MARK)
    if mark is not None:
        if not mark.kwargs.get("reason"):
            return f"@pytest.mark.{MARK} needs reason='…' (why this test may take over {limit:g} s)"
        return None
    if seconds <= limit:
        return None
    factor = host_factor()
    if seconds <= limit * factor:
        return None
    slowed = f", the host {factor:.1f}× slower than unloaded" if factor > 1 else ""
    return (
        f"this test took {seconds:.1f} s (setup and call), over the {limit:g} s limit{slowed}; "
        f"make it faster or mark it @pytest.mark.{MARK}(reason='…') ({LIMIT_ENV} sets the limit)"
    )


# Time spent building a run-wide fixture, or waiting for another worker to build it
# (tests/conftest.py's ``built_once``: the demo store and the like, built once for the whole
# run by whichever test first needs it), is the run's, not that test's: it is left out of that
# test's limit and shown in the summary.
_pending = [0.0]
SHARED = "run-wide fixture s"


def shared_build(seconds: float) -> None:
    """Record ``seconds`` spent building (or waiting for) a run-wide fixture."""
    _pending[0] += seconds


@dataclass
class Tier:
    start: float = float("inf")
    stop: float = 0.0
    busy: float = 0.0
    tests: set[str] = field(default_factory=set)


class Timing:
    def __init__(self, limit: float) -> None:
        self.limit = limit
        self.tiers: dict[str, Tier] = {}
        self.per_test: dict[str, float] = {}
        self.shared = 0.0

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "setup":
            item.stash[_SETUP] = report.duration - _pending[0]
            if _pending[0]:
                report.user_properties.append((SHARED, _pending[0]))
            _pending[0] = 0.0
        if report.when != "call" or report.outcome != "passed":
            return
        message = overlong(item.stash.get(_SETUP, 0.0) + report.duration, item, self.limit)
        if message:
            report.outcome = "failed"
            report.longrepr = message

    def pytest_runtest_logreport(self, report) -> None:
        if not report.start:
            return
        tier = self.tiers.setdefault(tier_of(report.nodeid), Tier())
        tier.start = min(tier.start, report.start)
        tier.stop = max(tier.stop, report.stop)
        tier.busy += report.duration
        tier.tests.add(report.nodeid)
        self.shared += sum(v for k, v in report.user_properties if k == SHARED)
        self.per_test[report.nodeid] = self.per_test.get(report.nodeid, 0.0) + report.duration

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if not self.tiers:
            return
        tr = terminalreporter
        tr.section("time per tier")
        tr.write_line(f"{'tier':<10}{'tests':>7}{'wall':>10}{'test time':>12}")
        for name, t in sorted(self.tiers.items(), key=lambda kv: kv[1].start):
            tr.write_line(
                f"{name:<10}{len(t.tests):>7}{_mmss(t.stop - t.start):>10}{_mmss(t.busy):>12}"
            )
        first = min(t.start for t in self.tiers.values())
        last = max(t.stop for t in self.tiers.values())
        tr.write_line(f"{'all':<10}{len(self.per_test):>7}{_mmss(last - first):>10}")
        if self.shared:
            tr.write_line(
                f"run-wide fixtures (the demo stores): {self.shared:.0f} s of setups built or"
                " waited for them (not counted against a test's limit)"
            )
        tr.write_line("slowest tests (setup + call + teardown):")
        slow = sorted(self.per_test.items(), key=lambda kv: -kv[1])[:10]
        for nodeid, seconds in slow:
            tr.write_line(f"  {seconds:7.1f} s  {nodeid}")


_SETUP = pytest.StashKey[float]()


def _mmss(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}:{s:02d}"


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", f"{MARK}(reason): may take longer than the per-test limit, for the reason given"
    )
    config.pluginmanager.register(Timing(limit_s()), "urbdash-timing")
