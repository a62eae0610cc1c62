"""Logging in and asking for a reset link, held back after too many attempts (see
docs/decisions.md). The failed attempts are counted in the request's own transaction, so a
failed login still commits: it answers with no person rather than a refusal."""

from __future__ import annotations

import hashlib

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from network.auth.models import Person
from network.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from network.auth.services import find_person, request_password_reset, start_session
from network.core import throttle
from network.core.forms import Refused


def minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


class Hold:
    """How long a form is held back, once a refusal said so: its page answers 429 with
    Retry-After."""

    wait = 0

    def check(self, wait: int, message: str, field: str = "") -> None:
        if wait:
            self.wait = wait
            raise Refused(message, field)

    def answer(self, response):
        if self.wait:
            response.status_code = 429
            response.headers["Retry-After"] = str(self.wait)
        return response


class LoginKeys:
    """The counts of failed logins that may hold back an attempt.

    An account that failed too often is held only for the addresses that failed on it, so a
    stranger cannot keep its owner out; past a higher ceiling it is held everywhere (a
    password reset still lets the owner in). One address failing on many accounts is held too.
    """

    def __init__(self, email: str, address: str | None) -> None:
        self.config = current_app.config
        self.account = f"login:account:{email}"
        self.account_everywhere = f"login:account-all:{email}"
        self.pair = "login:pair:" + hashlib.sha256(f"{email} {address}".encode()).hexdigest()
        self.address = f"login:address:{address}"

    def seconds_blocked(self) -> int:
        config = self.config
        waits = [throttle.seconds_blocked(self.address, config["LOGIN_LIMIT_PER_ADDRESS"]),
                 throttle.seconds_blocked(self.account_everywhere,
                                          config["LOGIN_CEILING_PER_ACCOUNT"])]
        if throttle.attempts(self.pair, config["LOGIN_LIMIT_PER_ACCOUNT"]):
            waits.append(throttle.seconds_blocked(self.account,
                                                  config["LOGIN_LIMIT_PER_ACCOUNT"]))
        return max(waits)

    def failed(self) -> None:
        config = self.config
        throttle.hit(self.account, config["LOGIN_LIMIT_PER_ACCOUNT"])
        throttle.hit(self.pair, config["LOGIN_LIMIT_PER_ACCOUNT"])
        throttle.hit(self.account_everywhere, config["LOGIN_CEILING_PER_ACCOUNT"])
        throttle.hit(self.address, config["LOGIN_LIMIT_PER_ADDRESS"])

    def succeeded(self) -> None:
        # Only this address starts afresh: a stranger's failures elsewhere still count.
        throttle.clear(self.pair)


def log_in(email: str, password: str, remember: bool, address: str | None,
           hold: Hold) -> Person | None:
    """The person now logged in, or None (counted) when the address and password do not
    match. Refused, with nothing counted, when held back or suspended."""
    keys = LoginKeys(email, address)
    wait = keys.seconds_blocked()
    hold.check(wait, ngettext(
        "Too many failed attempts to log in. For your safety, wait %(num)d minute "
        "and try again, or reset your password.",
        "Too many failed attempts to log in. For your safety, wait %(num)d minutes "
        "and try again, or reset your password.",
        minutes(wait)))
    person = find_person(email)
    password_ok = verify_password(person.password_hash if person else dummy_hash(), password)
    # A closed account's password matches nothing; its placeholder address logs no one in.
    if person is None or not password_ok or person.is_closed:
        keys.failed()
        return None
    if not person.is_active:
        raise Refused(_("This account is suspended. Contact the coordinators if you think that "
                        "is a mistake."), "email")
    keys.succeeded()
    if needs_rehash(person.password_hash):
        person.password_hash = hash_password(password)
    start_session(person, remember=remember)
    return person


def ask_for_reset(email: str, address: str | None, hold: Hold) -> None:
    """Email a reset link if the address has an active account; every request counts."""
    limit = current_app.config["RESET_LIMIT_PER_ADDRESS"]
    keys = (f"reset:address:{address}", f"reset:account:{email}")
    wait = max(throttle.seconds_blocked(key, limit) for key in keys)
    hold.check(wait, ngettext("Too many requests. Wait %(num)d minute and try again.",
                              "Too many requests. Wait %(num)d minutes and try again.",
                              minutes(wait)), "email")
    for key in keys:
        throttle.hit(key, limit)
    person = find_person(email)
    if person is not None and person.is_active and not person.is_closed:
        request_password_reset(person)
