import json
import re

import pytest
from click.testing import CliRunner

from cli.main import main
from data import store
from tests.conftest import copy_sqlite


@pytest.fixture
def runner(monkeypatch, tmp_path):
    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("URBDASH_DATABASE_URL", raising=False)
    return CliRunner()


def test_init_json(runner, tmp_path):
    result = runner.invoke(main, ["init", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["regions"] == 118 and data["revision"] == store.head_revision()
    assert data["database"] == f"sqlite:///{tmp_path / 'urbdash.sqlite'}"


def test_regions_json_is_stable(runner):
    result = runner.invoke(main, ["regions", "--json"])
    records = json.loads(result.output)
    assert len(records) == 118
    assert list(records[0]) == [
        "code",
        "name",
        "level",
        "parent_code",
        "stat_parent_code",
        "stat_name",
        "geometry_code",
        "name_en",
        "stat_name_en",
    ]
    assert records[0] == {
        "code": "610000",
        "name": "陕西省",
        "level": "province",
        "parent_code": None,
        "stat_parent_code": None,
        "stat_name": None,
        "geometry_code": "610000",
        "name_en": "Shaanxi",
        "stat_name_en": None,
    }
    counties = json.loads(runner.invoke(main, ["regions", "--level", "county", "--json"]).output)
    assert len(counties) == 107
    # the English names the app shows (geo.names), for every region
    from geo.names import english_names
    from geo.regions import load_registry

    reg = load_registry()
    assert [r["name_en"] for r in records] == list(english_names(reg).name_en)
    yangling = next(r for r in records if r["code"] == "610403")
    assert (yangling["stat_name"], yangling["stat_name_en"]) == (
        "杨凌示范区",
        "Yangling Demonstration Zone",
    )
    text = runner.invoke(main, ["regions", "--level", "city"]).output
    assert text.splitlines()[0] == "610100  city      西安市  Xi'an"


def test_census_maps_on_a_store_without_returns(runner, tmp_path):
    """The census maps draw on any store (real figures, with their source, never the demo
    label); an indicator of the returns is refused there, in one line saying why."""
    assert runner.invoke(main, ["init"]).exit_code == 0
    listed = runner.invoke(main, ["map", "--list"])
    from analytics.maps import CENSUS_INDICATORS

    assert [line.split("\t")[0] for line in listed.output.splitlines()] == list(CENSUS_INDICATORS)
    png = tmp_path / "census.png"
    made = runner.invoke(main, ["map", str(png)])  # the first census indicator by default
    assert made.exit_code == 0, made.output
    assert made.output.strip() == f"map written: {png} (107/107 regions with data)"
    html = tmp_path / "change.html"
    args = ["map", str(html), "--indicator", "census_rate_change", "--level", "city"]
    assert runner.invoke(main, [*args, "--lang", "en"]).exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert "real figures, not demo data" in text and "Demo data" not in text
    refused = runner.invoke(main, ["map", str(html), "--indicator", "settled_total"])
    assert refused.exit_code == 2
    assert refused.stderr.startswith(
        "urbdash: error: the store holds no returns: settled_total is drawn from them (run "
        "`urbdash demo` or ingest some); the census indicators draw on any store: census_rate_2020,"
    )
    dated = runner.invoke(main, [*args, "--period", "2020Q4"])
    assert dated.stderr == (
        "urbdash: error: census_rate_change is of the 2010 and 2020 censuses: it takes no --period\n"
    )
    assert runner.invoke(main, ["map"]).stderr == (
        "urbdash: error: give the file to write: OUT.html or OUT.png\n"
    )


def test_resolve_exit_codes(runner):
    ok = runner.invoke(main, ["resolve", "户县", "610322", "--json"])
    assert ok.exit_code == 0
    assert [r["code"] for r in json.loads(ok.output)] == ["610118", "610305"]
    bad = runner.invoke(main, ["resolve", "户县", "火星县"])
    assert bad.exit_code == 1 and "unknown region name 火星县" in bad.output


def test_unreachable_database_one_line(runner, monkeypatch):
    monkeypatch.setenv(
        "URBDASH_DATABASE_URL", "postgresql+psycopg://stat:pa55word@127.0.0.1:1/urbdash"
    )
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "urbdash: error: cannot connect to database postgresql+psycopg://stat:***@127.0.0.1:1/urbdash"
    )
    assert "pa55word" not in result.output + result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_newer_schema_refused(runner, tmp_path):
    from sqlalchemy import text

    assert runner.invoke(main, ["init"]).exit_code == 0
    eng = store.get_engine(f"sqlite:///{tmp_path / 'urbdash.sqlite'}")
    with eng.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    result = runner.invoke(main, ["init"])
    assert result.exit_code == 2
    assert "schema revision 'ffff_future', newer than this release knows" in result.stderr
    assert "upgrade urbdash instead of downgrading the database" in result.stderr


def test_demo_if_empty_loads_an_empty_store(runner, monkeypatch):
    """The branch alone (the loading itself: the next test): an empty store is loaded."""
    calls = []

    def load(engine, reset=False):
        calls.append(reset)
        return {"committed": 0}

    monkeypatch.setattr("data.demo.generator.load_demo", load)
    out = runner.invoke(main, ["demo", "--if-empty", "--no-results", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout) == {"committed": 0} and calls == [False]


@pytest.mark.known_long(reason="loads the 60 demo returns through the ingest path after a reset")
def test_demo_skips_a_store_with_returns_and_reset_loads_it_again(runner, tmp_path, demo_template):
    from data.demo.generator import generate, submission_calendar

    copy_sqlite(demo_template, tmp_path / "urbdash.sqlite")  # a store holding the demo
    first = runner.invoke(main, ["demo", "--if-empty", "--json"])
    assert first.exit_code == 0, first.output
    made = json.loads(first.stdout)
    # not loaded again; the accounts of the demo made once (the template holds none)
    assert made.pop("accounts") == [
        {"name": f"demo-{r}", "role": r}
        for r in ("leader", "statistician", "planner", "department", "admin")
    ]
    assert made == {"skipped": True}
    # the passwords go to stderr once, never into the machine-readable output
    assert "demo-admin" in first.stderr and "password" not in first.stdout
    second = runner.invoke(main, ["demo", "--if-empty", "--json"])
    assert json.loads(second.stdout) == {"skipped": True}
    assert second.stderr == ""
    # --reset: loaded again, one return per arrival in the demo's submission calendar
    # (corrections included), and the heavy results of the loaded store computed and kept
    reset = json.loads(runner.invoke(main, ["demo", "--reset", "--json"]).stdout)
    assert reset.pop("committed") == len(submission_calendar(generate()))
    kept = json.loads(runner.invoke(main, ["results", "--json"]).stdout)
    assert reset.pop("results") == len(kept) >= 5
    assert {r["status"] for r in kept} == {"done"}
    assert {"projections", "backtests", "forecast_skill", "nowcast"} <= {r["name"] for r in kept}
    assert reset == {}  # the accounts were made before


def test_settings_lists_every_setting(runner):
    from data import settings

    rows = json.loads(runner.invoke(main, ["settings", "--json"]).output)
    assert [r["env"] for r in rows] == [s.env for s in settings.SETTINGS]
    assert all(r["help"] for r in rows)


@pytest.fixture
def demo_cli(runner, tmp_path, demo_template):
    """The CLI on a store holding the demo returns (the run's template: loading them again is
    what test_demo_skips_a_store_with_returns_and_reset_loads_it_again tests)."""
    copy_sqlite(demo_template, tmp_path / "urbdash.sqlite")
    assert runner.invoke(main, ["demo", "--if-empty"]).exit_code == 0
    return runner


def test_map_files(demo_cli, tmp_path):
    png = tmp_path / "m.png"
    result = demo_cli.invoke(main, ["map", str(png), "--period", "2018Q4"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"map written: {png} (107/107 regions with data)"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = tmp_path / "m.html"
    assert demo_cli.invoke(main, ["map", str(html), "--level", "city"]).exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", text)  # plotly.js embedded, nothing fetched
    assert json.dumps("杨凌示范区")[1:-1] in text
    bad = demo_cli.invoke(main, ["map", str(tmp_path / "m.pdf")])
    assert bad.exit_code == 2 and "map writes .html or .png, not .pdf" in bad.stderr
    unknown = demo_cli.invoke(main, ["map", str(html), "--indicator", "gdp"])
    assert unknown.exit_code == 2 and "unknown indicator 'gdp'" in unknown.stderr
