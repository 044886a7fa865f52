"""Roles, the writes each allows, and the regions and departments a user's writes are bound to.

One table (``ALLOWS``) says which role may do which write; ``require`` is called by every write
of the store, inside its transaction, so hiding a button in the app is never the check.

- leader: reads everything, writes nothing;
- statistician: ingests, revises and reverts returns for the assigned regions (the province
  covers every county, a city its counties, 杨凌示范区 only itself: it reports beside the ten
  cities, not inside 咸阳市); reviews the returns of the level below (``approver``): a city's
  statisticians approve or return its counties' quarters, the province's approve the cities'
  (and 杨凌示范区's) and the province's quarter and release it; a county's never approve;
- planner: saves and shares scenarios;
- department: updates the status of the tasks whose lead or co-lead departments include one of
  the assigned departments (names as the plan prints them);
- admin: users, targets and allocations, the audit trail, releasing an approved quarter.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from data.i18n.formats import first_of
from data.refusal import Refusal
from geo.regions import PROVINCE_CODE, counties_of

ROLES = ("leader", "statistician", "planner", "department", "admin")
ROLE_NAMES = {
    "leader": ("领导", "leader"),
    "statistician": ("统计人员", "statistician"),
    "planner": ("规划人员", "planner"),
    "department": ("责任部门", "department"),
    "admin": ("管理员", "administrator"),
}
# write -> the role (or roles) that allow it
ALLOWS: dict[str, str | tuple[str, ...]] = {
    "ingest": "statistician",
    "revert": "statistician",
    "approve": "statistician",
    "release": ("statistician", "admin"),
    "scenario_save": "planner",
    "task_update": "department",
    "target_set": "admin",
    "user_admin": "admin",
    "audit_read": "admin",
}
ACTION_NAMES = {
    "ingest": ("上报数据", "submit returns"),
    "revert": ("撤销报表", "revert returns"),
    "approve": ("审核报表", "review returns"),
    "release": ("发布数据", "release figures"),
    "scenario_save": ("保存情景", "save scenarios"),
    "task_update": ("更新任务进展", "update task status"),
    "target_set": ("设定目标", "set targets"),
    "user_admin": ("管理用户", "manage users"),
    "audit_read": ("查看审计日志", "read the audit trail"),
}


@dataclass(frozen=True)
class Principal:
    """Who acts: a signed-in user (roles and assignments as stored), or the system itself
    (``init``, the demo loader) which may do every write."""

    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    regions: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    is_system: bool = False

    @classmethod
    def system(cls, name: str = "system") -> Principal:
        return cls(name, frozenset(ROLES), (PROVINCE_CODE,), (), True)

    def has(self, role: str) -> bool:
        return self.is_system or role in self.roles

    def may(self, action: str) -> bool:
        return any(self.has(r) for r in allowing(action))


def allowing(action: str) -> tuple[str, ...]:
    """The roles that allow ``action``."""
    roles = ALLOWS[action]
    return (roles,) if isinstance(roles, str) else roles


class PermissionDenied(Refusal):
    """A write the user's roles or assignments do not allow; the message says which."""

    def __init__(self, zh: str, en: str, outside: tuple[str, ...] = ()):
        super().__init__(zh, en)
        self.outside = outside


class AccountError(Refusal):
    """An account that cannot be made or changed as asked (unknown role, region, department,
    user)."""


