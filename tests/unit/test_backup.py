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
from data.store import audit
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
    # the audit rows written after the backup are carried, then the restore is appended
    carried = [r for r in restored_audit[len(expected_audit) : -1]]
    assert [r[3] for r in carried] == ["ingest"], carried
    restored_audit = restored_audit[: len(expected_audit)] + restored_audit[-1:]
    # the restore bumps the write counter, so every app process drops its caches
    assert after.pop("store_version") == [(1, before.pop("store_version")[0][1] + 1)]
    # the chain's head moves with the carried and the restore rows, and the chain holds
    before.pop("audit_head")
    assert after.pop("audit_head") == [(1, restored_audit[-1][-1])]
    assert audit.verify(engine)["ok"]
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
    assert res.exit_code == 2 and "is damaged or no urbdash SQLite backup" in res.stderr
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


def _damaged_copies(good: bytes, tmp_path) -> dict[str, bytes]:
    """A backup with a damaged page that SQLite still opens and reads the schema revision
    from (the first page, from the third on, whose 60 zeroed bytes the integrity check
    finds), one with many pages overwritten, one cut short, and a file that is no SQLite
    database at all."""
    page, probe = 4096, tmp_path / "probe.db"
    subtle = None
    for k in range(2, len(good) // page):
        damaged = bytearray(good)
        damaged[k * page + 1000 : k * page + 1060] = b"\x00" * 60
        probe.write_bytes(damaged)
        con = sqlite3.connect(f"file:{probe}?mode=ro", uri=True)
        try:
            found = con.execute("PRAGMA integrity_check").fetchall()
            readable = con.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError:
            continue
        finally:
            con.close()
        if found != [("ok",)] and readable:
            subtle = bytes(damaged)
            break
    assert subtle is not None, "no page whose damage SQLite detects"
    heavy = bytearray(good)
    for at in range(2 * page, len(good) - page, 3 * page):
        heavy[at + 100 : at + 400] = b"\xff" * 300
    return {
        "damaged": subtle,
        "overwritten": bytes(heavy),
        "truncated": good[: len(good) // 2],
        "foreign": b"not a backup at all " * 500,
    }


def _backed_up_store(url: str, tmp_path, monkeypatch):
    """A store at ``url`` holding one return, backed up through the CLI: the runner, the
    backup's path and the store's snapshot at that moment."""
    monkeypatch.setenv("URBDASH_DATABASE_URL", url)
    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path / "var"))
    engine = store.get_engine(url)
    init_store(engine)
    assert ingest(wb.standard(), "q3.xlsx", user=SYSTEM, engine=engine, today="2020Q4").ok
    out = tmp_path / "good.backup"
    runner = CliRunner()
    assert runner.invoke(main, ["backup", str(out)]).exit_code == 0
    return runner, out, snapshot(engine)


def test_a_damaged_backup_is_refused_and_nothing_changes(tmp_path, monkeypatch):
    db = tmp_path / "store.sqlite"
    url = f"sqlite:///{db}"
    runner, out, before = _backed_up_store(url, tmp_path, monkeypatch)
    for kind, content in _damaged_copies(out.read_bytes(), tmp_path).items():
        bad = tmp_path / f"{kind}.backup"
        bad.write_bytes(content)
        done = runner.invoke(main, ["restore", str(bad), "--yes"])
        assert done.exit_code == 2, (kind, done.output)
        assert done.stderr.startswith("urbdash: error: "), (kind, done.stderr)
        assert done.stderr.rstrip().endswith("nothing was changed"), (kind, done.stderr)
        assert snapshot(store.get_engine(url)) == before, kind
    # the damage is named as SQLite found it
    damaged = runner.invoke(main, ["restore", str(tmp_path / "damaged.backup"), "--yes"])
    assert damaged.stderr.startswith("urbdash: error: backup damaged.backup is damaged (")
    assert "found by SQLite's integrity check): nothing was changed" in damaged.stderr
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    con.close()


def _damaged_archives(good: bytes) -> dict[str, bytes]:
    """Damage any backup file may meet: cut short, overwritten in its middle, or another file."""
    middle = bytearray(good)
    for at in range(len(good) // 3, 2 * len(good) // 3, 97):
        middle[at : at + 8] = b"\xa5" * 8
    return {
        "truncated": good[: len(good) // 2],
        "overwritten": bytes(middle),
        "foreign": b"PGDMP but not really " * 400,
    }


def test_a_damaged_backup_is_refused_on_either_database(db_url, tmp_path, monkeypatch):
    """PostgreSQL's archive is read through (table of contents, every data block) before the
    store is touched; SQLite's file checked by SQLite: each damage refused, nothing changed."""
    runner, out, before = _backed_up_store(db_url, tmp_path, monkeypatch)
    for kind, content in _damaged_archives(out.read_bytes()).items():
        bad = tmp_path / f"{kind}.backup"
        bad.write_bytes(content)
        done = runner.invoke(main, ["restore", str(bad), "--yes"])
        assert done.exit_code == 2, (kind, done.output)
        assert done.stderr.startswith(f"urbdash: error: backup {kind}.backup is damaged")
        assert done.stderr.rstrip().endswith("nothing was changed"), (kind, done.stderr)
        assert snapshot(store.get_engine(db_url)) == before, kind
    assert audit.verify(store.get_engine(db_url))["ok"]
    store.clear_engines()
