"""The audit trail's hash chain: each row's ``chain`` is SHA-256 over the previous row's chain
and the row's own fields, in a canonical form, so a changed, inserted or deleted row breaks
every link after it. Pure functions (no models): the migration that chains an existing store's
rows uses the same ones as the writer and ``urbdash audit --verify``.

The canonical form is what the database gives back: times in UTC to the microsecond, JSON with
sorted keys (as the column's serializer round-trips it: tuples as lists)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64  # the "previous chain" of the first row
FIELDS = ("at", "user", "action", "target", "detail", "before", "after")


def _time(value: datetime | str) -> str:
    if isinstance(value, str):  # a database that hands times back as text
        value = datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(sep=" ", timespec="microseconds")


def _json(value: object) -> object:
    """As the JSON column stores and returns it (a JSON text column on SQLite: tuples become
    lists; the same on PostgreSQL's json)."""
    return None if value is None else json.loads(json.dumps(value))


def canonical(row: dict) -> bytes:
    """The bytes a row's chain link is computed over.

    Parameters
    ----------
    row : dict
        An audit row's FIELDS.

    Returns
    -------
    bytes
        Canonical JSON (sorted keys, times in one format), UTF-8.
    """
    body = {f: row.get(f) for f in FIELDS}
    body["at"] = _time(row["at"])
    for f in ("detail", "before", "after"):
        body[f] = _json(body[f])
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def link(previous: str, row: dict) -> str:
    """The chain of a row after a row whose chain is ``previous``.

    Parameters
    ----------
    previous : str
        The chain before it.
    row : dict
        The row.

    Returns
    -------
    str
        The SHA-256 hex digest over ``previous`` and the row's canonical bytes.
    """
    return hashlib.sha256(previous.encode("ascii") + b"\n" + canonical(row)).hexdigest()


def first_break(rows, head: str | None) -> tuple[int | None, int]:
    """Walk the rows in id order to the first that does not link to the one before it.

    Parameters
    ----------
    rows : iterable of dict
        With ``id``, ``chain`` and FIELDS.
    head : str or None
        The chain the store says is last.

    Returns
    -------
    tuple of (int or None, int)
        The id of the first row whose chain is not the link from the row before it (a row
        changed, inserted or deleted there), else None; a head that is not the last row's chain
        (rows deleted at the end) is a break at id -1. And how many rows were checked.
    """
    previous, n = GENESIS, 0
    for row in rows:
        n += 1
        if row["chain"] != link(previous, row):
            return int(row["id"]), n
        previous = row["chain"]
    if head is not None and head != previous:
        return -1, n
    return None, n
