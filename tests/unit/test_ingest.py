import pandas as pd
import pytest
from sqlalchemy import func, select

from data import store
from data.intake.ingest import ingest
from data.intake.read import read_return
from data.intake.template import write_return
from data.store.bootstrap import init_store
from data.store.models import Observation, Submission
from tests.fixtures.actors import SYSTEM
from tests.fixtures.workbooks import tongchuan_frame


def _frame(values=None):
    return tongchuan_frame(values)


def _workbook(tmp_path, name="r.xlsx", period="2016Q3", **kw):
    return write_return(tmp_path / name, period, _frame(**kw)).read_bytes()


def _counts(engine):
    with store.reader(engine) as sess:
        return (
            sess.scalar(select(func.count()).select_from(Submission)),
            sess.scalar(select(func.count()).select_from(Observation)),
            sess.scalar(
                select(func.count()).select_from(Observation).where(Observation.is_current)
            ),
        )


def test_template_round_trip(tmp_path):
    data = _workbook(tmp_path)
    result = read_return(data)
    assert result.problems == []
    assert set(result.rows.period) == {"2016Q3"}
    assert set(result.rows.sheet) == {"铜川市"}
    wide = result.rows.pivot_table(index="region_code", columns="indicator", values="value")
    wide.index, wide.columns = wide.index.astype(str), wide.columns.astype(str)
    pd.testing.assert_frame_equal(
        wide.astype("int64"),
        _frame().set_index("region_code")[wide.columns].astype("int64"),
        check_names=False,
        check_index_type=False,
        check_column_type=False,
    )
    first = result.rows.iloc[0]
    assert (first.row, first.column) == (4, "C")


def test_ingest_duplicate_revision_and_replace(engine, tmp_path):
    init_store(engine)
    data = _workbook(tmp_path)
    first = ingest(data, "r.xlsx", user=SYSTEM, engine=engine)
    assert first.status == "committed" and first.values == 28
    assert _counts(engine) == (1, 28, 28)
    again = ingest(data, "r.xlsx", user=SYSTEM, engine=engine)
    assert again.status == "duplicate" and again.submission_id == first.submission_id
    assert _counts(engine) == (1, 28, 28)

    revised = _workbook(tmp_path, "r2.xlsx", values={("610202", "settled_rural"): 150})
    refused = ingest(revised, "r2.xlsx", user=SYSTEM, engine=engine)
    assert refused.status == "revision_refused"
    assert refused.changes.to_dict("records") == [
        {
            "region_code": "610202",
            "period": "2016Q3",
            "indicator": "settled_rural",
            "old": 100.0,
            "new": 150.0,
        }
    ]
    assert _counts(engine) == (1, 28, 28)

    replaced = ingest(revised, "r2.xlsx", user=SYSTEM, replace=True, engine=engine)
    assert replaced.status == "committed"
    assert _counts(engine) == (2, 29, 28)  # the old value is superseded, not deleted
    with store.reader(engine) as sess:
        old = sess.scalars(select(Observation).where(~Observation.is_current)).one()
        assert (old.value, old.superseded_by) == (100.0, replaced.submission_id)


