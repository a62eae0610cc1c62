"""Password hashing (argon2id) and the rules a new password must pass."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _

MIN_LENGTH = 10
MAX_LENGTH = 200


@cache
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost,
                          parallelism=parallelism, type=Type.ID)


def hasher() -> PasswordHasher:
    config = current_app.config
    return _hasher(config["ARGON2_TIME_COST"], config["ARGON2_MEMORY_COST"],
                   config["ARGON2_PARALLELISM"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


# Verified against when no account matches, so a wrong address costs as long as a wrong password.
@cache
def dummy_hash() -> str:
    return hash_password("not a real password, only here to take time")


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common_passwords.txt")
    lines = path.read_text().splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def password_problem(password: str, *personal: str) -> str | None:
    """Why this password will not do, in words a volunteer understands; None if it will."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)d characters. A few ordinary words together work well.",
                 n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)d characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in common_passwords():
        return _("That is one of the most common passwords, so it is easy to guess. "
                 "Try a few ordinary words together.")
    if len(set(lowered)) < 4:
        return _("That repeats too few different characters to be hard to guess.")
    for value in personal:
        part = (value or "").lower().split("@")[0].strip()
        if len(part) >= 4 and part in lowered:
            return _("Do not use your name or email address in your password.")
    return None
