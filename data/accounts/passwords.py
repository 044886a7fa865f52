"""Passwords: argon2id hashes (argon2-cffi's defaults, RFC 9106's second recommended set) and
the rules a new password must meet, stated once for the form, the CLI and the store."""

from __future__ import annotations

import secrets
import string
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from data.refusal import Refusal

MIN_LENGTH = 10
RULES = {
    "zh": f"密码至少 {MIN_LENGTH} 个字符，须同时包含字母和数字，且不能与用户名相同。",
    "en": f"At least {MIN_LENGTH} characters, with both letters and digits, not the user name.",
}
_HASHER = PasswordHasher()


class PasswordRejected(Refusal):
    """A new password that breaks ``RULES``."""


def check_rules(password: str, user: str) -> None:
    """Raise PasswordRejected unless ``password`` meets ``RULES``."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(
            f"密码太短：{len(password)} 个字符，至少 {MIN_LENGTH} 个",
            f"Password too short: {len(password)} characters, at least {MIN_LENGTH}",
        )
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        raise PasswordRejected("密码须同时包含字母和数字", "The password needs letters and digits")
    if password.strip().lower() == user.strip().lower():
        raise PasswordRejected("密码不能与用户名相同", "The password must not be the user name")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False for no hash or a malformed one)."""
    if not stored_hash:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _HASHER.hash(secrets.token_urlsafe(16))


def verify_nobody(password: str) -> bool:
    """A check as costly as ``verify`` for a name that has no account (or no password), so
    that the time of an answer does not tell which names exist. Always False."""
    verify(_dummy_hash(), password)
    return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


def random_password(length: int = 16) -> str:
    """A random password that meets the rules (letters and digits, from ``secrets``)."""
    alphabet = string.ascii_letters + string.digits
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if any(c.isalpha() for c in pw) and any(c.isdigit() for c in pw):
            return pw
