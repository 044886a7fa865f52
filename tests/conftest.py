"""Shared fixtures: throwaway stores on SQLite and (when the test run started one) PostgreSQL."""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from data import store

PG_ENV = "URBDASH_TEST_PG_URL"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if in_ci():
            pytest.fail(f"{PG_ENV} is not set in CI: `make test` starts a throwaway PostgreSQL")
        return None
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"{PG_ENV} not set (run `make test` to start PostgreSQL)")
    name = f"t_{uuid.uuid4().hex[:12]}"
    eng = create_engine(admin, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = admin.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    store.clear_engines()
    with eng.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()


@pytest.fixture
def engine(db_url):
    eng = store.get_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory):
    """A SQLite store initialised and loaded with the demo data once per session."""
    from data.demo.generator import load_demo
    from data.store.bootstrap import init_store

    var = tmp_path_factory.mktemp("var")
    url = f"sqlite:///{var / 'demo.sqlite'}"
    eng = store.get_engine(url)
    init_store(eng)
    load_demo(eng, out_dir=var / "demo")
    return {"url": url, "var": var, "engine": eng}


@pytest.fixture
def demo_copy(demo_store, tmp_path):
    """A private copy of the demo store, for tests that write (the session's demo store is
    shared by every tier, so a write there would leak into later tests)."""
    import sqlite3

    path = tmp_path / "demo-copy.sqlite"
    src = sqlite3.connect(demo_store["url"].removeprefix("sqlite:///"))
    dst = sqlite3.connect(path)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    url = f"sqlite:///{path}"
    eng = store.get_engine(url)
    yield {"url": url, "engine": eng}
    eng.dispose()


@pytest.fixture
def admin_cli(tmp_path, monkeypatch):
    """A CLI runner on a fresh embedded store (in ``tmp_path``) with the admin ``root``."""
    from click.testing import CliRunner

    from cli.main import main

    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("URBDASH_DATABASE_URL", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0
    add = ["user", "add", "root", "--role", "admin", "--password-stdin"]
    assert runner.invoke(main, add, input="pass-word-2026\n").exit_code == 0
    return runner
