"""``ingest`` writes inside a transaction while another thread validates, and commits only
when validation allows it. These tests show that this path answers exactly as ``check`` then
``commit`` for every file of the corpus, that the write really happens beside validation and
is rolled back when validation refuses it, and that a store failure is never hidden."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy.exc import OperationalError

import data.intake.ingest as ingest_mod
import data.store.observations as observations_mod
import data.store.submissions as submissions_mod
from data import store
from data.intake.ingest import check, commit, ingest
from data.store.bootstrap import init_store
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM
from tests.unit.test_returns_corpus import ACCEPTED, REJECTED, TODAY, counts, stored


def _engine(path):
    e = store.get_engine(f"sqlite:///{path}")
    init_store(e)
    return e


def _summary(report):
    return (
        report.status,
        [(p.sheet, p.row, p.column, p.rule) for p in report.errors],
        [(p.sheet, p.row, p.column, p.rule) for p in report.warnings],
        report.rows,
        report.values,
        report.periods,
        report.regions,
        report.new,
        report.unchanged,
        report.changes.to_dict("records"),
    )


@pytest.mark.parametrize("accept", [False, True], ids=["unconfirmed", "confirmed"])
@pytest.mark.parametrize("case", [*ACCEPTED, *REJECTED])
def test_same_answer_as_check_then_commit(tmp_path, monkeypatch, case, accept):
    build, env = (ACCEPTED[case][0], {}) if case in ACCEPTED else REJECTED[case][:2]
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    content = build()
    one, two = _engine(tmp_path / "one.sqlite"), _engine(tmp_path / "two.sqlite")
    fused = ingest(content, "f.xlsx", user=SYSTEM, engine=one, today=TODAY, accept_warnings=accept)
    checked = check(content, "f.xlsx", engine=two, today=TODAY)
    stepwise = commit(checked, content, user=SYSTEM, engine=two, accept_warnings=accept)
    assert _summary(fused) == _summary(stepwise)
    assert counts(one) == counts(two)
    assert stored(one) == stored(two)


@pytest.fixture
def eng(tmp_path):
    return _engine(tmp_path / "s.sqlite")


@pytest.fixture
def writes(monkeypatch):
    """Record every write ``ingest`` starts, and the threads writing and validation ran on."""
    seen = {"writes": 0, "validated_on": None, "written_on": None}
    real_write, real_validate = ingest_mod._write, ingest_mod._validate

    def write(*args, **kw):
        seen["writes"] += 1
        seen["written_on"] = threading.current_thread().name
        return real_write(*args, **kw)

    def validate(*args, **kw):
        seen["validated_on"] = threading.current_thread().name
        return real_validate(*args, **kw)

    monkeypatch.setattr(ingest_mod, "_write", write)
    monkeypatch.setattr(ingest_mod, "_validate", validate)
    return seen


@pytest.mark.parametrize(
    "case", ["negative_flow", "urban_gt_total", "future_period", "total_row_mismatch"]
)
def test_error_found_beside_the_write_rolls_it_back(eng, writes, case):
    report = ingest(REJECTED[case][0](), "bad.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert writes["writes"] == 1  # written beside validation ...
    assert writes["written_on"].startswith("urbdash-write")
    assert writes["validated_on"] == threading.main_thread().name
    assert report.status == "rejected" and [p.rule for p in report.errors] == REJECTED[case][2]
    assert counts(eng) == (0, 0, 0)  # ... and rolled back
    assert (report.new, report.unchanged, len(report.changes)) == (0, 0, 0)


def test_unconfirmed_warning_rolls_the_write_back(eng, writes):
    report = ingest(
        wb.standard(wb.county_rows(wb.TONGCHUAN[:3])),
        "w.xlsx",
        user=SYSTEM,
        engine=eng,
        today=TODAY,
    )
    assert writes["writes"] == 1
    assert report.status == "needs_confirmation"
    assert [w.rule for w in report.warnings] == ["missing_county"]
    assert counts(eng) == (0, 0, 0)


def test_rows_that_break_the_unique_key_are_the_duplicate_error(eng, writes):
    """Every row twice: the write fails on the store's unique key before validation ends;
    the answer is validation's, and nothing is written."""
    build, _env, rules, _msg = REJECTED["every_row_duplicate"]
    report = ingest(build(), "dup.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert writes["writes"] == 1
    assert report.status == "rejected" and [p.rule for p in report.errors] == rules
    assert counts(eng) == (0, 0, 0)


def test_a_store_failure_is_raised_not_hidden(eng, monkeypatch):
    def broken(conn, write, submission_id):
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(submissions_mod, "insert_values", broken)
    with pytest.raises(OperationalError, match="disk I/O error"):
        ingest(wb.standard(), "ok.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert counts(eng) == (0, 0, 0)


def test_nothing_to_write_is_validated_first_and_writes_nothing(eng, writes):
    assert (
        ingest(wb.standard(), "a.xlsx", user=SYSTEM, engine=eng, today=TODAY).status == "committed"
    )
    revised = wb.standard(wb.county_rows()[:3] + [["610222", ""] + [150] + wb.GOOD[1:]])
    before = counts(eng)
    writes["writes"] = 0
    refused = ingest(revised, "b.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert refused.status == "revision_refused" and writes["writes"] == 0
    same = ingest(
        wb.standard(title="2016年第三季度统计表（重报）"),
        "c.xlsx",
        user=SYSTEM,
        engine=eng,
        today=TODAY,
    )
    assert same.status == "unchanged" and writes["writes"] == 0
    assert counts(eng) == before
    replaced = ingest(revised, "b.xlsx", user=SYSTEM, engine=eng, today=TODAY, replace=True)
    assert replaced.status == "committed" and writes["writes"] == 1
    assert stored(eng)[("610222", "settled_rural", "2016Q3")] == 150


def test_validation_that_fails_never_commits_the_write(eng, monkeypatch):
    def crash(*args, **kw):
        raise RuntimeError("validator crashed")

    monkeypatch.setattr(ingest_mod, "_validate", crash)
    with pytest.raises(RuntimeError, match="validator crashed"):
        ingest(wb.standard(), "ok.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert counts(eng) == (0, 0, 0)


def test_insert_order_from_codes_refuses_a_missing_key():
    """The insert orders rows by their keys' integer codes; a missing key (code -1) would
    silently take the last value, so it is refused."""
    import pandas as pd

    frame = pd.DataFrame({"region_code": pd.Categorical(["610202", None]), "indicator": ["a", "b"]})
    codes, values = observations_mod.sorted_codes(frame.indicator)
    assert list(values[codes]) == ["a", "b"]
    with pytest.raises(ValueError, match="without region_code"):
        observations_mod.sorted_codes(frame.region_code)
