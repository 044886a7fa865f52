"""Accounts, roles and the audit trail: every role against every write in the core (both
backends) and through the CLI, scope refusal, lock-out and unlock, the audit row in the
transaction of its change, append-only audit, demo accounts."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text

from analytics import scenarios, tasks
from analytics.targets import set_target
from cli.main import main
from data import store
from data.accounts import passwords
from data.accounts.policy import ROLES, PermissionDenied, Principal
from data.intake.ingest import ingest, revert
from data.store import approvals, audit, users
from data.store.models import (
    Approval,
    ApprovalEvent,
    AuditLog,
    Observation,
    Scenario,
    Submission,
    Target,
    TaskUpdate,
)
from data.store.scenarios import read_scenarios
from tests.conftest import copy_sqlite
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM

TODAY = "2020Q4"
PW = "pass-word-2026"


def one_role(role: str) -> Principal:
    """A user holding only ``role``, assigned the whole province and 省公安厅 where it applies."""
    return Principal(
        f"only-{role}",
        frozenset({role}),
        ("610000",) if role == "statistician" else (),
        ("省公安厅",) if role == "department" else (),
    )


def count(eng, model) -> int:
    with store.reader(eng) as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.fixture
def eng(initialised):
    return initialised


# each write: (its role, the call, the table it writes)
def _ingest(eng, who):
    return ingest(wb.standard(), "q.xlsx", user=who, engine=eng, today=TODAY)


def _revert(eng, who):
    sub = _ingest(eng, SYSTEM).submission_id
    return revert(sub, user=who, engine=eng)


def _scenario(eng, who):
    return scenarios.save(scenarios.ScenarioParams(name="甲"), who, eng)


def _task(eng, who):
    return tasks.update_task(35, "done", None, None, who, engine=eng)  # 35: 省公安厅 leads


def _target(eng, who):
    return set_target(eng, "urbanization_rate", "610000", 63, "2020Q4", None, "文件", who)


def _user(eng, who):
    return users.add_user(eng, who, "newcomer", PW, ["leader"])


def _approve(eng, who):
    """The province's statisticians review 杨凌示范区 (it reports beside the cities)."""
    rows = [["610403", "杨凌示范区", *wb.GOOD]]
    ingest(wb.standard(rows, sheet="杨凌示范区"), "yl.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    return approvals.approve("610403", "2016Q3", who, engine=eng)


WRITES = {
    "ingest": (
        "statistician",
        _ingest,
        Submission,
        "用户 only-{r} 无权上报数据：需要“统计人员”角色",
    ),
    "revert": ("statistician", _revert, None, "用户 only-{r} 无权撤销报表：需要“统计人员”角色"),
    "scenario_save": (
        "planner",
        _scenario,
        Scenario,
        "用户 only-{r} 无权保存情景：需要“规划人员”角色",
    ),
    "task_update": (
        "department",
        _task,
        TaskUpdate,
        "用户 only-{r} 无权更新任务进展：需要“责任部门”角色",
    ),
    "target_set": ("admin", _target, Target, "用户 only-{r} 无权设定目标：需要“管理员”角色"),
    "user_admin": ("admin", _user, None, "用户 only-{r} 无权管理用户：需要“管理员”角色"),
    "approve": (
        "statistician",
        _approve,
        Approval,
        "用户 only-{r} 无权审核报表：需要“统计人员”角色",
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("write", list(WRITES))
def test_role_by_write_matrix_in_the_core(eng, role, write):
    allowed_role, call, table, message = WRITES[write]
    who = one_role(role)
    before_audit = count(eng, AuditLog)
    if role == allowed_role:
        assert call(eng, who)
        last = audit.read_audit(eng, limit=1).iloc[0]
        assert last.user == who.name
        return
    before = count(eng, table) if table is not None else None
    with pytest.raises(PermissionDenied) as err:
        call(eng, who)
    assert err.value.message("zh") == message.format(r=role)
    if table is not None:
        assert count(eng, table) == before
    # nothing audited as this user (the revert's own setup ingest is the system's)
    log = audit.read_audit(eng)
    assert not (log.user == who.name).any()
    assert count(eng, AuditLog) >= before_audit


@pytest.mark.parametrize("role", ROLES)
def test_release_by_role(eng, role):
    """Releasing needs the province's statisticians or an admin; nothing else may."""
    from data.store.releases import release, released_periods
    from geo.regions import load_registry, reporting_units

    reg = load_registry()
    counties = reg[reg.level == "county"].code.tolist()
    rows = wb.county_rows(counties)
    ingest(wb.standard(rows, sheet="陕西省"), "all.xlsx", user=SYSTEM, engine=eng, today=TODAY)
    units = [u for u in reporting_units(reg).code if u not in set(counties)]
    approvals.approve_many([*counties, *units, "610000"], "2016Q3", SYSTEM, engine=eng)
    who = one_role(role)
    if role in ("statistician", "admin"):
        assert release("2016Q3", who, engine=eng)["scheduled"] is False
        assert released_periods(eng) == {"2016Q3"}
        return
    before = count(eng, ApprovalEvent)
    with pytest.raises(PermissionDenied) as err:
        release("2016Q3", who, engine=eng)
    assert err.value.message("zh") == f"用户 only-{role} 无权发布数据：需要“统计人员”或“管理员”角色"
    assert count(eng, ApprovalEvent) == before and released_periods(eng) == set()


def test_department_only_for_its_own_tasks(eng):
    police = one_role("department")
    with pytest.raises(PermissionDenied) as err:
        tasks.update_task(13, "done", None, None, police, engine=eng)
    assert err.value.message("en") == (
        "User only-department may not update this task: it is led by "
        "省发展改革委、省财政厅、省住房城乡建设厅、省国土资源厅、省农业厅"
    )
    assert count(eng, TaskUpdate) == 0


def test_statistician_scope_refuses_the_whole_file_naming_rows(eng):
    """A 铜川 file from a statistician of 西安市: each region named, nothing stored."""
    xian = Principal("xa", frozenset({"statistician"}), ("610100",))
    report = ingest(wb.standard(), "tc.xlsx", user=xian, engine=eng, today=TODAY)
    assert report.status == "rejected"
    assert [(p.rule, p.value) for p in report.errors] == [
        ("out_of_scope", "王益区"),
        ("out_of_scope", "印台区"),
        ("out_of_scope", "耀州区"),
        ("out_of_scope", "宜君县"),
    ]
    assert (
        report.errors[0].message("zh") == "地区 610202 王益区 不在您的填报范围（610100 西安市）内"
    )
    assert count(eng, Submission) == count(eng, Observation) == 0
    # the city's own statistician may; a county statistician only their county
    tongchuan = Principal("tc", frozenset({"statistician"}), ("610200",))
    assert ingest(wb.standard(), "tc.xlsx", user=tongchuan, engine=eng, today=TODAY).status == (
        "committed"
    )
    wangyi = Principal("wy", frozenset({"statistician"}), ("610202",))
    with pytest.raises(PermissionDenied) as err:
        revert(1, user=wangyi, engine=eng)
    assert err.value.outside == ("610203", "610204", "610222")


def test_yangling_is_its_own_assignment():
    from data.accounts.policy import outside_scope

    xianyang = Principal("xy", frozenset({"statistician"}), ("610400",))
    yangling = Principal("yl", frozenset({"statistician"}), ("610403",))
    assert outside_scope(xianyang, ["610403"]) == ["610403"]  # reported beside the ten cities
    assert outside_scope(yangling, ["610403"]) == []
    assert outside_scope(yangling, ["610404"]) == ["610404"]


def test_lock_out_after_repeated_failures_and_admin_unlock(eng, monkeypatch):
    monkeypatch.setenv("URBDASH_SIGNIN_MAX_FAILURES", "3")
    users.add_user(eng, SYSTEM, "zhang", PW, ["leader"])
    t0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    for _ in range(2):
        with pytest.raises(users.SignInRefused) as err:
            users.authenticate(eng, "zhang", "wrong-pass-1", now=t0)
        assert (err.value.kind, err.value.message("zh")) == ("bad", "用户名或密码错误")
    with pytest.raises(users.SignInRefused) as err:
        users.authenticate(eng, "zhang", "wrong-pass-1", now=t0)
    assert err.value.kind == "locked"
    assert err.value.message("zh") == (
        "账户已锁定：连续 3 次密码错误。请于 09:15 UTC 后再试，或请管理员解锁。"
    )
    # the right password is refused while locked
    with pytest.raises(users.SignInRefused) as err:
        users.authenticate(eng, "zhang", PW, now=t0 + timedelta(minutes=5))
    assert err.value.kind == "locked"
    # an unknown name reads the same as a wrong password
    with pytest.raises(users.SignInRefused) as err:
        users.authenticate(eng, "nobody", PW, now=t0)
    assert err.value.kind == "bad"
    failures = audit.read_audit(eng, action="signin_failed")
    assert list(failures.user) == ["nobody", "zhang", "zhang", "zhang", "zhang"]
    with pytest.raises(PermissionDenied):
        users.unlock(eng, one_role("leader"), "zhang")
    users.unlock(eng, one_role("admin"), "zhang")
    assert users.authenticate(eng, "zhang", PW, now=t0 + timedelta(minutes=6)).name == "zhang"
    # the lock runs out by itself too
    for _ in range(3):
        with pytest.raises(users.SignInRefused):
            users.authenticate(eng, "zhang", "wrong-pass-1", now=t0)
    assert users.authenticate(eng, "zhang", PW, now=t0 + timedelta(minutes=16)).name == "zhang"


def test_parallel_wrong_passwords_never_pass_the_limit(eng, monkeypatch):
    """32 wrong passwords at once from one address, three times: exactly the limit are
    checked (counted before the check, under the account's lock), the rest refused as locked,
    the right password from that address refused; the user's own address signs in; the wait
    doubles with each further failure from the guessing address only."""
    import threading

    monkeypatch.setenv("URBDASH_SIGNIN_MAX_FAILURES", "5")
    users.add_user(eng, SYSTEM, "wang", PW, ["leader"])
    checked = []
    real_verify = passwords.verify

    def counting(stored, password):
        checked.append(password)
        return real_verify(stored, password)

    monkeypatch.setattr(passwords, "verify", counting)
    attacker, office = "203.0.113.9", "198.51.100.7"
    for round_ in range(3):
        start = threading.Barrier(32)
        kinds = []

        def guess(start=start, kinds=kinds):
            start.wait()
            try:
                users.authenticate(eng, "wang", "wrong-pass-9", client=attacker)
            except users.SignInRefused as exc:
                kinds.append(exc.kind)

        threads = [threading.Thread(target=guess) for _ in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(kinds) == 32
        # the first round checks the limit's worth; later rounds: the address is still stopped
        assert len(checked) == 5, (round_, len(checked), sorted(kinds))
        # refused unchecked as locked: all but the first limit's worth; those checked answer
        # "wrong" or, once the limit was reached meanwhile, "locked"
        assert kinds.count("locked") >= (32 - 5 + 1 if round_ == 0 else 32)
    with pytest.raises(users.SignInRefused) as err:
        users.authenticate(eng, "wang", PW, client=attacker)
    assert err.value.kind == "locked"
    assert users.authenticate(eng, "wang", PW, client=office).name == "wang"
    log = audit.read_audit(eng, action="signin_failed")
    reasons = [d["reason"] for d in log.detail]
    assert reasons.count("wrong password") == 5 and reasons.count("locked") == 3 * 32 - 5 + 1
    # once its wait is over, one more wrong password stops the address twice as long
    later = datetime.now(UTC) + timedelta(minutes=16)
    with pytest.raises(users.SignInRefused) as err:
        users.authenticate(eng, "wang", "wrong-pass-9", now=later, client=attacker)
    assert err.value.until == later + timedelta(minutes=30)


def test_an_unknown_name_costs_one_password_check(eng, monkeypatch):
    calls = []
    monkeypatch.setattr(passwords, "verify", lambda stored, pw: calls.append(stored) or False)
    with pytest.raises(users.SignInRefused) as err:
        users.authenticate(eng, "nobody-here", "some-pass-1")
    assert err.value.kind == "bad" and len(calls) == 1 and calls[0].startswith("$argon2")


def test_disabled_user_cannot_sign_in_or_act(eng):
    users.add_user(eng, SYSTEM, "li", PW, ["statistician"], ["610200"])
    users.set_disabled(eng, one_role("admin"), "li")
    with pytest.raises(users.SignInRefused) as err:
        users.authenticate(eng, "li", PW)
    assert err.value.message("en") == "This account is disabled: ask an administrator"
    assert users.load_principal(eng, "li") is None


def test_passwords_are_argon2_and_never_listed(eng):
    users.add_user(eng, SYSTEM, "wang", PW, ["planner"])
    with store.reader(eng) as s:
        stored = s.scalar(text("SELECT password_hash FROM app_user WHERE name = 'wang'"))
    assert stored.startswith("$argon2id$") and PW not in stored
    assert "password_hash" not in users.list_users(eng).columns


@pytest.mark.parametrize(
    "password,message",
    [
        ("short1", "Password too short: 6 characters, at least 10"),
        ("onlyletters", "The password needs letters and digits"),
        ("1234567890", "The password needs letters and digits"),
        ("wang123456", "The password must not be the user name"),
    ],
)
def test_password_rules(eng, password, message):
    with pytest.raises(passwords.PasswordRejected) as err:
        users.add_user(eng, SYSTEM, "wang123456", password, ["leader"])
    assert err.value.message("en") == message
    assert users.count_users(eng) == 0


@pytest.mark.parametrize(
    "args,message",
    [
        (
            (["chief"], [], []),
            "unknown role chief; choose from leader, statistician, planner, department, admin",
        ),
        ((["statistician"], [], []), "a statistician needs at least one region"),
        ((["statistician"], ["火星市"], []), "unknown region 火星市"),
        ((["department"], [], ["省外交部"]), "the plan names no department '省外交部'"),
    ],
)
def test_bad_assignments_write_nothing(eng, args, message):
    from data.accounts.policy import AccountError

    with pytest.raises(AccountError) as err:
        users.add_user(eng, SYSTEM, "x1", PW, *args)
    assert err.value.message("en").startswith(message)
    assert users.count_users(eng) == 0


def test_user_names_are_plain(eng):
    from data.typed_text import TextRejected

    for bad in ("<script>", "a b", "x\x00y", "=cmd"):
        with pytest.raises(TextRejected):
            users.add_user(eng, SYSTEM, bad, PW, ["leader"])
    assert users.count_users(eng) == 0


def test_audit_row_and_change_share_one_transaction(eng, monkeypatch):
    """A failing audit write undoes the change; a failing change leaves no audit row."""
    before = count(eng, Target), count(eng, AuditLog)

    def broken(*a, **k):
        raise RuntimeError("audit down")

    monkeypatch.setattr(audit, "record", broken)
    monkeypatch.setattr(audit, "record_many", broken)
    with pytest.raises(RuntimeError, match="audit down"):
        _target(eng, one_role("admin"))
    with pytest.raises(RuntimeError, match="audit down"):
        _ingest(eng, one_role("statistician"))
    monkeypatch.undo()
    assert (count(eng, Target), count(eng, AuditLog)) == before
    assert count(eng, Submission) == count(eng, Observation) == 0

    from data.store import submissions

    def broken_insert(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(submissions, "insert_values", broken_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        _ingest(eng, one_role("statistician"))
    assert count(eng, AuditLog) == before[1] and count(eng, Submission) == 0


def test_audit_trail_is_append_only_in_the_database(eng):
    with pytest.raises(store.WriteError, match="append-only"):
        with store.transaction(eng) as s:
            s.execute(text("UPDATE audit_log SET action = 'x'"))
    with pytest.raises(store.WriteError, match="append-only"):
        with store.transaction(eng) as s:
            s.execute(text("DELETE FROM audit_log"))
    assert count(eng, AuditLog) == 1  # init's record is still there


def test_changes_are_audited_with_before_and_after(eng):
    admin = one_role("admin")
    _target(eng, admin)
    set_target(eng, "urbanization_rate", "610000", 64, "2020Q4", None, "修订文件", admin)
    last = audit.read_audit(eng, action="target_set").iloc[0]
    assert last.target == "target urbanization_rate 610000 2020Q4"
    assert (last.before["value"], last.after["value"]) == (63.0, 64.0)
    assert last.after["source"] == "修订文件"
    stat_ = one_role("statistician")
    _ingest(eng, stat_)
    revised = wb.standard(wb.county_rows(values=[150] + wb.GOOD[1:]))
    ingest(revised, "r.xlsx", user=stat_, engine=eng, today=TODAY, replace=True)
    rev = audit.read_audit(eng, action="revise").iloc[0]
    assert rev.before == {f"{c} settled_rural 2016Q3": 100.0 for c in wb.TONGCHUAN}
    assert rev.after == {f"{c} settled_rural 2016Q3": 150.0 for c in wb.TONGCHUAN}
    users.add_user(eng, admin, "zhao", PW, ["statistician"], ["610200"])
    users.assign(eng, admin, "zhao", regions=["610100"])
    change = audit.read_audit(eng, action="user_assign").iloc[0]
    assert (change.before["regions"], change.after["regions"]) == (["610200"], ["610100"])


# ------------------------------------------------------------------------------ the CLI


@pytest.fixture
def cli(urbdash):
    """``urbdash`` on a fresh store with the admin root and one account of each role."""
    run = urbdash
    first = run("user", "add", "root", "--role", "admin", "--password-stdin", input=PW + "\n")
    assert first.exit_code == 0, first.output
    for role in ROLES:
        extra = {"statistician": ["--region", "610200"], "department": ["--department", "省公安厅"]}
        made = run(
            "user",
            "add",
            f"only-{role}",
            "--role",
            role,
            *extra.get(role, []),
            "--password-stdin",
            "--as",
            "root",
            input=PW + "\n",
        )
        assert made.exit_code == 0, made.output
    return run


def test_role_by_write_matrix_through_the_cli(cli, tmp_path):
    path = tmp_path / "tc.xlsx"
    path.write_bytes(wb.standard())
    scen = tmp_path / "s.json"
    scen.write_text('{"name": "甲", "as_of": "2016Q3"}', encoding="utf-8")
    writes = {
        "statistician": ["ingest", path],
        "department": ["task-update", 35, "--status", "done"],
        "admin": [
            "target-set",
            "--indicator",
            "urbanization_rate",
            "--value",
            63,
            "--period",
            "2020Q4",
            "--source",
            "文件",
        ],
    }
    for role in ROLES:
        for allowed, args in writes.items():
            out = cli(*args, "--user", f"only-{role}")
            if role == allowed:
                assert out.exit_code == 0, (role, args, out.output)
            else:
                assert out.exit_code == 5, (role, args, out.output)
                assert out.stderr.startswith(f"urbdash: error: 用户 only-{role} 无权"), out.stderr
    subs = cli("submissions", "--json")
    assert '"uploaded_by": "only-statistician"' in subs.output
    # reviewing: 铜川市's statistician approves its county; nobody else may
    for role in ROLES:
        out = cli("approve", "王益区", "2016Q3", "--user", f"only-{role}")
        if role == "statistician":
            assert (out.exit_code, out.output) == (0, "王益区 2016Q3: approved\n")
        else:
            assert out.exit_code == 5, (role, out.output)
            assert (
                out.stderr == f"urbdash: error: 用户 only-{role} 无权审核报表：需要“统计人员”角色\n"
            )
    again = cli("approve", "610202", "2016Q3", "--user", "only-statistician", "--lang", "en")
    assert again.exit_code == 1
    assert again.stderr.startswith(
        "urbdash: error: Wangyi District 2016Q3 was already approved by "
    )
    # locked: neither a corrected return nor a revert gets through the CLI
    rows = wb.county_rows()
    rows[0][2] = 101
    fix = tmp_path / "fix.xlsx"
    fix.write_bytes(wb.standard(rows))
    late = cli("ingest", fix, "--replace", "--user", "only-statistician")
    assert late.exit_code == 1
    locked = "王益区 2016Q3 已由 only-statistician 于 "
    assert f"ERROR -: {locked}" in late.output and "不能修改或撤销" in late.output
    back = cli("revert", 1, "--user", "only-statistician")
    assert back.exit_code == 1 and back.stderr.startswith(f"urbdash: error: {locked}")
    assert cli("submissions", "--json").output.count('"status": "committed"') == 1
    denied = cli("revert", 1, "--user", "only-leader")
    assert denied.exit_code == 5
    nobody = cli("ingest", path)
    assert nobody.exit_code == 5 and "a write needs --user NAME outside demo mode" in nobody.stderr
    unknown = cli("ingest", path, "--user", "ghost")
    assert unknown.exit_code == 5 and "no enabled user 'ghost'" in unknown.stderr
    made = cli(
        "user",
        "add",
        "x2",
        "--role",
        "leader",
        "--password-stdin",
        "--as",
        "only-planner",
        input=PW + "\n",
    )
    assert made.exit_code == 5
    saved = cli("scenario", scen, "--save", "--user", "only-leader")
    assert saved.exit_code == 5
    assert saved.stderr == "urbdash: error: 用户 only-leader 无权保存情景：需要“规划人员”角色\n"


def test_planner_saves_a_scenario_through_the_cli(demo_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("URBDASH_DATABASE_URL", demo_copy["url"])
    scen = tmp_path / "s.json"
    scen.write_text('{"name": "甲", "as_of": "2017Q4"}', encoding="utf-8")
    users.add_user(demo_copy["engine"], SYSTEM, "plan1", PW, ["planner"])
    out = CliRunner().invoke(main, ["scenario", str(scen), "--save", "--user", "plan1"])
    assert out.exit_code == 0 and "saved as scenario 1" in out.output
    assert read_scenarios(demo_copy["engine"]).author.tolist() == ["plan1"]


def test_province_file_from_a_city_statistician_is_refused_whole(cli, tmp_path):
    """铜川市's statistician (only-statistician) and a file holding 西安市's 长安区 too."""
    path = tmp_path / "mixed.xlsx"
    path.write_bytes(wb.standard(wb.county_rows() + wb.county_rows(["610116"])))
    out = cli("ingest", path, "--user", "only-statistician", "--lang", "en")
    assert out.exit_code == 1
    assert "Region 610116 长安区 is outside your reporting scope (610200 铜川市)" in out.output
    assert cli("submissions", "--json").output.strip() == "[]"


def test_user_commands_and_audit(cli):
    listed = cli("user", "list", "--json")
    assert listed.exit_code == 0 and "argon2" not in listed.output
    assign = cli("user", "assign", "only-statistician", "--region", "610100", "--as", "root")
    assert assign.exit_code == 0 and assign.output.strip() == (
        "user only-statistician: statistician; regions 610100"
    )
    assert cli("user", "disable", "only-leader", "--as", "root").exit_code == 0
    assert cli("ingest", "x", "--user", "only-leader").exit_code == 2  # no such file: usage
    assert cli("user", "unlock", "only-planner", "--as", "root").exit_code == 0
    passwd = cli(
        "user",
        "passwd",
        "only-planner",
        "--password-stdin",
        "--as",
        "only-planner",
        input="new-pass-2027\n",
    )
    assert passwd.exit_code == 0
    log = cli("audit", "--user", "root")
    assert log.exit_code == 0
    lines = log.output.strip().splitlines()
    assert lines[0].split()[2:5] == ["root", "user_unlock", "user"]
    assert "user_disable" in log.output and "user_assign" in log.output
    import json

    records = json.loads(cli("audit", "--json", "--since", "2000-01-01").output)
    assert {r["action"] for r in records} >= {"init", "user_add", "user_password"}
    bad = cli("audit", "--since", "yesterday")
    assert bad.exit_code == 1 and "--since 'yesterday' is not a date" in bad.stderr


def test_demo_accounts_one_per_role_in_a_private_file(tmp_path, monkeypatch, demo_template):
    # a store holding the demo returns but no accounts yet (the returns are the run's template;
    # loading them is test_cli's test_demo_skips_a_store_with_returns_and_reset_loads_it_again)
    copy_sqlite(demo_template, tmp_path / "urbdash.sqlite")
    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path))
    monkeypatch.delenv("URBDASH_DATABASE_URL", raising=False)
    out = CliRunner().invoke(main, ["demo", "--if-empty"])
    assert out.exit_code == 0, out.output
    path = tmp_path / "demo-accounts.txt"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    rows = [line.split("\t") for line in path.read_text().splitlines() if not line.startswith("#")]
    assert [r for _, r, _ in rows] == list(ROLES)
    eng = store.get_engine(f"sqlite:///{tmp_path / 'urbdash.sqlite'}")
    for name, role, password in rows:
        assert users.authenticate(eng, name, password).roles == frozenset({role})
        assert password in out.stderr  # printed once on the console
    again = CliRunner().invoke(main, ["demo", "--if-empty"])
    assert again.stderr == "" and path.read_text().count("\n") == 7  # not made twice
    store.clear_engines()
