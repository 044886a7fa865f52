"""Tables of the store: the domain model of DESIGN.md (org unit x data element x period).

Observations are never overwritten: a revision inserts new rows and marks the old ones
superseded, so every earlier version can be restored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    """Now, in UTC (the stores' times).

    Returns
    -------
    datetime.datetime
        Timezone-aware.
    """
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Region(Base):
    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(10))  # province / city / county
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    # Parent for statistical aggregation: differs from parent_code for 杨凌示范区 (610403),
    # which the bureau reports beside the ten cities, not inside 咸阳市.
    stat_parent_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"))
    stat_name: Mapped[str | None] = mapped_column(String(40))
    geometry_code: Mapped[str] = mapped_column(String(6))


class RegionAlias(Base):
    __tablename__ = "region_alias"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    alias_code: Mapped[str | None] = mapped_column(String(6))
    alias_name: Mapped[str | None] = mapped_column(String(40))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    kind: Mapped[str] = mapped_column(String(20))
    valid_from: Mapped[str | None] = mapped_column(String(10))
    valid_to: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str | None] = mapped_column(Text)


class Indicator(Base):
    __tablename__ = "indicator"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(10))  # flow / stock / ratio
    min_value: Mapped[float | None] = mapped_column(Float)
    max_value: Mapped[float | None] = mapped_column(Float)


class Submission(Base):
    __tablename__ = "submission"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(80))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default="committed")
    n_rows: Mapped[int] = mapped_column(Integer, default=0)
    n_values: Mapped[int] = mapped_column(Integer, default=0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)


class Observation(Base):
    __tablename__ = "observation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicator.code"))
    period: Mapped[str] = mapped_column(String(6))
    value: Mapped[float] = mapped_column(Float)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    __table_args__ = (
        Index(
            "ux_observation_current",
            "region_code",
            "indicator_code",
            "period",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
        Index("ix_observation_submission", "submission_id"),
    )


class OfficialValue(Base):
    """A published figure with its source; never edited by users."""

    __tablename__ = "official_value"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    year: Mapped[int] = mapped_column(Integer)
    indicator: Mapped[str] = mapped_column(String(40))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    basis: Mapped[str] = mapped_column(String(20))
    flag: Mapped[str] = mapped_column(String(20))
    source_title: Mapped[str] = mapped_column(Text)
    source_url: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    licence: Mapped[str | None] = mapped_column(Text)
    # what the count follows: "admin" (yearbook, administrative boundary) or "management"
    # (the census bulletins' boundary); empty where the source does not say
    boundary: Mapped[str | None] = mapped_column(String(20))
    # the day it became public ("exact": the source's date; "approx": the stated rule's,
    # data/reference/official.py); a forecast as of a date uses only what was public by then
    published: Mapped[date | None] = mapped_column(Date)
    published_how: Mapped[str | None] = mapped_column(String(10))


class Target(Base):
    __tablename__ = "target"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    indicator: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(6))
    baseline_period: Mapped[str | None] = mapped_column(String(6))
    source: Mapped[str] = mapped_column(Text)
    set_name: Mapped[str | None] = mapped_column(String(60))  # its target set (TargetSet.name)


class TargetSet(Base):
    """A named group of targets with its source: the 2015 interim and 2020 plan targets, and
    any set an admin adds; its horizon is its latest target's period."""

    __tablename__ = "target_set"
    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    source: Mapped[str] = mapped_column(Text)


class Scenario(Base):
    __tablename__ = "scenario"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(120))
    author: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    params: Mapped[dict] = mapped_column(JSON)


class Task(Base):
    __tablename__ = "task"
    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    number_zh: Mapped[str] = mapped_column(String(10))
    section: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    departments: Mapped[list] = mapped_column(JSON)
    lead: Mapped[str | None] = mapped_column(String(80))
    each_responsible: Mapped[bool] = mapped_column(Boolean, default=False)
    deadline: Mapped[str | None] = mapped_column(String(10))


