"""The store: engine, schema migrations (Alembic) and transactional sessions.

SQLite is the embedded default (WAL journal, foreign keys on); the same code runs on PostgreSQL
when ``URBDASH_DATABASE_URL`` names one. Every write happens inside ``transaction()``: either all
of it is committed or nothing is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import pandas as pd
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from data import settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(Exception):
    """A store problem that the CLI reports as one line, never as a traceback."""


def redact(url: str) -> str:
    """A database URL with any password replaced by ``***``.

    Parameters
    ----------
    url : str
        The URL.

    Returns
    -------
    str
        The URL as it may be shown.
    """
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable database URL>"


BUSY_TIMEOUT_S = 30  # how long an SQLite writer waits for the write lock before "locked"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # transactions are begun by SQLAlchemy's "begin" event (below), not by the driver, so that
    # a write transaction can take SQLite's write lock at its start (BEGIN IMMEDIATE)
    dbapi_connection.isolation_level = None
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    # 16 KB pages for a new store (a no-op on an existing one; it must come before WAL):
    # fewer B-tree pages to split and write when a big return lands, ~15% faster for
    # 700,000 values, and reads of a region's series touch fewer pages
    cur.execute("PRAGMA page_size=16384")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    # a 16 MB page cache (SQLite's default is 2 MB): a file of many quarters writes each
    # quarter's submission id into the index of observations by submission at as many places,
    # which thrashes a small cache (100,000 rows of 935 quarters: 4.7 s → 3.5 s to commit)
    cur.execute("PRAGMA cache_size=-16384")
    cur.close()


def get_engine(url: str | None = None) -> Engine:
    """The (cached) engine of a store.

    Parameters
    ----------
    url : str or None
        The database URL; None: the configured store.

    Returns
    -------
    Engine
        One engine per URL and process.
    """
    return _engine_for(url or settings.database_url())


def clear_engines() -> None:
    """Forget cached engines (tests switch databases); they are not disposed of.

    Returns
    -------
    None
        The next ``get_engine`` makes a new engine.
    """
    _engine_for.cache_clear()


@lru_cache(maxsize=8)
def _engine_for(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"invalid database URL {redact(url)}: {exc}") from None
    kwargs: dict = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": BUSY_TIMEOUT_S}
    else:
        kwargs["pool_pre_ping"] = True
        if parsed.get_backend_name() == "postgresql":
            kwargs["connect_args"] = {"connect_timeout": 5}
    try:
        engine = create_engine(parsed, **kwargs)
    except Exception as exc:  # missing driver, bad option
        raise StoreError(f"cannot use database {redact(url)}: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_begin(conn) -> None:
    """A write transaction takes SQLite's write lock at once (waiting up to the busy timeout):
    a reader that later wants to write cannot be refused mid-way with "database is locked"."""
    write = conn.get_execution_options().get("urbdash_write", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def database_error(exc: DBAPIError, url: str) -> StoreError:
    """The one-line StoreError for a database error.

    Parameters
    ----------
    exc : sqlalchemy.exc.DBAPIError
        The driver's error.
    url : str
        The store's URL.

    Returns
    -------
    StoreError
        The URL with its password hidden and the driver's first line (``cannot connect to
        database …`` when the server cannot be reached).
    """
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc).splitlines()[0]
    if isinstance(exc, OperationalError) and "connect" in reason.lower():
        return StoreError(f"cannot connect to database {redact(url)}: {reason}")
    return StoreError(f"database {redact(url)}: {reason}")


def check_connection(engine: Engine) -> None:
    """Check that the database can be reached.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    None
        Or StoreError naming the URL (password hidden).
    """
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        url = engine.url.render_as_string(False)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(f"cannot connect to database {redact(url)}: {reason}") from None


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest schema revision this release knows.

    Returns
    -------
    str
        Alembic's head revision.
    """
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The schema revision a store is at.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    str or None
        None for a store never initialised.
    """
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> str:
    """Migrate the schema up to the newest revision; refuse a database from a newer release.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    str
        The revision now.
    """
    check_connection(engine)
    script = ScriptDirectory(str(MIGRATIONS))
    current = current_revision(engine)
    known = {rev.revision for rev in script.walk_revisions()}
    if current is not None and current not in known:
        raise StoreError(
            f"database {redact(engine.url.render_as_string(False))} has schema revision "
            f"{current!r}, newer than this release knows (head {script.get_current_head()!r}); "
            "upgrade urbdash instead of downgrading the database"
        )
    command.upgrade(_alembic_config(engine), "head")
    return script.get_current_head()


def is_initialised(engine: Engine) -> bool:
    """Whether a store's schema is at the newest revision.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    bool
        False too when the database cannot be read.
    """
    try:
        return current_revision(engine) == head_revision()
    except OperationalError:
        return False


@lru_cache(maxsize=8)
def _sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine, expire_on_commit=False)


@lru_cache(maxsize=8)
def _writer_sessionmaker(engine: Engine) -> sessionmaker:
    return sessionmaker(engine.execution_options(urbdash_write=True), expire_on_commit=False)


@contextmanager
def transaction(engine: Engine | None = None) -> Iterator[Session]:
    """A session committed on success and rolled back on any exception.

    On SQLite it holds the write lock from its start (writers queue, readers go on).

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.

    Yields
    ------
    Session
        The session.
    """
    engine = engine or get_engine()
    with _writer_sessionmaker(engine).begin() as sess:
        yield sess


def is_contention(exc: BaseException) -> bool:
    """Whether a write was refused only because others hold the store.

    Parameters
    ----------
    exc : BaseException
        The error.

    Returns
    -------
    bool
        SQLite's lock wait ran out, or a PostgreSQL deadlock or serialisation failure: worth
        trying again.
    """
    if not isinstance(exc, OperationalError | DBAPIError):
        return False
    text = str(getattr(exc, "orig", exc)).lower()
    return any(
        s in text
        for s in (
            "database is locked",
            "database table is locked",
            "deadlock detected",
            "could not serialize",
        )
    )


def retrying(fn):
    """Run a write again when it meets contention (``is_contention``).

    With jittered exponential waits, for up to ``WRITE_RETRY_S`` seconds; then one StoreError
    saying the store is busy (the CLI's exit 2). Each attempt is its own transaction.

    Parameters
    ----------
    fn : callable
        The write, called with no arguments.

    Returns
    -------
    object
        What ``fn`` returns.
    """
    from functools import wraps

    from tenacity import (
        RetryError,
        Retrying,
        retry_if_exception,
        stop_after_delay,
        wait_random_exponential,
    )

    @wraps(fn)
    def wrapper(*args, **kwargs):
        attempts = Retrying(
            retry=retry_if_exception(is_contention),
            stop=stop_after_delay(WRITE_RETRY_S),
            wait=wait_random_exponential(multiplier=0.05, max=2),
        )
        try:
            return attempts(fn, *args, **kwargs)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise StoreError(
                f"the store is busy (other writers held it for over {WRITE_RETRY_S} s): "
                f"{str(getattr(cause, 'orig', cause)).splitlines()[0]}; nothing was written, "
                "try again"
            ) from None

    return wrapper


WRITE_RETRY_S = 120


@contextmanager
def reader(engine: Engine | None = None) -> Iterator[Session]:
    """A read-only session (rolled back at the end).

    Parameters
    ----------
    engine : Engine or None
        The store; None: the configured one.

    Yields
    ------
    Session
        The session.
    """
    engine = engine or get_engine()
    with _sessionmaker(engine)() as sess:
        yield sess


def frame(rows, columns) -> pd.DataFrame:
    """Result rows as a DataFrame.

    Rows go in as plain tuples: handed its Row objects, pandas probes every row for the
    attributes of a named tuple (13× slower on 20,000 rows).

    Parameters
    ----------
    rows : iterable
        The result's rows.
    columns : list of str
        Their names.

    Returns
    -------
    pandas.DataFrame
        One row per result row.
    """
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))
