"""Reminders through a real local SMTP server (aiosmtpd), on both databases: the stages around
the due day, each sent once per office and quarter, in the recipient's language, to the office
or (late enough) its city; a login whose password never shows; a dry run that sends and keeps
nothing; a missing server refused with its message."""

from __future__ import annotations

import email
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from sqlalchemy import func, select

from cli.main import main
from data import store
from data.intake.ingest import ingest
from data.store import users
from data.store.bootstrap import init_store
from data.store.models import Reminder
from tests.fixtures import workbooks as wb
from tests.fixtures.actors import SYSTEM

Q = "2026Q3"  # due 2026-10-20 (the quarter's end + 20 days)
SECRET = "smtp-Secret-4711"


class Inbox:
    def __init__(self):
        self.mails: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        msg["X-Envelope-To"] = ",".join(envelope.rcpt_tos)
        self.mails.append(msg)
        return "250 OK"


def _login(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == SECRET.encode()
    return AuthResult(success=ok)


def smtp_port() -> str:
    import os

    return os.environ["URBDASH_SMTP_PORT"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(monkeypatch):
    inbox = Inbox()
    port = free_port()
    ctl = Controller(
        inbox, hostname="127.0.0.1", port=port, authenticator=_login, auth_require_tls=False
    )
    ctl.start()
    monkeypatch.setenv("URBDASH_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("URBDASH_SMTP_PORT", str(port))
    monkeypatch.setenv("URBDASH_SMTP_SECURITY", "none")
    monkeypatch.setenv("URBDASH_SMTP_USER", "urbdash")
    monkeypatch.setenv("URBDASH_SMTP_PASSWORD", SECRET)
    monkeypatch.setenv("URBDASH_MAIL_FROM", "统计平台 <noreply@tjj.example>")
    monkeypatch.setenv("URBDASH_APP_URL", "https://urbdash.example/")
    yield inbox
    ctl.stop()


@pytest.fixture
def office(engine, db_url, tmp_path, monkeypatch):
    """A store where 铜川市 reported 2026Q3 except 王益区; 王益区's statistician reads English,
    铜川市's and the province's Chinese; nobody else has an address."""
    monkeypatch.setenv("URBDASH_DATABASE_URL", db_url)
    monkeypatch.setenv("URBDASH_VAR_DIR", str(tmp_path / "var"))
    init_store(engine)
    rows = wb.county_rows(["610203", "610204", "610222"])
    report = ingest(
        wb.standard(rows=rows, title="2026年第三季度农业转移人口落户情况统计表"), "q.xlsx",
        user=SYSTEM, engine=engine, today="2026Q4", accept_warnings=True,
    )  # fmt: skip
    assert report.status == "committed", report.errors
    for name, region, address, lang in (
        ("wy-stat", "610202", "wangyi@tc.example", "en"),
        ("tc-stat", "610200", "city@tc.example", "zh"),
        ("sx-stat", "610000", "province@sx.example", None),
        ("bj-stat", "610300", None, None),
    ):
        users.add_user(engine, SYSTEM, name, "pass-word-2026", ["statistician"], [region])
        if address:
            users.set_contact(engine, SYSTEM, name, address, lang)
    yield engine
    store.clear_engines()


def remind(*args):
    out = CliRunner().invoke(main, ["remind", *args])
    return out


def sent(engine) -> int:
    with store.reader(engine) as s:
        return s.scalar(select(func.count()).select_from(Reminder))


def to(inbox) -> list[tuple[str, str]]:
    return sorted((m["To"], m["Subject"]) for m in inbox.mails)


def test_stages_once_each_to_the_office_then_its_city(office, smtp):
    early = remind("--today", "2026-10-16")
    assert early.exit_code == 0 and smtp.mails == []
    assert early.output.startswith("nothing to send\n")
    before = remind("--today", "2026-10-17")
    assert before.exit_code == 0, before.output
    assert to(smtp) == [
        ("province@sx.example", "【陕西城镇化监测】2026Q3 季度报表将于 2026-10-20 截止"),
        ("wangyi@tc.example", "[Shaanxi urbanization] The 2026Q3 return is due on 2026-10-20"),
    ]
    english = next(m for m in smtp.mails if m["To"] == "wangyi@tc.example")
    assert english["From"] == "统计平台 <noreply@tjj.example>"
    body = english.get_content()
    assert "Dear wy-stat," in body
    assert "The 2026Q3 return of Wangyi District has not been submitted yet; it is due on " \
        "2026-10-20 (in 3 days)." in body  # fmt: skip
    assert "Submit here: https://urbdash.example/returns" in body
    chinese = next(m for m in smtp.mails if m["To"] == "province@sx.example").get_content()
    assert "杨凌示范区 的 2026Q3 季度报表尚未上报，截止日期为 2026-10-20（还有 3 天）" in chinese
    assert SECRET not in before.output
    from geo.regions import load_registry

    reg = load_registry()
    unreached = int((reg.level == "county").sum()) - 3 - 2  # 3 reported, 王益区 and 杨凌 reached
    assert f"{unreached} office-quarter(s) due a reminder have no statistician" in before.output
    # the same day again, and the day after: that stage is never sent twice
    n = len(smtp.mails)
    again = remind("--today", "2026-10-18")
    assert again.output.startswith("nothing to send") and len(smtp.mails) == n
    # several days missed: only the latest stage due is sent
    late = remind("--today", "2026-10-26")
    assert [m["Subject"] for m in smtp.mails[n:] if m["To"] == "wangyi@tc.example"] == [
        "[Shaanxi urbanization] The 2026Q3 return is overdue"
    ]
    assert (
        "is 6 days overdue (it was due on 2026-10-20)"
        in [m for m in smtp.mails[n:] if m["To"] == "wangyi@tc.example"][0].get_content()
    )
    assert late.exit_code == 0
    n = len(smtp.mails)
    remind("--today", "2026-10-30")
    escalated = sorted((m["To"], m["Subject"]) for m in smtp.mails[n:])
    assert escalated == [
        ("city@tc.example", "【陕西城镇化监测】2026Q3 季度报表逾期未报，请督促"),
        ("province@sx.example", "【陕西城镇化监测】2026Q3 季度报表逾期未报，请督促"),
    ]
    city = next(m for m in smtp.mails[n:] if m["To"] == "city@tc.example").get_content()
    assert "以下 1 个县区的 2026Q3 季度报表已逾期 10 天仍未上报（截止 2026-10-20）：王益区" in city
    log = store_log(office)
    assert set(log.status) == {"sent"}
    # 王益区 and 杨凌示范区 (whose city is the province) each had three stages, once each
    assert sorted(zip(log.region_code, log.stage, strict=True)) == [
        (code, stage) for code in ("610202", "610403") for stage in ("before", "escalate", "late")
    ]


def store_log(engine):
    from data.store.reminders import read_log

    return read_log(engine)


def test_a_dry_run_sends_and_keeps_nothing(office, smtp):
    out = remind("--today", "2026-10-20", "--dry-run")
    assert out.exit_code == 0, out.output
    assert "dry-run: 2026Q3 due -> wangyi@tc.example (en): Wangyi District" in out.output
    assert smtp.mails == [] and sent(office) == 0


def test_no_mail_server_is_refused_and_nothing_kept(office, monkeypatch):
    monkeypatch.setenv("URBDASH_SMTP_HOST", "")
    out = remind("--today", "2026-10-20")
    assert out.exit_code == 1
    assert out.stderr == (
        "urbdash: error: 未设置邮件服务器（URBDASH_SMTP_HOST）：只能用 --dry-run 查看将发送的提醒\n"
    )
    assert sent(office) == 0


def test_a_wrong_password_fails_the_stage_and_a_later_run_sends_it(office, smtp, monkeypatch):
    monkeypatch.setenv("URBDASH_SMTP_PASSWORD", "wrong")
    monkeypatch.setenv("URBDASH_SMTP_TIMEOUT_S", "2")  # the server hangs up after a failed login
    out = remind("--today", "2026-10-20")
    port = smtp_port()
    assert out.exit_code == 1 and "wrong" not in out.output + out.stderr
    assert out.stderr.startswith(f"urbdash: error: 无法连接邮件服务器 127.0.0.1:{port}：SMTP")
    assert smtp.mails == []
    assert set(store_log(office).status) == {"failed"}
    monkeypatch.setenv("URBDASH_SMTP_PASSWORD", SECRET)
    ok = remind("--today", "2026-10-20")
    assert ok.exit_code == 0 and len(smtp.mails) == 2
    assert set(store_log(office).status) == {"sent"}


def test_a_bad_email_address_is_refused(office):
    from data.typed_text import TextRejected

    with pytest.raises(TextRejected) as err:
        users.set_contact(office, SYSTEM, "bj-stat", "not an address")
    assert err.value.message("zh") == "电子邮箱格式不正确：not an address"
    assert users.contacts(office).name.tolist().count("bj-stat") == 0
