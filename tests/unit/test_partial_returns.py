"""Partial returns: an office reports what it is responsible for. A return with a region
column, a period and at least one indicator column is valid; what it does not carry stays
unreported (never 0) and the report names it. Cross-field rules apply where both fields are in
the file or one is stored. Through check, ingest, export and completeness, on both backends."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from analytics.completeness import completeness
from analytics.export import export_frame
from cli.main import main
from data import store
from data.intake.ingest import ingest
from data.store.observations import read_observations, reporting_state
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM, cli_statistician

TODAY = "2020Q4"
FLOWS = ["settled_rural", "settled_other", "residence_permits"]
STOCKS = ["resident_pop", "urban_resident_pop", "registered_pop", "urban_registered_pop"]
ALL = FLOWS + STOCKS


def partial(fields: list[str], values: dict | None = None, title="2016年第三季度落户情况") -> bytes:
    """A 铜川市 return with only ``fields`` (in the template's wording), GOOD values."""
    cols = [ALL.index(f) for f in fields]
    header = wb.HEADER_ZH[:2] + [wb.HEADER_ZH[2 + i] for i in cols]
    good = dict(zip(ALL, wb.GOOD, strict=True)) | (values or {})
    rows = [[c, wb.NAMES[c]] + [good[f] for f in fields] for c in wb.TONGCHUAN]
    return wb.standard(rows, header=header, title=title)


@pytest.fixture
def eng(initialised):
    return initialised


@pytest.mark.parametrize(
    "fields",
    [FLOWS, STOCKS, ["settled_rural"], ["urban_registered_pop", "registered_pop"]],
    ids=["flows", "stocks", "one", "two_stocks"],
)
def test_partial_return_stores_what_it_has(eng, fields):
    report = ingest(partial(fields), "p.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert report.status == "committed", [p.message() for p in report.errors + report.warnings]
    assert report.not_carried == [f for f in ALL if f not in fields]
    obs = read_observations(eng, view="provisional")  # stored, not yet released
    assert sorted(obs.indicator.unique()) == sorted(fields)  # nothing else, and no zeros
    assert len(obs) == 4 * len(fields)
    assert read_observations(eng).empty  # leaders see it once released
    exported = export_frame(read_observations(eng, view="provisional"), "county")
    assert set(exported.indicator) >= set(fields)
    assert not set(exported.indicator) & {f for f in ALL if f not in fields}


def test_flows_then_stocks_complete_a_quarter(eng):
    ingest(partial(FLOWS), "flows.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    flows = completeness(reporting_state(eng), "2016Q3", indicators=FLOWS)
    stocks = completeness(reporting_state(eng), "2016Q3", indicators=STOCKS)
    assert flows.as_dict()["reported"] == 4 and stocks.as_dict()["reported"] == 0
    by = {r["indicator"]: r["reported"] for r in flows.as_dict()["by_indicator"]}
    assert by == {f: 4 if f in FLOWS else 0 for f in ALL}
    ingest(partial(STOCKS), "stocks.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert (
        completeness(reporting_state(eng), "2016Q3", indicators=STOCKS).as_dict()["reported"] == 4
    )
    assert completeness(reporting_state(eng), "2016Q3").as_dict()["reported"] == 4  # any indicator


def test_urban_above_the_stored_total_is_an_error(eng):
    totals = partial(["resident_pop"], {"resident_pop": 50_000})
    assert ingest(totals, "t.xlsx", user=SYSTEM, engine=eng, today=TODAY).status == "committed"
    before = len(read_observations(eng, view="provisional"))
    assert before == 4
    urban = partial(["urban_resident_pop"], {"urban_resident_pop": 60_000})
    report = ingest(urban, "u.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert report.status == "rejected"
    assert [p.rule for p in report.errors] == ["urban_gt_stored_total"] * 4
    assert (
        report.errors[0].message()
        == "季末城镇常住人口 60,000 大于已入库的季末常住人口 50,000（2016Q3）"
    )
    assert report.errors[0].message("en") == (
        "Urban resident population at quarter end 60,000 exceeds the stored "
        "Resident population at quarter end 50,000 (2016Q3)"
    )
    assert len(read_observations(eng, view="provisional")) == before
    ok = partial(["urban_resident_pop"], {"urban_resident_pop": 30_000})
    assert ingest(ok, "u2.xlsx", user=SYSTEM, engine=eng, today=TODAY).status == "committed"


def test_a_total_below_the_stored_urban_value_is_an_error(eng):
    urban = partial(["urban_registered_pop"], {"urban_registered_pop": 20_000})
    assert ingest(urban, "u.xlsx", user=SYSTEM, engine=eng, today=TODAY).status == "committed"
    totals = partial(["registered_pop"], {"registered_pop": 10_000})
    report = ingest(totals, "t.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    assert [p.rule for p in report.errors] == ["urban_gt_stored_total"] * 4
    assert report.errors[0].field == "registered_pop"


def test_cli_names_what_a_partial_return_does_not_carry(tmp_path, monkeypatch):
    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("URBDASH_DATABASE_URL", raising=False)
    path = tmp_path / "flows.xlsx"
    path.write_bytes(partial(FLOWS))
    out = CliRunner().invoke(main, ["validate", str(path), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["not_carried"] == STOCKS
    text = CliRunner().invoke(main, ["validate", str(path)]).output
    assert "本文件未包含以下指标，保持未上报（不记为0）：季末常住人口" in text
    who = cli_statistician(CliRunner(), main)
    assert CliRunner().invoke(main, ["ingest", str(path), "--user", who]).exit_code == 0
    comp = CliRunner().invoke(main, ["completeness", "--indicators", "stocks", "--json"])
    assert comp.exit_code == 0, comp.output
    data = json.loads(comp.output)
    assert (data["indicators"], data["period"], data["reported"]) == (STOCKS, None, 0)
    flows = json.loads(
        CliRunner().invoke(main, ["completeness", "--indicators", "flows", "--json"]).output
    )
    assert (flows["period"], flows["reported"], flows["expected"]) == ("2016Q3", 4, 107)
    bad = CliRunner().invoke(main, ["completeness", "--indicators", "gdp"])
    assert bad.exit_code == 1 and "unknown indicator 'gdp'; use a group" in bad.stderr
    store.clear_engines()
