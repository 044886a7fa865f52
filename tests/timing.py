"""How long the suite takes, kept visible (a pytest plugin, loaded by tests/conftest.py).

- A test whose setup and call together take longer than ``URBDASH_TEST_LIMIT_S`` (60 s) fails,
  unless it is marked ``@pytest.mark.known_long(reason="…")``; a mark without a reason is an
  error. The few known-long tests are the ones that build something whole (the wheel, the
  replicated deployment).
- At the end of the run the terminal summary gives each tier (the folder under ``tests/``) its
  wall time — from the first test's start to the last one's end, across xdist workers — beside
  the test time summed over the workers, and the slowest tests of the run.
"""

from __future__ import annotations

import os
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


def overlong(seconds: float, item: pytest.Item, limit: float) -> str | None:
    """The failure message for a test that took ``seconds``, or None when that is allowed."""
    mark = item.get_closest_marker(MARK)
    if mark is not None:
        if not mark.kwargs.get("reason"):
            return f"@pytest.mark.{MARK} needs reason='…' (why this test may take over {limit:g} s)"
        return None
    if seconds <= limit:
        return None
    return (
        f"this test took {seconds:.1f} s (setup and call), over the {limit:g} s limit; make it "
        f"faster or mark it @pytest.mark.{MARK}(reason='…') ({LIMIT_ENV} sets the limit)"
    )


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

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        if report.when == "setup":
            item.stash[_SETUP] = report.duration
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