class TaskUpdate(Base):
    __tablename__ = "task_update"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_number: Mapped[int] = mapped_column(ForeignKey("task.number"))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(Text)
    user: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Approval(Base):
    """Where a quarter's figures stand above "submitted", per region, quarter and level
    (``data.store.approvals``): a county's return returned to its office or approved by its
    city, a city's (or 杨凌示范区's) quarter approved by the province, the province's quarter
    approved and released from ``release_on``. No row: submitted (or not yet)."""

    __tablename__ = "approval"
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)
    period: Mapped[str] = mapped_column(String(6), primary_key=True)
    level: Mapped[str] = mapped_column(String(10), primary_key=True)  # county / unit / province
    state: Mapped[str] = mapped_column(String(10))  # returned / approved
    by_user: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)
    release_on: Mapped[date | None] = mapped_column(Date)  # province level: released from then
    released_by: Mapped[str | None] = mapped_column(String(80))


class ApprovalEvent(Base):
    """Every step of the approval cycle, in order (the history an office and its reviewers
    see; the audit trail holds the same steps)."""

    __tablename__ = "approval_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    period: Mapped[str] = mapped_column(String(6))
    level: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(12))
    user: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    comment: Mapped[str | None] = mapped_column(Text)
    release_on: Mapped[date | None] = mapped_column(Date)
    __table_args__ = (Index("ix_approval_event_period", "period", "region_code"),)


class Reminder(Base):
    """A reminder e-mailed (or being sent) to an office about a quarter it has not reported,
    at one stage (``analytics.reminders.STAGES``): never the same stage twice for the same
    office and quarter."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("region_code", "period", "stage", name="uq_reminder"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    period: Mapped[str] = mapped_column(String(6))
    stage: Mapped[str] = mapped_column(String(12))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10))  # sending / sent / failed
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    error: Mapped[str | None] = mapped_column(Text)


class StoreVersion(Base):
    """One row (id 1): bumped first by every write of observations, which serialises them."""

    __tablename__ = "store_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)


class ComputedResult(Base):
    """A heavy result (``analytics.results``) for one store version and method version: queued,
    running under a worker's lease, done (its signed payload) or failed (its error)."""

    __tablename__ = "computed_result"
    __table_args__ = (
        UniqueConstraint("name", "params", "method", "store_version", name="uq_result_key"),
        Index("ix_result_status", "status"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(String(400))
    method: Mapped[str] = mapped_column(String(40))
    store_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(80))
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    seconds: Mapped[float | None] = mapped_column(Float)
    basis: Mapped[str | None] = mapped_column(String(20))
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    error: Mapped[str | None] = mapped_column(Text)


class User(Base):
    """A local account: argon2 hash, roles and the regions and departments they are bound to
    (see ``data.accounts.policy``), sign-in failures and lock-out."""

    __tablename__ = "app_user"
    name: Mapped[str] = mapped_column(String(80), primary_key=True)
    password_hash: Mapped[str | None] = mapped_column(Text)
    roles: Mapped[list] = mapped_column(JSON, default=list)
    regions: Mapped[list] = mapped_column(JSON, default=list)
    departments: Mapped[list] = mapped_column(JSON, default=list)
    # the identity provider's subject (e-mail) of a single sign-on user, if any
    sso_subject: Mapped[str | None] = mapped_column(String(200), unique=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # where reminders go, and in which language (optional)
    email: Mapped[str | None] = mapped_column(String(200))
    lang: Mapped[str | None] = mapped_column(String(2))


class SigninGuard(Base):
    """Wrong passwords for one account from one client address since its last success there,
    and until when that address may not try the account again (``data.store.users``)."""

    __tablename__ = "signin_guard"
    user_name: Mapped[str] = mapped_column(String(80), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditLog(Base):
    """Append-only (triggers refuse UPDATE and DELETE): who, when, which action on what, and
    the values before and after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(JSON)
    target: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    # SHA-256 over the previous row's chain and this row (data.store.audit_chain)
    chain: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """One row (id 1): the last audit row's chain. Taken FOR UPDATE when rows are appended
    (the chain is one line in commit order), and it tells a deleted last row."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    chain: Mapped[str] = mapped_column(String(64))
