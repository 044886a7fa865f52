"""The statisticians' commands in process, on SQLite and PostgreSQL: ``template``, ``validate``,
``ingest``, ``submissions``, ``revert``, ``export``, ``completeness``. Exit codes as the README
states them (0 success, 1 invalid input, 2 configuration or database problem, 3 refused
revision, 4 warnings not confirmed) and the documented ``--json`` keys."""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from cli.main import main
from data import store
from tests.fixtures import workbooks as wb

VALIDATE_KEYS = [
    "ok",
    "file",
    "sha256",
    "rows",
    "periods",
    "regions",
    "not_carried",
    "errors",
    "warnings",
]
INGEST_KEYS = {
    *VALIDATE_KEYS,
    "status",
    "submission_id",
    "submission_ids",
    "values",
    "new",
    "unchanged",
    "changes",
}
PROBLEM_KEYS = ["sheet", "row", "column", "field", "value", "rule", "message", "severity"]
COMPLETENESS_KEYS = {
    "period",
    "indicators",
    "reported",
    "expected",
    "by_city",
    "by_indicator",
    "missing",
    "matrix",
}


@pytest.fixture
def cli(urbdash):
    """``cli(*args)`` runs urbdash on a fresh store of each backend and returns the result."""
    pw = "pass-word-2026\n"
    add = ["user", "add", "--password-stdin"]
    assert urbdash(*add, "root", "--role", "admin", input=pw).exit_code == 0
    for name, region in (("王五", "610000"), ("统计员", "610000"), ("xa", "610100")):
        made = urbdash(*add, name, "--role", "statistician", "--region", region, "--as", "root",
                       input=pw)  # fmt: skip
        assert made.exit_code == 0, made.output
    return urbdash


