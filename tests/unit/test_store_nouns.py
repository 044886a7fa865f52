"""The store's nouns on SQLite and PostgreSQL: targets (set, replace, allocations), scenarios,
task updates and the audit trail written in the same transaction as each change; and the
what-if reading its targets from the store like the projection does."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from analytics import scenarios, tasks
from analytics.targets import TargetError, allocations, set_target
from data import store
from data.store.models import AuditLog
from data.store.scenarios import read_scenarios
from data.store.targets import read_targets
from geo.regions import PROVINCE_CODE
from tests.fixtures.actors import admin, department, planner


@pytest.fixture
def eng(initialised):
    return initialised


def audit_actions(engine) -> list[tuple[str, str]]:
    with store.reader(engine) as sess:
        rows = sess.execute(select(AuditLog.user, AuditLog.action).order_by(AuditLog.id)).all()
    return [tuple(r) for r in rows]


def test_targets_seeded_set_replaced_and_audited(eng):
    seeded = read_targets(eng, PROVINCE_CODE)
    assert list(zip(seeded.indicator, seeded.period, seeded.value, strict=True)) == [
        ("settled_cumulative", "2015Q4", 6_000_000.0),
        ("settled_cumulative", "2020Q4", 10_000_000.0),
        ("urbanization_rate", "2015Q4", 55.0),
        ("urbanization_rate", "2020Q4", 62.0),
    ]
    first = set_target(
        eng, "settled_cumulative", "西安市", 2_500_000, "2020Q4", None, "文件", admin("甲")
    )
    again = set_target(
        eng, "settled_cumulative", "610100", 2_600_000, "2020Q4", None, "文件", admin("乙")
    )
    assert again == first  # the same region, indicator and period: replaced, not added
    alloc = allocations(read_targets(eng))
    assert alloc.to_dict("records") == [
        {
            "region_code": "610100",
            "value": 2_600_000.0,
            "period": "2020Q4",
            "baseline_period": "2014Q1",
        }
    ]
    assert audit_actions(eng)[-2:] == [("甲", "target_set"), ("乙", "target_set")]


def test_bad_target_writes_nothing(eng):
    before = read_targets(eng)
    with pytest.raises(TargetError, match="a target needs its source"):
        set_target(eng, "urbanization_rate", "610000", 70, "2029Q4", None, "  ", admin())
    pd.testing.assert_frame_equal(read_targets(eng), before)
    assert [a for _, a in audit_actions(eng)] == ["init"]


def test_scenarios_saved_listed_and_audited(eng):
    first = scenarios.save(
        scenarios.ScenarioParams(name="甲", multiplier=1.1), planner("规划处"), eng
    )
    second = scenarios.save(
        scenarios.ScenarioParams(name="乙", surge_quarters=2), planner("规划处"), eng
    )
    saved = read_scenarios(eng)
    assert list(saved.id) == [second, first]  # newest first
    assert saved.set_index("id").loc[second, "params"]["surge_quarters"] == 2
    assert audit_actions(eng)[-1] == ("规划处", "scenario_save")
    with pytest.raises(scenarios.ScenarioError, match="the multiplier cannot be negative"):
        scenarios.save(scenarios.ScenarioParams(name="丙", multiplier=-1), planner("规划处"), eng)
    assert len(read_scenarios(eng)) == 2


def test_task_update_is_audited_with_its_change(eng):
    who = department("统计局张三", "省统计局")
    update_id = tasks.update_task(10, "in_progress", "已部署", None, who, engine=eng)
    tasks.update_task(10, "done", None, None, who, engine=eng)
    with store.reader(eng) as sess:
        rows = sess.execute(select(AuditLog).order_by(AuditLog.id.desc()).limit(2)).scalars()
        last, first = [(a.user, a.action, a.target, a.before, a.after) for a in rows]
    assert first == (
        "统计局张三",
        "task_update",
        "task 10",
        {"status": None},
        {"status": "in_progress", "note": "已部署", "evidence_url": None},
    )
    assert last[3:] == (
        {"status": "in_progress"},
        {"status": "done", "note": None, "evidence_url": None},
    )
    assert update_id > 0


def test_whatif_follows_the_targets_in_the_store(demo_copy):
    """An admin's change of the 2020 settlement target reaches the what-if, as it reaches the
    projection."""
    from data.store.observations import read_observations, read_official
    from geo.regions import load_registry

    eng = demo_copy["engine"]
    obs, off, reg = read_observations(eng), read_official(eng), load_registry()
    params = scenarios.ScenarioParams(as_of="2017Q4")
    before = scenarios.run(params, obs, off, reg, targets=read_targets(eng, PROVINCE_CODE))
    assert (before["settled"]["target"], before["settled"]["period"]) == (10_000_000, "2020Q4")
    set_target(eng, "settled_cumulative", "610000", 8_000_000, "2020Q4", "2014Q1", "调整", admin())
    set_target(eng, "urbanization_rate", "610000", 61.0, "2020Q4", None, "调整", admin())
    after = scenarios.run(params, obs, off, reg, targets=read_targets(eng, PROVINCE_CODE))
    assert after["settled"]["target"] == 8_000_000 and after["urbanization"]["target"] == 61.0
    assert after["settled"]["baseline_probability"] > before["settled"]["baseline_probability"]
    assert (
        after["urbanization"]["baseline_probability"]
        > (before["urbanization"]["baseline_probability"])
    )
