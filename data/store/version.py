"""The store's write counter (one row, ``store_version``): every write takes its lock first,
which serialises the writers, and bumps it, which tells every app process (every replica)
that what it cached is stale."""

from __future__ import annotations

from sqlalchemy import select, update

from data.store.engine import Engine, reader
from data.store.models import StoreVersion


def lock_store(sess) -> int:
    """Take the store's write turn inside the open transaction and bump the counter.

    The store_version row's lock (SQLite's write lock is already held).

    Parameters
    ----------
    sess : Session
        The transaction.

    Returns
    -------
    int
        The new version.
    """
    sess.execute(
        update(StoreVersion).where(StoreVersion.id == 1).values(version=StoreVersion.version + 1)
    )
    return int(sess.scalar(select(StoreVersion.version).where(StoreVersion.id == 1)))


def store_version(engine: Engine) -> int:
    """The store's write counter.

    Parameters
    ----------
    engine : Engine
        The store.

    Returns
    -------
    int
        Changes with every write of returns, targets, tasks, scenarios and restores.
    """
    with reader(engine) as sess:
        return int(sess.scalar(select(StoreVersion.version).where(StoreVersion.id == 1)) or 0)
