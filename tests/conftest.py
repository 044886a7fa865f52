"""Shared fixtures: throwaway stores on SQLite and (when the test run started one) PostgreSQL."""

from __future__ import annotations

import os
import shutil
import time
import uuid
from pathlib import Path

import pytest

import cli  # noqa: F401 - first: one BLAS thread per process, as the product runs (cli/__init__.py)
from bench.pg import create_database, drop_database
from data import store
from tests import timing

PG_ENV = "URBDASH_TEST_PG_URL"
# one signing key for the stored results of the whole run: the demo store's copies (each in a
# var folder of its own) read the results computed when the template was built
os.environ.setdefault("URBDASH_RESULT_KEY", "urbdash-tests-" + uuid.uuid4().hex)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _pg_admin_url() -> str | None:
    url = os.environ.get(PG_ENV)
    if not url:
        if in_ci():
            pytest.fail(f"{PG_ENV} is not set in CI: `make test` starts a throwaway PostgreSQL")
        return None
    return url


def _pg_database(admin: str, template: str | None = None):
    """A throwaway PostgreSQL database (a copy of ``template`` when given); yields its URL and
    drops it after."""
    name, url = create_database(admin, "t", template)
    yield url
    store.clear_engines()
    drop_database(admin, name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty database URL on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"{PG_ENV} not set (run `make test` to start PostgreSQL)")
    yield from _pg_database(admin)


@pytest.fixture
def urbdash(db_url, tmp_path, monkeypatch):
    """``urbdash(*args, input=None)`` runs the CLI in-process on a fresh store of each backend,
    initialised by ``urbdash init``, with its own var folder; returns click's result."""
    from click.testing import CliRunner

    from cli.main import main

    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("URBDASH_DATABASE_URL", db_url)
    runner = CliRunner()
    assert runner.invoke(main, ["init"]).exit_code == 0

    def run(*args, input=None):
        return runner.invoke(main, [str(a) for a in args], input=input)

    yield run
    store.clear_engines()


@pytest.fixture(params=["sqlite", "postgresql"])
def initialised(request, tmp_path, tmp_path_factory):
    """An engine on a fresh store as `urbdash init` leaves it (schema at the newest revision,
    reference data loaded), on each backend: a copy of a store initialised once per test run
    (``init_template``), since initialising one per test cost a fifth of the unit tier. The
    store tests of ``init_store`` itself use ``engine``."""
    template = init_template(tmp_path_factory, request.param)
    if request.param == "sqlite":
        path = tmp_path / "store.sqlite"
        shutil.copyfile(template, path)
        eng = store.get_engine(f"sqlite:///{path}")
        yield eng
        eng.dispose()
        return
    for url in _pg_database(_pg_admin_url(), template):
        eng = store.get_engine(url)
        yield eng
        eng.dispose()


def init_template(tmp_path_factory, backend: str) -> str:
    """The run's initialised empty store on ``backend``, built once whatever the number of
    xdist workers: a SQLite file's path, or a PostgreSQL database's name (CREATE DATABASE ...
    TEMPLATE copies it; nobody may be connected to it then, so its engine is disposed)."""
    from data.store.bootstrap import init_store

    if backend == "sqlite":

        def build(path: Path) -> None:
            eng = store.get_engine(f"sqlite:///{path}")
            init_store(eng)
            eng.dispose()

        return str(built_once(tmp_path_factory, "init-template", build))
    admin = _pg_admin_url()
    if admin is None:
        pytest.skip(f"{PG_ENV} not set (run `make test` to start PostgreSQL)")

    def build_pg(path: Path) -> None:
        name, url = create_database(admin, "t_init")
        eng = store.get_engine(url)
        init_store(eng)
        eng.dispose()
        store.clear_engines()
        path.write_text(name)

    return built_once(tmp_path_factory, "init-template-pg", build_pg).read_text()


@pytest.fixture
def engine(db_url):
    eng = store.get_engine(db_url)
    yield eng
    eng.dispose()


