"""``urbdash backup`` and ``urbdash restore``: the whole store in one file and back.

SQLite: the online backup API (a consistent copy while the app keeps reading and writing), the
backup being an SQLite file itself. PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore
--clean``. A restore first reads the backup's schema revision and refuses one this release
does not know (a backup from a newer release), before anything is changed; afterwards the
store is migrated to this release's head and the restore is appended to the audit trail.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from data.store import audit
from data.store.engine import MIGRATIONS, StoreError, current_revision, redact, transaction, upgrade
from data.store.version import lock_store


def _tool(name: str) -> str:
    """pg_dump / pg_restore: on PATH, else the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if found is None:
        raise StoreError(f"{name} not found (install the Debian package postgresql-client)")
    return found


def _libpq(engine: Engine) -> tuple[str, dict]:
    """The database as libpq wants it: a URL without the driver and the password in the
    environment (never on a command line other users could read)."""
    url = engine.url
    env = {**os.environ}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return plain, env


def _sqlite_path(engine: Engine) -> Path:
    return Path(engine.url.database)


def sqlite_copy(src: sqlite3.Connection, dst_path: Path) -> None:
    """SQLite's online backup API from an open database into a file.

    Parameters
    ----------
    src : sqlite3.Connection
        The database.
    dst_path : pathlib.Path
        The copy.
    """
    dst = sqlite3.connect(dst_path)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()


def backup(engine: Engine, out: Path | str) -> dict:
    """Write the store to a file.

    Parameters
    ----------
    engine : Engine
        The store.
    out : pathlib.Path or str
        The file.

    Returns
    -------
    dict
        What was written: the file, its size, the schema revision and the counts.
    """
    out = Path(out)
    revision = current_revision(engine)
    if engine.dialect.name == "sqlite":
        sqlite_copy(sqlite3.connect(_sqlite_path(engine)), out)
    else:
        url, env = _libpq(engine)
        done = subprocess.run(
            [_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={out}", url],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            raise StoreError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1]}")
    return {"file": str(out), "bytes": out.stat().st_size, "revision": revision}


def _backup_revision(engine: Engine, path: Path) -> str | None:
    """The backup's schema revision, once the backup is checked: SQLite's integrity and
    foreign-key checks on the file itself (a damaged page is refused here, before the store is
    touched); PostgreSQL's pg_restore reading the archive's table of contents and data."""
    if engine.dialect.name == "sqlite":
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = con.execute("PRAGMA integrity_check").fetchall()
            if found != [("ok",)]:
                raise StoreError(
                    f"backup {path.name} is damaged ({found[0][0]}; {len(found)} problem(s) "
                    "found by SQLite's integrity check): nothing was changed"
                )
            broken = con.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise StoreError(
                    f"backup {path.name} is damaged ({len(broken)} row(s) point to rows that "
                    f"are not there, first in table {broken[0][0]}): nothing was changed"
                )
            row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"backup {path.name} is damaged or no urbdash SQLite backup ({exc}): nothing "
                "was changed"
            ) from None
        finally:
            con.close()
        return row[0] if row else None
    # the archive's table of contents, then every data block read through (decompressed, the
    # SQL written to nowhere): a truncated or overwritten archive fails here, before the store
    # is touched; what it holds is then restored in one transaction (all of it or nothing)
    for check in (["--list"], ["--file=/dev/null"]):
        read = subprocess.run(
            [_tool("pg_restore"), *check, str(path)], capture_output=True, text=True
        )
        if read.returncode:
            reason = (read.stderr.strip().splitlines() or ["unreadable"])[-1]
            raise StoreError(
                f"backup {path.name} is damaged or no urbdash PostgreSQL backup ({reason}): "
                "nothing was changed"
            )
    listed = subprocess.run(
        [_tool("pg_restore"), "--data-only", "--table=alembic_version", "--file=-", str(path)],
        capture_output=True,
        text=True,
    )
    if listed.returncode:
        raise StoreError(f"{path} is not an urbdash PostgreSQL backup: {listed.stderr.strip()}")
    lines = listed.stdout.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("COPY ")), None)
    return lines[start + 1].strip() if start is not None and start + 1 < len(lines) else None


def _backup_audit_max(engine: Engine, path: Path) -> int:
    """The newest audit row id the backup holds (0: none)."""
    if engine.dialect.name == "sqlite":
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return int(con.execute("SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0])
        except sqlite3.DatabaseError:
            return 0
        finally:
            con.close()
    listed = subprocess.run(
        [_tool("pg_restore"), "--data-only", "--table=audit_log", "--file=-", str(path)],
        capture_output=True,
        text=True,
    )
    ids = []
    inside = False
    for line in listed.stdout.splitlines():
        if line.startswith("COPY "):
            inside = True
        elif inside and line == "\\.":
            break
        elif inside and line.split("\t", 1)[0].isdigit():
            ids.append(int(line.split("\t", 1)[0]))
    return max(ids, default=0)


def restore(engine: Engine, inp: Path | str, user: str = "cli") -> dict:
    """Replace the store with a backup.

    Refused, changing nothing, when the backup is damaged or comes from a newer schema than this
    release knows. The audit rows written since the backup are carried into the restored store
    (in order, with their own times), then the restore is appended: the trail never loses a row
    to a restore.

    Parameters
    ----------
    engine : Engine
        The store.
    inp : pathlib.Path or str
        The backup.
    user : str
        Who restores it.

    Returns
    -------
    dict
        What was restored and the audit rows carried.
    """
    inp = Path(inp)
    if not inp.is_file():
        raise StoreError(f"no backup file {inp}")
    revision = _backup_revision(engine, inp)
    known = {r.revision for r in ScriptDirectory(str(MIGRATIONS)).walk_revisions()}
    if revision not in known:
        raise StoreError(
            f"backup {inp.name} has schema revision {revision!r}, newer than this release "
            "knows: restore it with the release that wrote it, or upgrade urbdash"
        )
    since = audit.read_rows_after(engine, _backup_audit_max(engine, inp))
    if engine.dialect.name == "sqlite":
        engine.dispose()  # no pooled connection may hold the old file open
        sqlite_copy(sqlite3.connect(f"file:{inp}?mode=ro", uri=True), _sqlite_path(engine))
    else:
        engine.dispose()
        url, env = _libpq(engine)
        done = subprocess.run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={url}",
                str(inp),
            ],
            env=env,
            capture_output=True,
            text=True,
        )
        if done.returncode:
            reason = (done.stderr.strip().splitlines() or ["failed"])[-1]
            raise StoreError(
                f"pg_restore failed ({reason}): nothing was changed (the restore runs as one "
                "transaction)"
            )
    head = upgrade(engine)
    with transaction(engine) as sess:
        lock_store(sess)  # every app process sees the restored store at its next run
        audit.carry(sess, since)
        audit.record(
            sess,
            user,
            "restore",
            {"file": inp.name, "from_revision": revision, "to": head, "carried": len(since)},
            target=f"store {redact(engine.url.render_as_string(False))}",
        )
    return {"file": str(inp), "revision": revision, "now": head, "audit_carried": len(since)}
