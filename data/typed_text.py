"""Text that people type, on the way in: names, notes, sources, comments, e-mail addresses and
links are checked for length and control characters, and an evidence link must be a
well-formed http(s) URL without quotes or angle brackets (``clean_text``, ``clean_url``); a
refusal (``TextRejected``) says which field and why, in both languages. The store and the pages
apply these same rules.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from data.refusal import Refusal

# the longest of each kind of typed text
MAX_LENGTH = {
    "user": 40,
    "note": 2000,
    "evidence": 500,
    "source": 500,
    "scenario": 120,
    "set": 60,
    "department": 80,
    "filename": 255,
    "user_sso": 200,
    "comment": 1000,
    "reason": 1000,
    "email": 200,
}


FIELD_NAMES = {
    "user": ("用户名", "user name"),
    "set": ("目标组名称", "target set name"),
    "note": ("说明", "note"),
    "evidence": ("佐证链接", "evidence link"),
    "source": ("来源", "source"),
    "scenario": ("情景名称", "scenario name"),
    "department": ("部门", "department"),
    "filename": ("文件名", "file name"),
    "user_sso": ("单点登录身份", "single sign-on identity"),
    "comment": ("意见", "comment"),
    "reason": ("理由", "reason"),
    "email": ("电子邮箱", "e-mail address"),
}


_URL_FORBIDDEN = re.compile(r"[\s\"'<>`\\{}|^]")


# user names: letters (any script), digits, and . _ - only, so a name is never markup or a path
_USER_NAME = re.compile(r"^[\w.\-]+$")


class TextRejected(Refusal):
    """Typed text that may not be stored; the message says which field and why."""

    def __init__(self, field: str, zh: str, en: str):
        super().__init__(zh, en)
        self.field = field


def _label(field: str) -> tuple[str, str]:
    return FIELD_NAMES.get(field, (field, field))


def clean_text(value: object, field: str, required: bool = False) -> str | None:
    """``value`` stripped; None when empty and not ``required``. Refused (TextRejected) when
    longer than ``MAX_LENGTH[field]`` or holding a control character (a line break is allowed
    in a note only)."""
    zh, en = _label(field)
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise TextRejected(field, f"{zh}不能为空", f"The {en} must not be empty")
        return None
    limit = MAX_LENGTH.get(field, 200)
    if len(text) > limit:
        raise TextRejected(
            field,
            f"{zh}过长：{len(text)} 个字符，最多 {limit} 个",
            f"The {en} is too long: {len(text)} characters, at most {limit}",
        )
    allowed = "\n" if field == "note" else ""
    bad = next((c for c in text if unicodedata.category(c)[0] == "C" and c not in allowed), None)
    if bad is not None:
        code = f"U+{ord(bad):04X}"
        raise TextRejected(
            field,
            f"{zh}含有控制字符（{code}），请删除后重试",
            f"The {en} holds a control character ({code}); remove it and try again",
        )
    return text


def clean_user_name(value: object) -> str:
    """A user name: required, at most 40 characters of letters, digits, ``.``, ``_``, ``-``."""
    name = clean_text(value, "user", required=True)
    if not _USER_NAME.match(name):
        raise TextRejected(
            "user",
            "用户名只能包含文字、数字、点、下划线和连字符",
            "A user name may hold only letters, digits, '.', '_' and '-'",
        )
    return name


def clean_url(value: object, field: str = "evidence") -> str | None:
    """A well-formed http(s) URL with a host and no quotes, angle brackets or spaces; None when
    empty."""
    text = clean_text(value, field)
    if text is None:
        return None
    zh, en = _label(field)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise TextRejected(
            field,
            f"{zh}须为以 http:// 或 https:// 开头的完整网址",
            f"The {en} must be a full web address starting with http:// or https://",
        )
    if _URL_FORBIDDEN.search(text):
        raise TextRejected(
            field,
            f"{zh}不能含有空格、引号或尖括号",
            f"The {en} must not hold spaces, quotes or angle brackets",
        )
    return text


def clean_email(value: object) -> str | None:
    """An e-mail address as typed, checked for its form (email-validator; no DNS lookup) and
    normalised (the domain in lower case); None when empty. Refused (TextRejected) otherwise."""
    from email_validator import EmailNotValidError, validate_email

    text = clean_text(value, "email")
    if text is None:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise TextRejected(
            "email",
            f"电子邮箱格式不正确：{text}",
            f"The e-mail address is not valid: {text} ({exc})",
        ) from None


def file_stem(text: object, limit: int = 60) -> str:
    """A name typed by a user as part of a download's file name: letters and digits of any
    script kept, every other run of characters one hyphen, at most ``limit`` characters
    ("西安 情景/2020" -> "西安-情景-2020"); empty when nothing is left."""
    import re
    import unicodedata

    plain = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return re.sub(r"[^\w]+|_+", "-", plain).strip("-")[:limit].strip("-")