def check_assignment(
    roles: Iterable[str], regions: Iterable[str], departments: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Roles, regions (as codes) and departments checked and normalised: roles from ``ROLES``;
    regions that resolve (a name or a code); departments as the plan names them; a
    statistician needs a region and a department user a department."""
    from data.reference.plan import departments as plan_departments
    from geo.regions import default_resolver

    roles = tuple(dict.fromkeys(r.strip().lower() for r in roles))
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        listed = ", ".join(ROLES)
        raise AccountError(
            f"未知角色 {', '.join(unknown) or '（无）'}；可选：{listed}",
            f"unknown role {', '.join(unknown) or '(none)'}; choose from {listed}",
        )
    resolver = default_resolver()
    codes = []
    for r in regions:
        res = resolver.resolve(str(r).strip())
        if not res.ok:
            raise AccountError(f"未知地区 {r}", f"unknown region {r}")
        codes.append(res.code)
    known = plan_departments().name_zh.tolist()
    depts = tuple(dict.fromkeys(d.strip() for d in departments))
    for d in depts:
        if d not in known:
            raise AccountError(
                f"分工方案中没有部门“{d}”；可选：{'、'.join(known)}",
                f"the plan names no department {d!r}; choose from {', '.join(known)}",
            )
    if "statistician" in roles and not codes:
        raise AccountError(
            "统计人员须指定至少一个填报地区", "a statistician needs at least one region"
        )
    if "department" in roles and not depts:
        raise AccountError(
            "责任部门用户须指定至少一个部门",
            "a department user needs at least one department",
        )
    return roles, tuple(dict.fromkeys(codes)), depts


def covered_counties(regions: Iterable[str]) -> set[str]:
    """County codes the assigned ``regions`` cover (see the module's note)."""
    out: set[str] = set()
    for code in regions:
        out.update(counties_of(code))
    return out


def scope(actor: Principal) -> tuple[str, ...] | None:
    """The regions a statistician's returns may cover; None: every region."""
    if actor.is_system or PROVINCE_CODE in actor.regions:
        return None
    return tuple(actor.regions)


def outside_scope(actor: Principal, region_codes: Iterable[str]) -> list[str]:
    """The county codes among ``region_codes`` the actor may not write (sorted)."""
    allowed = scope(actor)
    if allowed is None:
        return []
    covered = covered_counties(allowed) | set(allowed)
    return sorted({str(c) for c in region_codes} - covered)


def may_update_task(actor: Principal, departments: Iterable[str]) -> bool:
    return actor.is_system or (
        actor.has("department") and bool(set(actor.departments) & set(departments))
    )


def require(
    actor: Principal,
    action: str,
    regions: Iterable[str] = (),
    task_departments: Iterable[str] | None = None,
) -> None:
    """Raise PermissionDenied unless ``actor`` may do ``action`` (on these regions, on a task
    led by these departments)."""
    zh_act, en_act = ACTION_NAMES[action]
    if not actor.may(action):
        names = [ROLE_NAMES[r] for r in allowing(action)]
        role_zh = "”或“".join(n[0] for n in names)
        role_en = " or ".join(n[1] for n in names)
        raise PermissionDenied(
            f"用户 {actor.name} 无权{zh_act}：需要“{role_zh}”角色",
            f"User {actor.name} may not {en_act}: this needs the {role_en} role",
        )
    if action in ("ingest", "revert"):
        outside = outside_scope(actor, regions)
        if outside:
            shown = first_of(outside, 10)
            raise PermissionDenied(
                f"用户 {actor.name} 无权{zh_act}：{len(outside)} 个地区不在其填报范围内（{shown}）",
                f"User {actor.name} may not {en_act}: {len(outside)} region(s) outside "
                f"their reporting scope ({shown.replace('、', ', ')})",
                tuple(outside),
            )
    if action == "task_update" and task_departments is not None:
        if not may_update_task(actor, task_departments):
            depts = "、".join(task_departments)
            raise PermissionDenied(
                f"用户 {actor.name} 无权更新此任务：牵头或参与部门为 {depts}",
                f"User {actor.name} may not update this task: it is led by {depts}",
            )


def approver(level: str, code: str, stat_parent: str | None) -> str:
    """The region whose statisticians review a step: a county's return its statistical parent
    (its city; the province for 杨凌示范区), a city's (or 杨凌示范区's) quarter and the
    province's own the province."""
    if level == "county" and stat_parent:
        return stat_parent
    return PROVINCE_CODE


def may_review(actor: Principal, region: str) -> bool:
    """Whether ``actor`` reviews for ``region`` (the ``approver`` of a step): a statistician
    assigned exactly that region (a province statistician does not review a city's counties,
    a county's statistician nothing)."""
    return actor.is_system or (actor.has("statistician") and region in actor.regions)
