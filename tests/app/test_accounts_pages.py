"""AppTest: sign-in, sessions that expire, pages by role, the admin page, HTML typed into a
task note shown as text, single sign-on stubbed at the identity boundary."""

import time

import pytest

from data import store
from data.store import users
from data.store.bootstrap import init_store
from tests.app.conftest import PASSWORD, ensure_user
from tests.fixtures.actors import SYSTEM


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'acc.sqlite'}"
    init_store(store.get_engine(url))
    return url


def test_signed_out_sees_only_the_sign_in_form(url, app_on):
    at = app_on(url)("zh", roles=None).run()
    assert not at.exception, at.exception
    assert at.title[0].value == "登录"
    assert at.warning[0].value.startswith("尚无管理员账户。请在服务器上运行：urbdash user add")
    assert not at.dataframe and not at.get("plotly_chart")


def test_sign_in_wrong_then_right_password(url, app_on):
    ensure_user(url, "li", ("leader",))
    at = app_on(url)("en", roles=None).run()
    at.text_input(key="signin_name").set_value("li")
    at.text_input(key="signin_password").set_value("wrong-pass-1")
    at.button[0].click().run()
    assert at.error[0].value == "Wrong user name or password"
    at.text_input(key="signin_password").set_value(PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert at.title[0].value != "Sign in"
    assert any(c.value == "Signed in: li (leader)" for c in at.sidebar.caption)


def test_locked_account_says_so(url, app_on, monkeypatch):
    monkeypatch.setenv("URBDASH_SIGNIN_MAX_FAILURES", "2")
    ensure_user(url, "li", ("leader",))
    at = app_on(url)("zh", roles=None).run()
    for _ in range(2):
        at.text_input(key="signin_name").set_value("li")
        at.text_input(key="signin_password").set_value("wrong-pass-1")
        at.button[0].click().run()
    assert at.error[0].value.startswith("账户已锁定：连续 2 次密码错误。")
    assert at.error[0].value.endswith("或请管理员解锁。")


@pytest.mark.parametrize(
    "since,seen,message",
    [
        (0, 31 * 60, "您已闲置超过 30 分钟，已自动退出，请重新登录。"),
        (11 * 3600, 60, "登录已超过 10 小时，已自动退出，请重新登录。"),
    ],
)
def test_sessions_expire(url, app_on, since, seen, message):
    at = app_on(url)("zh")
    now = time.time()
    name = at.session_state["auth"]["name"]
    at.session_state["auth"] = {"name": name, "since": now - max(since, seen), "seen": now - seen}
    at.run()
    assert at.title[0].value == "登录"
    assert at.info[0].value == message


def test_a_disabled_account_is_signed_out_at_the_next_click(url, app_on):
    ensure_user(url, "li", ("leader",))
    at = app_on(url)("zh", user="li").run()
    assert at.title[0].value != "登录"
    users.set_disabled(store.get_engine(url), SYSTEM, "li")
    at.run()
    assert (
        at.title[0].value == "登录" and at.info[0].value == "您的账户已停用或已删除，已退出登录。"
    )


def test_leader_sees_no_upload_form_and_no_admin_page(url, app_on):
    ensure_user(url, "li", ("leader",))
    at = app_on(url)("zh", user="li").run()
    with pytest.raises(ValueError):  # not in a leader's page registry
        at.switch_page("pages/admin_page.py")
    at.switch_page("pages/returns_page.py").run()
    assert not at.exception, at.exception
    assert not at.get("file_uploader")
    assert at.info[0].value.startswith("您的角色（领导）可查看上报情况")
    at.switch_page("pages/tasks_page.py").run()
    assert not at.get("form")  # no status update form for a leader
    at.switch_page("pages/whatif_page.py").run()
    assert not [b for b in at.button if b.label == "保存情景"]


def test_admin_page_adds_a_user_and_shows_the_audit(url, app_on):
    at = app_on(url)("zh", roles=("admin",)).run()
    at.switch_page("pages/admin_page.py").run()
    assert not at.exception, at.exception
    at.text_input(key="new_name").set_value("xa-stat")
    at.multiselect(key="new_roles").set_value(["statistician"])
    at.text_input(key="new_password").set_value("long-enough-1")
    at.button(key="FormSubmitter:add_user-创建").click().run()
    assert at.error[0].value == "统计人员须指定至少一个填报地区"
    at.text_input(key="new_password").set_value("short")
    at.multiselect(key="new_regions").set_value(["610100"])
    at.button(key="FormSubmitter:add_user-创建").click().run()
    assert at.error[0].value == "密码太短：5 个字符，至少 10 个"
    assert users.load_principal(store.get_engine(url), "xa-stat") is None
    at.text_input(key="new_password").set_value("long-enough-1")
    at.button(key="FormSubmitter:add_user-创建").click().run()
    assert at.success[0].value == "已完成：已创建用户 xa-stat"
    who = users.load_principal(store.get_engine(url), "xa-stat")
    assert who.regions == ("610100",) and who.roles == frozenset({"statistician"})
    table = at.dataframe[0].value
    assert "xa-stat" in set(table.iloc[:, 0]) and "西安市" in set(table.iloc[:, 2])
    (log,) = [d.value for d in at.dataframe if "时间（UTC）" in d.value.columns]
    assert list(log.columns) == ["时间（UTC）", "用户", "操作", "对象", "修改前", "修改后", "详情"]
    assert log.iloc[0]["操作"] == "新建用户" and log.iloc[0]["对象"] == "用户 xa-stat"


def _target_sets(url):
    from analytics.targets import target_sets
    from data.store.targets import read_target_sets, read_targets

    eng = store.get_engine(url)
    return target_sets(read_target_sets(eng), read_targets(eng)).set_index("name")


def test_admin_enters_a_target_set_after_2020_with_its_source(url, app_on):
    """No provincial target after 2020 is published: the page says so, and an admin enters
    one in a new set with its source; refusals name what is missing and write nothing."""
    at = app_on(url)("zh", roles=("admin",)).run()
    at.switch_page("pages/admin_page.py").run()
    assert not at.exception, at.exception
    assert any("2020年以后的省级目标未见公布" in c.value for c in at.caption)
    sets = at.dataframe[1].value
    assert list(sets["目标组"]) == [
        "2015年中期目标（2014—2020年规划）",
        "2020年目标（2014—2020年规划）",
    ]
    before = _target_sets(url)
    at.selectbox(key="tset_set").set_value("\u0000new").run()
    at.selectbox(key="tset_indicator").set_value("urbanization_rate").run()
    at.number_input(key="tset_value").set_value(70.0)
    at.selectbox(key="tset_period").set_value("2030Q4")
    at.text_input(key="tset_source").set_value("某规划（2026）：到2030年常住人口城镇化率达到70%")
    at.button(key="tset_save").click().run()
    assert at.error[0].value == "请填写新目标组的名称"
    at.text_input(key="tset_new_name").set_value("test-2030")
    at.text_input(key="tset_source").set_value("")
    at.button(key="tset_save").click().run()
    assert at.error[0].value == "目标须注明来源（文件及条款）"
    assert _target_sets(url).equals(before)  # nothing written by either refusal
    at.text_input(key="tset_source").set_value("某规划（2026）：到2030年常住人口城镇化率达到70%")
    at.text_input(key="tset_new_source").set_value("某规划（2026年1月）")
    at.button(key="tset_save").click().run()
    assert not at.exception, at.exception
    assert at.success[0].value == "已保存目标：test-2030 · 常住人口城镇化率 2030Q4"
    after = _target_sets(url)
    assert after.at["test-2030", "source"] == "某规划（2026年1月）"
    assert after.at["test-2030", "horizon"] == "2030Q4" and after.at["test-2030", "targets"] == 1
    targets = at.dataframe[2].value
    row = targets[targets["目标组"] == "test-2030"].iloc[0]
    assert row["目标值"] == "70.00%" and row["目标期"] == "2030Q4"
    (log,) = [d.value for d in at.dataframe if "时间（UTC）" in d.value.columns]
    assert list(log["操作"][:2]) == ["设定目标", "新建目标组"]
    assert list(log["对象"][:2]) == ["目标 常住人口城镇化率 陕西省 2030Q4", "目标组 test-2030"]
    # entering the same indicator and quarter again warns that it replaces the stored one
    at.selectbox(key="tset_set").set_value("test-2030").run()
    assert at.warning[0].value.startswith("目标组“test-2030”已有2030Q4的此项目标")


def test_html_in_a_task_note_is_shown_as_text(url, app_on):
    from analytics import tasks
    from tests.fixtures.actors import department

    note = '<img src=x onerror="alert(1)"><b>已部署</b> **粗体**'
    tasks.update_task(
        35, "in_progress", note, None, department("d", "省公安厅"), engine=store.get_engine(url)
    )
    at = app_on(url)("zh").run()
    at.switch_page("pages/tasks_page.py").run()
    assert not at.exception, at.exception
    history = next(d.value for d in at.dataframe if "说明" in d.value.columns)
    assert list(history.columns) == [
        "时间（UTC）",
        "任务序号",
        "状态",
        "说明",
        "佐证链接",
        "填报人",
    ]
    assert history["说明"].iloc[0] == note and history["状态"].iloc[0] == "进行中"
    shown = [m.value for m in at.markdown] + [c.value for c in at.caption]
    assert not any("<img" in v or "已部署" in v for v in shown)


def test_tasks_counts_follow_the_filters_and_the_evaluation_date(url, app_on):
    from datetime import date

    at = app_on(url)("zh").run()
    at.switch_page("pages/tasks_page.py").run()
    assert at.markdown[0].value.startswith("共 37 项")
    at.selectbox(key="task_department").set_value("省统计局").run()
    assert at.markdown[0].value.startswith("共 4 项")
    at.date_input(key="task_as_of").set_value(date(2015, 6, 30)).run()
    assert at.markdown[0].value == "共 4 项：已完成 0，进行中 0，未开始 4，已逾期 0"
    at.date_input(key="task_as_of").set_value(date(2016, 1, 1)).run()
    assert at.markdown[0].value.endswith("已逾期 2")  # tasks 1 and 11: due by the end of 2015
    columns = list(at.dataframe[0].value.columns)
    assert columns[:3] == ["序号", "状态", "期限"]


def test_single_sign_on_maps_the_identity_to_a_local_user(url, app_on, monkeypatch):
    """The identity provider is stubbed at its one boundary (ui.auth.sso_identity)."""
    import ui.auth

    monkeypatch.setenv("URBDASH_SSO_PROVIDER", "default")
    users.add_user(
        store.get_engine(url), SYSTEM, "wang", None, ["planner"], sso_subject="wang@shaanxi.gov.cn"
    )
    at = app_on(url)("zh", roles=None).run()
    assert any(b.label == "使用单位统一身份登录" for b in at.button)
    monkeypatch.setattr(ui.auth, "sso_identity", lambda: "wang@shaanxi.gov.cn")
    at.run()
    assert any(c.value == "已登录：wang（规划人员）" for c in at.sidebar.caption)
    monkeypatch.setattr(ui.auth, "sso_identity", lambda: "stranger@x.cn")
    at2 = app_on(url)("zh", roles=None).run()
    assert at2.title[0].value == "登录"
    assert at2.info[0].value == "统一身份 stranger@x.cn 尚未对应本平台账户，请联系管理员。"


def test_a_database_outage_is_one_clear_message_and_recovers(url, app_on, monkeypatch):
    """The database goes away under the running app (simulated at the store's edge): the page
    says so in one message, and the next run, the database back, draws the page again."""
    from sqlalchemy.exc import OperationalError

    from data.store import users as user_store

    at = app_on(url)("zh").run()
    assert not at.exception and at.title[0].value != "登录"
    real = user_store.load_principal

    def down(*a, **k):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    import ui.auth

    monkeypatch.setattr(ui.auth, "load_principal", down)
    at.run()
    assert not at.exception, at.exception
    assert at.error[0].value.startswith("数据库暂时无法连接（可能正在重启）")
    monkeypatch.setattr(ui.auth, "load_principal", real)
    at.run()
    assert not at.exception and not at.error and at.title[0].value != "登录"
