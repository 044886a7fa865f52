import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from data import store
from data.store.bootstrap import init_store
from data.store.models import Observation, Region, Submission, Target


def test_migrations_up_from_empty(engine):
    assert store.current_revision(engine) is None
    assert store.upgrade(engine) == store.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert {
        "region",
        "region_alias",
        "indicator",
        "submission",
        "observation",
        "official_value",
        "target",
        "scenario",
        "task",
        "task_update",
        "app_user",
        "audit_log",
        "alembic_version",
    } <= tables
    assert store.is_initialised(engine)


def test_init_is_idempotent_and_loads_reference_data(engine):
    first = init_store(engine)
    second = init_store(engine)
    assert first == second
    with store.reader(engine) as sess:
        assert sess.scalar(select(func.count()).select_from(Region)) == 118
        assert sess.scalar(select(func.count()).select_from(Target)) == 4
        yl = sess.get(Region, "610403")
        assert yl.stat_name == "杨凌示范区" and yl.stat_parent_code == "610000"


def test_newer_schema_is_refused(engine):
    init_store(engine)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    with pytest.raises(
        store.StoreError, match=r"schema revision '9999_future', newer than this release knows"
    ):
        store.upgrade(engine)


def test_failed_transaction_leaves_nothing(engine):
    init_store(engine)
    with pytest.raises(RuntimeError), store.transaction(engine) as sess:
        sess.add(Submission(sha256="x" * 64, filename="a.xlsx", content=b"x", uploaded_by="t"))
        sess.flush()
        sess.add(
            Observation(
                region_code="610118",
                indicator_code="resident_pop",
                period="2016Q1",
                value=1.0,
                submission_id=1,
            )
        )
        sess.flush()
        raise RuntimeError("boom")
    with store.reader(engine) as sess:
        assert sess.scalar(select(func.count()).select_from(Submission)) == 0
        assert sess.scalar(select(func.count()).select_from(Observation)) == 0


def test_foreign_keys_enforced(engine):
    init_store(engine)
    with pytest.raises(IntegrityError), store.transaction(engine) as sess:
        sess.add(
            Observation(
                region_code="619999",
                indicator_code="resident_pop",
                period="2016Q1",
                value=1.0,
                submission_id=424242,
            )
        )
        sess.flush()


def test_unreachable_database_is_one_line_without_password():
    url = "postgresql+psycopg://stat:s3cret@127.0.0.1:1/urbdash"
    with pytest.raises(store.StoreError) as info:
        store.upgrade(store.get_engine(url))
    msg = str(info.value)
    assert msg.startswith(
        "cannot connect to database postgresql+psycopg://stat:***@127.0.0.1:1/urbdash"
    )
    assert "s3cret" not in msg and "\n" not in msg


def test_redact():
    assert store.redact("postgresql://u:pw@h/db") == "postgresql://u:***@h/db"
    assert store.redact("sqlite:///var/x.sqlite") == "sqlite:///var/x.sqlite"