@pytest.mark.parametrize(
    "values, rule",
    [
        ({("610202", "settled_rural"): -5}, "negative"),
        ({("610202", "urban_resident_pop"): 600_000}, "urban_gt_total"),
        ({("610203", "settled_other"): 2.5}, "not_integer"),
    ],
)
def test_bad_rows_are_rejected_and_nothing_written(engine, tmp_path, values, rule):
    init_store(engine)
    report = ingest(_workbook(tmp_path, values=values), "bad.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected"
    assert [e.rule for e in report.errors] == [rule]
    assert report.errors[0].sheet == "铜川市" and report.errors[0].row in (4, 5)
    assert _counts(engine) == (0, 0, 0)


def test_future_period_rejected(engine, tmp_path):
    init_store(engine)
    report = ingest(_workbook(tmp_path, period="2099Q1"), "f.xlsx", user=SYSTEM, engine=engine)
    assert report.status == "rejected" and {e.rule for e in report.errors} == {"future_period"}
    assert report.errors[0].message() == "填报期 2099Q1 尚未到来"
    assert _counts(engine) == (0, 0, 0)


def test_key_checks_run_on_distinct_values_and_report_every_row():
    """Keys are categoricals in a read return: checked once per distinct value, reported on
    every row that holds a bad one; value checks per row."""
    from data.intake.rules import _schema_problems

    rows = pd.DataFrame(
        {
            "sheet": pd.Categorical(["s"] * 4),
            "row": [2, 3, 4, 5],
            "column": pd.Categorical(["C"] * 4),
            "region_raw": pd.Series(["a", "b", "c", "d"], dtype=object),
            "region_code": pd.Categorical(["610100", "61010", "610100", "610200"]),
            "period": pd.Categorical(["2016Q3", "2016Q3", "2016", "2016"]),
            "indicator": pd.Categorical(["settled_rural"] * 3 + ["resident_pop"]),
            "value": [-1.0, 5.0, 2.5, 1e12],
            "raw": pd.Series([-1, 5, 2.5, 1e12], dtype=object),
        }
    )
    problems = _schema_problems(rows)
    assert all(p.message("en") and p.message("zh") for p in problems)
    found = sorted((p.row, p.rule) for p in problems)
    assert found == [
        (2, "negative"),
        (3, "bad_code"),
        (4, "not_integer"),
        (4, "not_quarter"),
        (5, "above_max"),
        (5, "not_quarter"),
    ]


def test_window_quantiles_match_pandas_rolling():
    import numpy as np

    from data.intake.history_rules import HISTORY_QUARTERS, MIN_HISTORY, window_quantiles

    rng = np.random.default_rng(7)
    x = rng.lognormal(5, 1, 3000)
    x[rng.random(3000) < 0.25] = np.nan  # gaps and short windows
    ends = rng.choice(3000, 500, replace=False)
    got, count = window_quantiles(x, ends, (0.25, 0.5, 0.75))
    roll = pd.Series(x).rolling(HISTORY_QUARTERS, min_periods=MIN_HISTORY)
    for q in (0.25, 0.5, 0.75):
        np.testing.assert_allclose(got[q], roll.quantile(q).to_numpy()[ends], rtol=1e-12)
    np.testing.assert_allclose(got[0.5], roll.median().to_numpy()[ends], rtol=1e-12)
    full = pd.Series(x).rolling(HISTORY_QUARTERS, min_periods=1).count().to_numpy()[ends]
    assert (count == full).all()


@pytest.mark.parametrize("block", [1, 7, 1_000_000])
def test_history_rules_do_not_depend_on_blocks(monkeypatch, block):
    """The history rules run over blocks of whole groups: any block size, same warnings."""
    from data.intake import history_rules as V
    from data.reference import periods as P

    quarters = P.quarter_range("2014Q1", "2016Q2")
    hist = []
    for code in ("610101", "610102", "610103"):
        for i, q in enumerate(quarters):
            hist.append((code, "settled_rural", q, 100.0 + i % 3))
            hist.append((code, "resident_pop", q, 50_000.0))
    history = pd.DataFrame(hist, columns=["region_code", "indicator", "period", "value"])
    file_rows = [
        ("610101", "settled_rural", "2016Q3", 5_000.0),  # outlier
        ("610102", "settled_rural", "2016Q3", 1_000_000.0),  # unit slip
        ("610103", "resident_pop", "2016Q3", 80_000.0),  # stock jump
        ("610101", "resident_pop", "2016Q3", 50_100.0),
        ("610101", "settled_rural", "2016Q3", 7.0),  # duplicate key: reported on the first
    ]
    rows = pd.DataFrame(file_rows, columns=["region_code", "indicator", "period", "value"])
    rows = rows.assign(
        sheet="s", row=range(2, 7), column="C", region_raw=rows.region_code, raw=rows.value
    )
    for c in ("region_code", "indicator", "period", "sheet", "column"):
        rows[c] = rows[c].astype("category")
    monkeypatch.setattr(V, "HISTORY_BLOCK", block)
    got = [(p.rule, p.row) for p in V.history_warnings(rows, history)]
    assert got == [("stock_jump", 4), ("unit_slip", 3), ("outlier", 2)]


def test_cell_scan_locates_uncached_formulas_and_error_cells():
    """Self-closing empty cells never swallow their neighbour (a formula or an error is
    reported at its own reference)."""
    import io
    import zipfile

    from data.intake.workbook import scan_cells

    sheet = (
        b'<worksheet><sheetData><row r="4"><c r="A4" s="1"/><c r="B4"><f>SUM(C4)</f><v /></c>'
        b'<c r="C4" s="2"/><c r="D4" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        b'<c r="E4" t="e"><v>#N/A</v></c><c r="F4"><f>1+1</f><v>2</v></c></row></sheetData>'
        b"</worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    scan = scan_cells(out.getvalue())["xl/worksheets/sheet1.xml"]
    assert scan.uncached == ["B4"]
    assert scan.errors == {(3, 3): "#DIV/0!", (3, 4): "#N/A"}
