"""The store: every SQL statement of urbdash lives in this package, one module per noun.

``engine`` (connections, migrations, transactions), ``models`` (the schema), ``bootstrap``
(reference data on ``init``), and the nouns: ``observations``, ``submissions``, ``targets``,
``scenarios``, ``tasks``, ``audit``. Callers use ``from data import store`` for the engine and
transactions, and the noun modules for reads and writes; nothing outside this package imports
SQLAlchemy.
"""

from sqlalchemy.exc import DBAPIError as WriteError  # a write the database refused

from data.store.engine import (
    MIGRATIONS,
    Engine,
    StoreError,
    check_connection,
    clear_engines,
    current_revision,
    database_error,
    get_engine,
    head_revision,
    is_contention,
    is_initialised,
    reader,
    redact,
    retrying,
    transaction,
    upgrade,
)

__all__ = [
    "MIGRATIONS",
    "WriteError",
    "Engine",
    "StoreError",
    "check_connection",
    "clear_engines",
    "database_error",
    "current_revision",
    "get_engine",
    "head_revision",
    "is_contention",
    "is_initialised",
    "retrying",
    "reader",
    "redact",
    "transaction",
    "upgrade",
]
