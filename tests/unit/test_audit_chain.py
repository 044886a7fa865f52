"""The audit trail's hash chain (issue 29, part 6): every record's hash covers the one before,
so a forged, inserted or deleted record is found by ``urbdash audit --verify`` on SQLite (whose
triggers the file's owner can drop) and on PostgreSQL (a superuser can disable them); parallel
writers keep one unbroken chain; a store from before the chain is chained at upgrade."""

from __future__ import annotations

import json
import threading

import pytest
from alembic import command
from click.testing import CliRunner
from sqlalchemy import text

from cli.main import main
from data import store
from data.intake.ingest import ingest
from data.store import audit
from data.store.engine import _alembic_config
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM


@pytest.fixture
def eng(initialised):
    engine = initialised
    for i in range(4):
        with store.transaction(engine) as sess:
            audit.record(sess, SYSTEM, "note", {"i": i, "text": "审核 $x^2$ ✓"}, f"thing {i}")
    assert ingest(wb.standard(), "q3.xlsx", user=SYSTEM, engine=engine, today="2020Q4").ok
    return engine


def _ids(engine) -> list[int]:
    with store.reader(engine) as sess:
        return list(sess.execute(text("SELECT id FROM audit_log ORDER BY id")).scalars())


def _tamper(engine, *statements: str) -> None:
    """What someone with the database file or a superuser can do: lift the append-only
    triggers, change the table, put them back."""
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if pg:
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))
        for statement in statements:
            conn.execute(text(statement))
        if pg:
            conn.execute(text("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only"))


def _cli_verify(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("URBDASH_DATABASE_URL", engine.url.render_as_string(False))
    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path / "var"))
    return CliRunner().invoke(main, ["audit", "--verify"])


def test_an_untouched_trail_verifies(eng, monkeypatch, tmp_path):
    out = audit.verify(eng)
    assert out == {"ok": True, "rows": len(_ids(eng)), "broken_at": None, "head": out["head"]}
    assert out["rows"] >= 5 and len(out["head"]) == 64
    done = _cli_verify(eng, monkeypatch, tmp_path)
    assert done.exit_code == 0, done.output
    n = out["rows"]
    assert done.output.strip() == f"audit trail intact: {n} records chained, head {out['head']}"


def test_a_forged_record_is_found(eng, monkeypatch, tmp_path):
    second = _ids(eng)[1]
    _tamper(eng, f"UPDATE audit_log SET \"user\" = 'someone-else' WHERE id = {second}")
    assert audit.verify(eng)["broken_at"] == second
    done = _cli_verify(eng, monkeypatch, tmp_path)
    assert done.exit_code == 1
    assert done.output.strip() == (
        f"audit trail broken at record {second} (2 checked): that record was changed, or a "
        "record just before it inserted or deleted"
    )


def test_a_changed_value_inside_a_record_is_found(eng):
    last = _ids(eng)[-1]
    forged = json.dumps({"new_values": 1, "regions": 1, "periods": ["2016Q3"]})
    _tamper(eng, f"UPDATE audit_log SET after = '{forged}' WHERE id = {last}")
    assert audit.verify(eng)["broken_at"] == last


def test_a_deleted_record_is_found_at_the_next(eng):
    ids = _ids(eng)
    _tamper(eng, f"DELETE FROM audit_log WHERE id = {ids[2]}")
    assert audit.verify(eng)["broken_at"] == ids[3]


def test_deleted_last_records_are_found_by_the_head(eng, monkeypatch, tmp_path):
    ids = _ids(eng)
    _tamper(eng, f"DELETE FROM audit_log WHERE id >= {ids[-2]}")
    assert audit.verify(eng) | {"head": None} == {
        "ok": False,
        "rows": len(ids) - 2,
        "broken_at": -1,
        "head": None,
    }
    done = _cli_verify(eng, monkeypatch, tmp_path)
    assert done.exit_code == 1 and "records at the end were deleted" in done.output


def test_an_inserted_record_is_found(eng):
    _tamper(
        eng,
        'INSERT INTO audit_log (at, "user", action, detail, chain) VALUES '
        "('2026-01-01 00:00:00', 'ghost', 'ingest', '{}', '" + "a" * 64 + "')",
    )
    assert audit.verify(eng)["broken_at"] == _ids(eng)[-1]


def test_parallel_writers_keep_one_chain(eng):
    """Eight threads, each appending audited records in its own transactions at once."""
    errors = []

    def write(k: int) -> None:
        try:
            for i in range(6):
                store.retrying(_note)(eng, k, i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    before = len(_ids(eng))
    threads = [threading.Thread(target=write, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    out = audit.verify(eng)
    assert out["ok"] and out["rows"] == before + 8 * 6 * 3


def _note(engine, k: int, i: int) -> None:
    with store.transaction(engine) as sess:
        audit.record_many(sess, SYSTEM, "note", [{"detail": {"k": k, "i": i}}, {"target": "x"}])
        audit.record(sess, SYSTEM, "note", {"k": k, "i": i, "last": True})


def test_a_store_from_before_the_chain_is_chained_at_upgrade(eng):
    before = len(_ids(eng))
    command.downgrade(_alembic_config(eng), "0010")
    with store.transaction(eng) as sess:  # written by a release without the chain
        sess.execute(
            text(
                'INSERT INTO audit_log (at, "user", action, detail) VALUES '
                "('2025-06-30 08:00:00.000000', 'old-release', 'ingest', '{\"n\": 1}')"
            )
        )
    command.upgrade(_alembic_config(eng), "head")
    out = audit.verify(eng)
    assert out["ok"] and out["rows"] == before + 1
    with store.transaction(eng) as sess:  # and the chain goes on from there
        audit.record(sess, SYSTEM, "note", {"after": "upgrade"})
    assert audit.verify(eng) | {"head": None} == {
        "ok": True,
        "rows": before + 2,
        "broken_at": None,
        "head": None,
    }
