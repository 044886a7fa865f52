"""Least privilege on PostgreSQL: the store belongs to an owner role, which runs the
migrations (``urbdash init``); the app (``urbdash serve``, its worker, the reminders) connects
as a role that may read and write the tables but only read and append the audit trail: no
UPDATE, DELETE or TRUNCATE on it, and, not being the owner, no ALTER TABLE to disable its
triggers. ``grant_app`` is the one place those rights are written (``urbdash db grant-app``);
``create_roles`` makes the two roles and the database (a superuser's step, ``deploy.local``)."""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Engine

from data.store.models import AuditLog

APPEND_ONLY = (AuditLog.__tablename__,)  # the app may read and insert, nothing more
READ_ONLY = ("alembic_version",)  # the schema's revision moves with the owner's migrations
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleError(ValueError):
    pass


def _name(role: str) -> str:
    if not _NAME.match(role):
        raise RoleError(f"{role!r} is not a plain role name (lower-case letters, digits, _)")
    return role


def grant_app(engine: Engine, role: str) -> list[str]:
    """As the store's owner: give a role what the app needs and no more.

    Parameters
    ----------
    engine : Engine
        The store, connected as its owner.
    role : str
        The app's role.

    Returns
    -------
    list of str
        The statements run.
    """
    if engine.dialect.name != "postgresql":
        raise RoleError("roles are PostgreSQL's: an embedded SQLite store has none")
    role = _name(role)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # tables and sequences a later migration makes (as the owner) are granted alike
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE "
        f"ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role}",
        *(f"REVOKE UPDATE, DELETE, TRUNCATE ON {t} FROM {role}" for t in APPEND_ONLY),
        *(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {t} FROM {role}" for t in READ_ONLY),
    ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))
    return statements


def create_roles(admin: Engine, database: str, owner: str, app: str) -> None:
    """As a superuser: the owner and app roles (log-in, no other rights) and the database.

    Passwords are the operator's (``ALTER ROLE … PASSWORD``, .pgpass).

    Parameters
    ----------
    admin : Engine
        A superuser's connection.
    database : str
        The database, owned by the owner.
    owner : str
        The owner role.
    app : str
        The app role.
    """
    database, owner, app = _name(database), _name(owner), _name(app)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for role in (owner, app):
            conn.execute(text(f"CREATE ROLE {role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE"))
        conn.execute(text(f"CREATE DATABASE {database} OWNER {owner}"))
        conn.execute(text(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC"))
        conn.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {app}"))