def write(tmp_path, name: str, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def changed_values():
    return wb.standard(rows=wb.county_rows(values=[150, 20, 5, 50_000, 30_000, 52_000, 20_000]))


def test_template_then_validate_its_filled_copy(cli, tmp_path):
    out = tmp_path / "t.xlsx"
    made = cli("template", out, "--period", "2016Q3", "--region", "铜川市")
    assert made.exit_code == 0 and made.output.strip() == f"template written: {out}"
    bad = cli("template", out, "--period", "someday")
    assert bad.exit_code == 2 and "unparseable period 'someday'" in bad.stderr


def test_validate_exit_codes_and_json(cli, tmp_path):
    good = cli("validate", write(tmp_path, "ok.xlsx", wb.standard()), "--json")
    assert good.exit_code == 0, good.output
    data = json.loads(good.output)
    assert list(data) == VALIDATE_KEYS
    assert (data["ok"], data["rows"], data["periods"], data["regions"]) == (
        True,
        4,
        ["2016Q3"],
        4,
    )
    rows = wb.county_rows(values=[-5, 20, 5, 50_000, 30_000, 52_000, 20_000])
    bad = cli("validate", write(tmp_path, "bad.xlsx", wb.standard(rows=rows)), "--json")
    assert bad.exit_code == 1
    errors = json.loads(bad.output)["errors"]
    assert errors and all(list(e) == PROBLEM_KEYS for e in errors)
    assert {e["rule"] for e in errors} == {"negative"} and errors[0]["column"] == "C"
    assert cli("submissions", "--json").output.strip() == "[]"  # validate stores nothing


def test_ingest_duplicate_revision_replace_and_revert(cli, tmp_path):
    empty = cli("submissions")  # a store without returns says so, never pandas' column list
    assert (empty.exit_code, empty.output) == (0, "No submissions yet.\n")
    none = cli("completeness")
    assert (none.exit_code, none.output) == (0, "No returns yet: no quarter to count.\n")
    first = cli("ingest", write(tmp_path, "q3.xlsx", wb.standard()), "--json", "--user", "王五")
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert set(data) == INGEST_KEYS
    assert (data["status"], data["new"], data["unchanged"]) == ("committed", 28, 0)

    again = cli("ingest", tmp_path / "q3.xlsx", "--json", "--user", "统计员")
    assert again.exit_code == 0 and json.loads(again.output)["status"] == "duplicate"

    revised = write(tmp_path, "q3b.xlsx", changed_values())
    refused = cli("ingest", revised, "--json", "--user", "统计员")
    assert refused.exit_code == 3
    changes = json.loads(refused.output)["changes"]
    assert changes == [
        {
            "region_code": c,
            "period": "2016Q3",
            "indicator": "settled_rural",
            "old": 100.0,
            "new": 150.0,
        }
        for c in wb.TONGCHUAN
    ]
    replaced = cli("ingest", revised, "--replace", "--json", "--user", "统计员")
    assert replaced.exit_code == 0 and json.loads(replaced.output)["status"] == "committed"

    subs = json.loads(cli("submissions", "--json").output)
    assert [(s["id"], s["status"], s["uploaded_by"]) for s in subs] == [
        (2, "committed", "统计员"),
        (1, "committed", "王五"),
    ]
    assert "sha256" not in subs[0]
    undone = cli("revert", 2, "--user", "统计员")
    assert undone.exit_code == 0
    assert undone.output.strip() == "reverted submission 2: 4 values withdrawn, 4 restored"
    assert json.loads(cli("submissions", "--json").output)[0]["status"] == "reverted"
    again = cli("revert", 2, "--user", "统计员")
    assert again.exit_code == 1 and "submission 2 is reverted, not committed" in again.stderr
    missing = cli("revert", 99, "--user", "统计员")
    assert missing.exit_code == 1 and "no submission 99" in missing.stderr


def test_ingest_refusals_write_nothing(cli, tmp_path):
    rows = wb.county_rows(values=[-5, 20, 5, 50_000, 30_000, 52_000, 20_000])
    bad = cli(
        "ingest", write(tmp_path, "bad.xlsx", wb.standard(rows=rows)), "--json", "--user", "统计员"
    )
    assert bad.exit_code == 1 and json.loads(bad.output)["status"] == "rejected"
    # a city file without one of its counties: a warning to confirm (exit 4), then stored
    partial = write(tmp_path, "part.xlsx", wb.standard(rows=wb.county_rows(wb.TONGCHUAN[:3])))
    held = cli("ingest", partial, "--json", "--user", "统计员")
    assert held.exit_code == 4
    report = json.loads(held.output)
    assert report["status"] == "needs_confirmation" and report["submission_id"] is None
    assert [w["rule"] for w in report["warnings"]] == ["missing_county"]
    assert cli("submissions", "--json").output.strip() == "[]"
    confirmed = cli("ingest", partial, "--accept-warnings", "--json", "--user", "统计员")
    assert confirmed.exit_code == 0 and json.loads(confirmed.output)["status"] == "committed"


def test_export_and_completeness(cli, tmp_path):
    assert (
        cli("ingest", write(tmp_path, "q3.xlsx", wb.standard()), "--user", "统计员").exit_code == 0
    )
    out = tmp_path / "county.csv"
    unreleased = cli("export", out)  # leaders' view: nothing released yet
    assert unreleased.exit_code == 0 and unreleased.output.strip() == f"0 rows written to {out}"
    done = cli("export", out, "--provisional")
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert done.exit_code == 0 and done.output.strip() == f"{len(rows)} rows written to {out}"
    # the 7 reported values of 4 counties, and the 3 derived per county (settled, both rates)
    assert len(rows) == 4 * 10 and {r["level"] for r in rows} == {"county"}
    assert list(rows[0]) == ["region_code", "region_name", "level", "period", "indicator", "value"]
    assert {r["region_code"] for r in rows} == set(wb.TONGCHUAN)
    city = cli("export", tmp_path / "city.xlsx", "--level", "city", "--provisional")
    assert city.exit_code == 0 and city.output.startswith("10 rows written")  # 铜川市 only
    wrong = cli("export", tmp_path / "x.txt")
    assert wrong.exit_code == 2 and "export writes .csv or .xlsx, not .txt" in wrong.stderr

    comp = cli("completeness", "--json")
    assert comp.exit_code == 0
    data = json.loads(comp.output)
    assert set(data) == COMPLETENESS_KEYS
    assert (data["period"], data["reported"], data["expected"]) == ("2016Q3", 4, 107)
    assert len(data["missing"]) == 103
    tongchuan = next(c for c in data["by_city"] if c["city_code"] == "610200")
    assert (tongchuan["reported"], tongchuan["expected"]) == (4, 4)


def test_database_problems_are_one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", "postgresql+psycopg://u:pw@127.0.0.1:1/x")
    path = write(tmp_path, "ok.xlsx", wb.standard())
    for args in (["ingest", str(path)], ["submissions"], ["completeness"], ["revert", "1"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert result.stderr.startswith("urbdash: error: cannot connect to database")
    store.clear_engines()


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_csv_returns_through_the_cli(cli, tmp_path, encoding):
    """A return saved as CSV (GBK by Excel on Chinese Windows, or UTF-8): validated and
    stored like a workbook; a year's quarters as columns become one submission per quarter."""
    rows = [["2016年第三季度农业转移人口落户情况统计表"], wb.HEADER_ZH, *wb.county_rows()]
    path = write(tmp_path, "q3.csv", wb.csv_bytes(rows, encoding))
    checked = cli("validate", path, "--json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["periods"] == ["2016Q3"]
    stored = cli("ingest", path, "--json", "--user", "王五")
    assert stored.exit_code == 0, stored.output
    assert (json.loads(stored.output)["status"], json.loads(stored.output)["new"]) == (
        "committed",
        28,
    )
    year = [
        ["2017年农业转移人口城镇落户人数（单位：人）"],
        ["地区", "一季度", "二季度", "三季度", "四季度"],
    ]
    year += [[wb.NAMES[c], 10, 20, 30, 40] for c in wb.TONGCHUAN]
    path = write(tmp_path, "2017.csv", wb.csv_bytes(year, encoding, "\t"))
    out = cli("ingest", path, "--user", "王五")
    assert out.exit_code == 0, out.output
    assert out.output.startswith(
        f"committed: {path} (submissions 2, 3, 4, 5: one per quarter, 2017Q1, 2017Q2, 2017Q3, 2017Q4)"
    )
    subs = json.loads(cli("submissions", "--json").output)
    assert sorted(s["periods"] for s in subs) == ["2016Q3", "2017Q1", "2017Q2", "2017Q3", "2017Q4"]
