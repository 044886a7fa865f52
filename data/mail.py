"""Mail to the bureau's SMTP server (smtplib): the connection as the settings say (STARTTLS,
SSL or a plain local relay; a login when a user is set), the password from the environment or
a secrets file, never printed or logged."""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from data import settings
from data.refusal import Refusal

SECURITY = ("starttls", "ssl", "none")


class MailError(Refusal):
    """Mail cannot be sent as configured (the message names the setting, never the password)."""


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int
    security: str
    user: str
    sender: str

    @classmethod
    def from_settings(cls) -> MailServer:
        host = settings.get("smtp_host").strip()
        if not host:
            raise MailError(
                "未设置邮件服务器（URBDASH_SMTP_HOST）：只能用 --dry-run 查看将发送的提醒",
                "no mail server is set (URBDASH_SMTP_HOST): use --dry-run to list the reminders",
            )
        security = settings.get("smtp_security").strip().lower()
        if security not in SECURITY:
            raise MailError(
                f"URBDASH_SMTP_SECURITY 应为 {'、'.join(SECURITY)}，而不是 {security}",
                f"URBDASH_SMTP_SECURITY must be one of {', '.join(SECURITY)}, not {security}",
            )
        sender = settings.get("mail_from").strip()
        if not sender:
            raise MailError(
                "未设置发件人（URBDASH_MAIL_FROM）", "no sender is set (URBDASH_MAIL_FROM)"
            )
        try:
            port = int(settings.get("smtp_port"))
        except ValueError:
            raise MailError(
                "URBDASH_SMTP_PORT 不是端口号", "URBDASH_SMTP_PORT is not a port"
            ) from None
        return cls(host, port, security, settings.get("smtp_user").strip(), sender)


def _password() -> str | None:
    """URBDASH_SMTP_PASSWORD, else the first line of the file URBDASH_SMTP_PASSWORD_FILE."""
    if os.environ.get("URBDASH_SMTP_PASSWORD"):
        return os.environ["URBDASH_SMTP_PASSWORD"]
    path = os.environ.get("URBDASH_SMTP_PASSWORD_FILE")
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError):
            raise MailError(
                "读不到 URBDASH_SMTP_PASSWORD_FILE 指定的密码文件",
                "the password file URBDASH_SMTP_PASSWORD_FILE names cannot be read",
            ) from None
    return None


def send(
    server: MailServer, messages: list[EmailMessage], timeout: float | None = None
) -> list[str]:
    """Send ``messages`` over one connection; returns, per message, "" when accepted or the
    server's refusal. ``timeout``: default the ``smtp_timeout_s`` setting."""
    timeout = float(settings.get("smtp_timeout_s")) if timeout is None else timeout
    context = ssl.create_default_context()
    connect = smtplib.SMTP_SSL if server.security == "ssl" else smtplib.SMTP
    kwargs = {"context": context} if server.security == "ssl" else {}
    try:
        with connect(server.host, server.port, timeout=timeout, **kwargs) as smtp:
            if server.security == "starttls":
                smtp.starttls(context=context)
            if server.user:
                smtp.login(server.user, _password() or "")
            out = []
            for msg in messages:
                msg["From"] = server.sender
                try:
                    smtp.send_message(msg)
                    out.append("")
                except smtplib.SMTPException as exc:
                    out.append(f"{type(exc).__name__}: {exc}")
            return out
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(
            f"无法连接邮件服务器 {server.host}:{server.port}：{type(exc).__name__}",
            f"cannot use the mail server {server.host}:{server.port}: {type(exc).__name__}: {exc}",
        ) from None
