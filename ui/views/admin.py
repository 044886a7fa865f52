"""The admin page's tables and choices: accounts with their roles, regions, departments and
state; target sets; the audit trail in words; the reminder log."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pandas as pd

from data.accounts.passwords import RULES
from data.accounts.policy import ROLE_NAMES, ROLES
from data.i18n.formats import local_time
from data.i18n.messages import MESSAGES
from data.reference import periods
from data.reference.plan import departments
from data.reference.targets import TARGET_INDICATORS
from ui.readable import audit_text
from ui.state import fmt_target, lang, target_set_label, tr
from ui.widgets import scope_options

AUDIT_KINDS = (
    "submission", "file", "user", "task", "target", "target_set", "scenario", "store", "quarter",
    "reminder",
)  # fmt: skip
AUDIT_ACTIONS = (
    "ingest", "revise", "revert", "scenario_save", "task_update", "target_set", "target_set_add",
    "user_add", "user_assign", "user_password", "user_disable", "user_enable", "user_unlock",
    "signin_failed", "conflict", "restore", "init", "approve", "return", "resubmit", "unapprove",
    "release", "unrelease", "remind", "user_contact",
)  # fmt: skip
NEW_SET = "\u0000new"  # the "new set" choice (no set can be named so)


def password_rules() -> str:
    return RULES[lang()]


def roles() -> dict[str, str]:
    """Every role, named in the page's language."""
    return {r: ROLE_NAMES[r][0 if lang() == "zh" else 1] for r in ROLES}


def assignable_regions(registry: pd.DataFrame) -> dict[str, str]:
    """Regions a statistician may be assigned: the province, the ten cities, 杨凌示范区, any
    county."""
    return scope_options() | scope_options(tuple(registry[registry.level == "county"].code))


def department_names() -> dict[str, str]:
    """Each department (its plan's Chinese name is the stored key) as the page's language
    names it."""
    plan = departments()
    shown = plan.name_en if lang() == "en" else plan.name_zh
    return dict(zip(plan.name_zh, shown, strict=True))


def _state(r) -> str:
    if r.disabled:
        return tr("admin.state.disabled")
    if r.locked_until is not None and not pd.isna(r.locked_until):
        return tr("admin.state.locked", until=f"{r.locked_until:%H:%M} UTC")
    if r.failed_attempts:  # wrong passwords since the last success (every address)
        return tr("admin.state.failures", n=int(r.failed_attempts))
    return tr("admin.state.active")


def users_table(frame: pd.DataFrame, regions: dict) -> pd.DataFrame:
    sep, role_label, dept = tr("list.enum"), roles(), department_names()
    shown = pd.DataFrame(
        {
            "name": [
                n + (tr("admin.demo_user") if d else "")
                for n, d in zip(frame.name, frame.is_demo, strict=True)
            ],
            "roles": [sep.join(role_label[r] for r in rs) for rs in frame.roles],
            "regions": [sep.join(regions[c] for c in rs if c in regions) for rs in frame.regions],
            "departments": [sep.join(dept.get(d, d) for d in ds) for ds in frame.departments],
            "email": frame.email.tolist(),
            "state": [_state(r) for r in frame.itertuples()],
        }
    )
    return shown.rename(columns={c: tr(f"admin.col.{c}") for c in shown.columns})


def target_sets_table(sets: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("admin.tset.col.set"): [target_set_label(n) for n in sets.name],
            tr("admin.tset.col.horizon"): sets.horizon.fillna("—"),
            tr("admin.tset.col.targets"): sets.targets,
            tr("admin.tset.col.source"): sets.source,
        }
    )


def targets_table(held: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            tr("admin.tset.col.set"): held.set_name.map(target_set_label),
            tr("admin.tset.col.indicator"): held.indicator.map(
                lambda i: tr("proj.target_label." + i)
            ),
            tr("admin.tset.col.value"): [
                fmt_target(v, u) for v, u in zip(held.value, held.unit, strict=True)
            ],
            tr("admin.tset.col.period"): held.period,
            tr("admin.tset.col.source"): held.source,
        }
    )


def target_indicators() -> dict[str, str]:
    return {i: tr("proj.target_label." + i) for i in TARGET_INDICATORS}


def target_quarters() -> tuple[list[str], int]:
    """The quarters a target may fall due, and the one offered first (this year's Q4)."""
    quarters = periods.quarter_range("2014Q1", "2040Q4")
    return quarters, quarters.index(periods.current_quarter()[:4] + "Q4")


def audit_actions() -> dict[str, str]:
    return {a: tr(f"audit.act.{a}") for a in AUDIT_ACTIONS}


def audit_since(day) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


def audit_table(log: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    """The audit trail in the page's language: each record's object in words, its values as
    text (``ui.readable.audit_text``), headed for export."""
    names = {**dict(zip(registry.code, registry.name, strict=True)), **department_names()}
    actions = audit_actions()

    def what(target: str) -> str:
        """The record's object: its kind word translated, the rest (ids, names, codes) as
        recorded."""
        kind, _, rest = target.partition(" ")
        parts = rest.split(" ")
        if kind == "quarter" and len(parts) == 2:  # "region period": the region's name
            rest = f"{names.get(parts[0], parts[0])} {parts[1]}"
        if kind == "reminder" and len(parts) == 2:  # "period stage": the stage in words
            rest = f"{parts[0]} {tr('admin.stage.' + parts[1])}"
        if kind == "target" and len(parts) == 3:  # "indicator region period": their names
            indicator, region, period = parts
            label = f"proj.target_label.{indicator}"
            parts = [tr(label) if label in MESSAGES else indicator, names.get(region, region)]
            rest = " ".join([*parts, period])
        return f"{tr(f'audit.kind.{kind}')} {rest}" if kind in AUDIT_KINDS else target

    here = lang()
    table = pd.DataFrame(
        {
            "at": pd.to_datetime(log["at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "user": log["user"],
            "action": [actions.get(a, a) for a in log["action"]],
            "target": log["target"].fillna("").map(what),
            "before": [audit_text(v, here, names) for v in log["before"]],
            "after": [audit_text(v, here, names) for v in log["after"]],
            "detail": [audit_text(v, here, names) for v in log["detail"]],
        }
    )
    return table.rename(columns={c: tr(f"audit.col.{c}") for c in table.columns})


def reminders_table(log: pd.DataFrame, registry: pd.DataFrame) -> pd.DataFrame:
    every = registry.set_index("code").name.to_dict()
    shown = log.assign(
        at=[local_time(a) for a in log["at"]],
        region_code=log.region_code.map(every),
        stage=log.stage.map(lambda s: tr(f"admin.stage.{s}")),
        recipients=[tr("list.enum").join(r) for r in log.recipients],
        status=log.status.map(lambda s: tr(f"admin.mail.{s}")),
    )
    return shown.rename(columns={c: tr(f"admin.remind_col.{c}") for c in shown.columns})
