"""Throwaway PostgreSQL databases for the benchmarks and the tests (both use this one helper):
made on the server of an administrator's URL, optionally as a copy of a template database."""

from __future__ import annotations

import uuid

from sqlalchemy import create_engine, text


def create_database(admin_url: str, prefix: str, template: str | None = None) -> tuple[str, str]:
    """A new database on the server of ``admin_url`` (a copy of ``template`` when given).

    Returns its name and its URL (the admin URL with the database replaced)."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        copy = f' TEMPLATE "{template}"' if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    eng.dispose()
    return name, f"{admin_url.rsplit('/', 1)[0]}/{name}"


def drop_database(admin_url: str, name: str) -> None:
    """Drop database ``name`` on the server of ``admin_url``, closing its sessions first."""
    eng = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    eng.dispose()
