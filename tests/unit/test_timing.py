"""The suite's own time keeping (tests/timing.py): the per-test limit and the tier table."""

from __future__ import annotations

from tests.timing import tier_of

pytest_plugins = ["pytester"]

# the limit and the sleeps far apart: on a loaded host (three workers, two cores) a test that
# does nothing was charged 1.0 s against a 0.25 s limit
LIMIT, SLEEP = "1.5", 2.5
HEAD = f"""
import time
import pytest
SLEEP = {SLEEP}
"""
SLOW = (
    HEAD
    + """
def test_slow():
    time.sleep(SLEEP)

@pytest.mark.known_long(reason="builds something whole")
def test_slow_marked():
    time.sleep(SLEEP)

@pytest.mark.known_long
def test_marked_without_reason():
    pass

def test_quick():
    pass
"""
)


def test_a_test_over_the_limit_fails_unless_marked_with_a_reason(pytester, monkeypatch):
    monkeypatch.setenv("URBDASH_TEST_LIMIT_S", LIMIT)
    monkeypatch.setenv("URBDASH_TEST_HOST_FACTOR", "1")  # as on the machine unloaded
    pytester.makepyfile(test_x=SLOW)
    result = pytester.runpytest("-p", "tests.timing", "-ra")
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        ["*_ test_slow _*", "this test took 2.* s (setup and call), over the 1.5 s limit;*"]
    )
    failed = {line.split()[1] for line in result.outlines if line.startswith("FAILED")}
    assert failed == {"test_x.py::test_slow", "test_x.py::test_marked_without_reason"}
    assert any("needs reason=" in line for line in result.outlines)


def test_the_run_ends_with_each_tier_and_its_wall_time(pytester, monkeypatch):
    monkeypatch.setenv("URBDASH_TEST_LIMIT_S", "60")
    pytester.makepyfile(test_y="def test_one():\n    pass\n")
    result = pytester.runpytest("-p", "tests.timing")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        ["*time per tier*", "tier*tests*wall*test time", "test_y.py*1*0:00*", "all*1*0:00"]
    )


def test_tiers_are_the_folders_under_tests():
    assert tier_of("tests/unit/test_store.py::test_x[sqlite]") == "unit"
    assert tier_of("tests/e2e/test_deploy.py::test_y") == "e2e"
    assert tier_of("test_here.py::test_z") == "test_here.py"


def test_a_busy_host_stretches_the_limit(pytester, monkeypatch):
    """The same slow test passes when the host runs three times slower than unloaded."""
    monkeypatch.setenv("URBDASH_TEST_LIMIT_S", LIMIT)
    monkeypatch.setenv("URBDASH_TEST_HOST_FACTOR", "3")
    pytester.makepyfile(test_x=f"import time\n\ndef test_slow():\n    time.sleep({SLEEP})\n")
    pytester.runpytest("-p", "tests.timing").assert_outcomes(passed=1)


SHARED_FIXTURE = (
    HEAD
    + """
from tests import timing

@pytest.fixture(scope="session")
def store_for_the_run():
    time.sleep(SLEEP)  # built once for the run, by whichever test needs it first
    timing.shared_build(SLEEP)

@pytest.fixture
def own():
    time.sleep(SLEEP)  # the test's own setup

def test_first(store_for_the_run):
    pass

def test_own_setup(own):
    pass
"""
)


def test_a_run_wide_fixture_is_not_charged_to_the_test_that_built_it(pytester, monkeypatch):
    monkeypatch.setenv("URBDASH_TEST_LIMIT_S", LIMIT)
    monkeypatch.setenv("URBDASH_TEST_HOST_FACTOR", "1")
    pytester.makepyfile(test_s=SHARED_FIXTURE)
    result = pytester.runpytest("-p", "tests.timing", "-ra")
    result.assert_outcomes(passed=1, failed=1)
    failed = {line.split()[1] for line in result.outlines if line.startswith("FAILED")}
    assert failed == {"test_s.py::test_own_setup"}
    result.stdout.fnmatch_lines(["run-wide fixtures (the demo stores): [23] s of setups*"])
