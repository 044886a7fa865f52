"""urbdash backup / restore: a round trip gives back every table, row for row, on SQLite and
PostgreSQL; a backup from a newer schema is refused before anything changes."""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner
from sqlalchemy import MetaData, select

from cli.main import main
from data import store
from data.intake.ingest import ingest
from data.store.bootstrap import init_store
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM


def snapshot(engine) -> dict[str, list]:
    """Every row of every table (the audit trail and alembic_version included), in key order."""
    meta = MetaData()
    meta.reflect(engine)
    out = {}
    with engine.connect() as conn:
        for name, table in sorted(meta.tables.items()):
            key = list(table.primary_key.columns) or list(table.columns)
            out[name] = [tuple(r) for r in conn.execute(select(table).order_by(*key))]
    return out


def test_round_trip_gives_back_every_table(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", db_url)
    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path / "var"))
    engine = store.get_engine(db_url)
    init_store(engine)
    assert ingest(wb.standard(), "q3.xlsx", user=SYSTEM, engine=engine, today="2020Q4").ok
    before = snapshot(engine)
    assert len(before["observation"]) == 28 and len(before["audit_log"]) == 2
    out = tmp_path / "store.backup"
    runner = CliRunner()
    made = runner.invoke(main, ["backup", str(out)])
    assert made.exit_code == 0, made.output
    # the store moves on after the backup ...
    later = wb.standard(title="2016年第四季度农业转移人口落户情况统计表")
    assert ingest(later, "q4.xlsx", user=SYSTEM, engine=engine, today="2020Q4").ok
    assert snapshot(engine) != before
    refused = runner.invoke(main, ["restore", str(out)])
    assert refused.exit_code == 2 and "add --yes to confirm" in refused.stderr
    # ... and comes back exactly, with the restore itself appended to the audit trail
    done = runner.invoke(main, ["restore", str(out), "--yes"])
    assert done.exit_code == 0, done.output
    engine = store.get_engine(db_url)
    after = snapshot(engine)
    restored_audit = after.pop("audit_log")
    expected_audit = before.pop("audit_log")
    # the restore bumps the write counter, so every app process drops its caches
    assert after.pop("store_version") == [(1, before.pop("store_version")[0][1] + 1)]
    assert after == before
    assert restored_audit[:-1] == expected_audit
    assert restored_audit[-1][3] == "restore"  # (id, at, user, action, ...)
    store.clear_engines()


def test_a_backup_from_a_newer_schema_is_refused(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    monkeypatch.setenv("URBDASH_DATABASE_URL", url)
    engine = store.get_engine(url)
    init_store(engine)
    out = tmp_path / "b.sqlite"
    assert CliRunner().invoke(main, ["backup", str(out)]).exit_code == 0
    with sqlite3.connect(out) as con:
        con.execute("UPDATE alembic_version SET version_num = '9999'")
    before = snapshot(engine)
    res = CliRunner().invoke(main, ["restore", str(out), "--yes"])
    assert res.exit_code == 2
    assert res.stderr.strip() == (
        "urbdash: error: backup b.sqlite has schema revision '9999', newer than this release "
        "knows: restore it with the release that wrote it, or upgrade urbdash"
    )
    assert snapshot(engine) == before
    not_a_backup = tmp_path / "x.sqlite"
    not_a_backup.write_bytes(b"hello")
    res = CliRunner().invoke(main, ["restore", str(not_a_backup), "--yes"])
    assert res.exit_code == 2 and "is not an urbdash SQLite backup" in res.stderr
    store.clear_engines()


@pytest.mark.parametrize("_", [0])
def test_backup_while_another_writer_commits(tmp_path, _):
    """The online backup is consistent: a copy taken beside a commit holds all or none of it."""
    url = f"sqlite:///{tmp_path / 'live.sqlite'}"
    engine = store.get_engine(url)
    init_store(engine)
    import threading

    from data.store.backup import backup

    t = threading.Thread(
        target=ingest, args=(wb.standard(), "q.xlsx"), kwargs={"user": SYSTEM, "engine": engine}
    )
    t.start()
    backup(engine, tmp_path / "b.sqlite")
    t.join()
    copy = store.get_engine(f"sqlite:///{tmp_path / 'b.sqlite'}")
    n = len(snapshot(copy)["observation"])
    assert n in (0, 28)
    store.clear_engines()