def _run_root(tmp_path_factory) -> Path:
    """The folder every process of this run shares: pytest's base temp, or its parent under
    pytest-xdist (each worker has its own base temp below it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def copy_sqlite(src: Path, dst: Path) -> None:
    """A consistent copy of a SQLite store (the store's own backup copy: safe while others
    read)."""
    import sqlite3

    from data.store.backup import sqlite_copy

    sqlite_copy(sqlite3.connect(src), dst)


def built_once(tmp_path_factory, name: str, build) -> Path:
    """``<run root>/<name>/store.sqlite``, made by ``build(path)`` once per test run whatever
    the number of xdist workers: the first to get the lock builds it, the others wait and reuse
    it. Never written to afterwards: tests take copies."""
    import fcntl

    root = _run_root(tmp_path_factory)
    path = root / name / "store.sqlite"
    start = time.perf_counter()
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not (path.parent / "done").exists():
            path.parent.mkdir(exist_ok=True)
            build(path)
            store.clear_engines()
            (path.parent / "done").touch()
    timing.shared_build(time.perf_counter() - start)
    return path


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """The demo store, generated and loaded through the ingest path once per test run, with
    its heavy results as `urbdash demo` keeps them (the browser tier's server, ``demo_store``
    and ``demo_copy`` take copies)."""
    from analytics import results
    from data.demo.generator import load_demo
    from data.store.bootstrap import init_store

    def build(path: Path) -> None:
        eng = store.get_engine(f"sqlite:///{path}")
        init_store(eng)
        load_demo(eng, out_dir=path.parent / "demo")
        results.work(eng, once=True)
        eng.dispose()

    return built_once(tmp_path_factory, "demo-template", build)


@pytest.fixture(scope="session")
def partial_template(tmp_path_factory, demo_template) -> Path:
    """The demo store with one quarter still coming in (铜川 alone has sent 2021Q1) and the
    worker's results after that upload, once per test run."""
    from analytics import results
    from tests.fixtures import workbooks as wb

    def build(path: Path) -> None:
        copy_sqlite(demo_template, path)
        eng = store.get_engine(f"sqlite:///{path}")
        wb.tongchuan_sends_2021q1(eng)
        results.work(eng, once=True)
        eng.dispose()

    return built_once(tmp_path_factory, "partial-template", build)


@pytest.fixture(scope="session")
def demo_store(demo_template, tmp_path_factory):
    """This process's SQLite store with the demo data (a copy of the run's template, so that
    the users AppTest makes in it stay in this process)."""
    var = tmp_path_factory.mktemp("var")
    copy_sqlite(demo_template, var / "demo.sqlite")
    url = f"sqlite:///{var / 'demo.sqlite'}"
    return {"url": url, "var": var, "engine": store.get_engine(url)}


def _private_copy(template: Path, path: Path):
    copy_sqlite(template, path)
    url = f"sqlite:///{path}"
    eng = store.get_engine(url)
    yield {"url": url, "engine": eng}
    eng.dispose()


@pytest.fixture
def demo_copy(demo_template, tmp_path):
    """A private copy of the demo store, for tests that write (the session's demo store is
    shared by every tier, so a write there would leak into later tests)."""
    yield from _private_copy(demo_template, tmp_path / "demo-copy.sqlite")


@pytest.fixture
def partial_copy(partial_template, tmp_path):
    """A private copy of the demo store with 2021Q1 still coming in (``partial_template``)."""
    yield from _private_copy(partial_template, tmp_path / "partial-copy.sqlite")


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


# Tests that share an expensive fixture run in one pytest-xdist worker, so that the fixture is
# built once per run: the browser tier's server, the replicated deployment, the installed wheel.
# The scheduler sees only node ids, so the groups are named by file; collection checks that every
# test using one of these fixtures sits in a file of the fixture's group. xdist hands out the
# largest groups first and the many single tests fill in around them.
SHARED_FIXTURE_GROUPS = {"deployed": "deploy", "server": "browser", "installed": "wheel"}
GROUP_OF_FILE = {
    "tests/e2e/test_deploy.py": "deploy",
    "tests/e2e/test_journeys.py": "browser",
    "tests/e2e/test_review_journey.py": "browser",
    "tests/e2e/test_roles_journey.py": "browser",
    "tests/package/test_wheel.py": "wheel",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        for fixture, group in SHARED_FIXTURE_GROUPS.items():
            if fixture in item.fixturenames and GROUP_OF_FILE.get(path) != group:
                raise pytest.UsageError(
                    f"{item.nodeid} uses the fixture {fixture!r}: list its file in "
                    f"GROUP_OF_FILE as {group!r} (tests/conftest.py), so that one worker "
                    f"builds it once"
                )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class SharedFixtureScheduling(LoadScopeScheduling):
        """Each test on its own, except the files of one group, which go to one worker."""

        def _split_scope(self, nodeid: str) -> str:
            return GROUP_OF_FILE.get(nodeid.split("::", 1)[0], nodeid)

    return SharedFixtureScheduling(config, log)
