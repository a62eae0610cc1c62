"""Login sessions and emailed account tokens: what starts, renews and ends them.

Sessions start at login and are found on each request. A password reset or change, or a
suspension, ends every session and every outstanding token of the person together.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, select, update

from network.auth.models import AccountToken, LoginSession, Person, Role, TokenPurpose
from network.auth.passwords import hash_password, verify_password
from network.core import audit
from network.core.db import UTCDateTime
from network.core.forms import Refused
from network.core.i18n import recipient_locale
from network.core.links import absolute_url
from network.core.mail import queue_email
from network.core.time import now
from network.core.tokens import hash_token, new_token
from network.extensions import db, login_manager


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_person(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == normalise_email(email)))


# What every page wants to know about the person asking (unread notifications, a posting
# pause), asked in the same query that finds their session: {name: (person id) -> a scalar
# subquery}. Features register theirs with viewer_fact(); person.facts holds the answers. A
# subquery that needs the time uses AT_NOW, bound when the query runs.
VIEWER_FACTS: dict[str, Callable[[Any], Any]] = {}
AT_NOW = bindparam("at_now", type_=UTCDateTime)
_session_query: dict[tuple[str, ...], Any] = {}


def viewer_fact(name: str, subquery: Callable[[Any], Any]) -> None:
    VIEWER_FACTS[name] = subquery


def session_query(names: tuple[str, ...]):
    """The query that finds a login session and the facts, built once: every logged-in
    request runs it, and building it anew cost more than running it."""
    if names not in _session_query:
        _session_query[names] = select(
            LoginSession,
            *(VIEWER_FACTS[name](LoginSession.person_id).label(name) for name in names),
        ).where(LoginSession.token_hash == bindparam("token_hash"),
                LoginSession.revoked_at.is_(None), LoginSession.expires_at > AT_NOW)
    return _session_query[names]


@login_manager.user_loader
def load_person(token: str) -> Person | None:
    names = tuple(VIEWER_FACTS)
    row = db.session.execute(session_query(names),
                             {"token_hash": hash_token(token), "at_now": now()}).first()
    if row is None or not row[0].person.is_active:
        return None
    person = row[0].person
    person.session_token = token
    person.facts = dict(zip(names, row[1:], strict=True))
    return person


def start_session(person: Person, remember: bool = False,
                  lifetime: timedelta | None = None) -> None:
    """Log in with a fresh session: nothing from before login survives into it."""
    session.clear()
    moment = now()
    if lifetime is None:
        lifetime = (current_app.config["REMEMBER_COOKIE_DURATION"] if remember
                    else current_app.config["SESSION_LIFETIME"])
    raw, hashed = new_token()
    db.session.add(LoginSession(
        person_id=person.id, token_hash=hashed, expires_at=moment + lifetime,
        ip=request.remote_addr, user_agent=(request.user_agent.string or "")[:200],
    ))
    person.last_login_at = moment
    person.session_token = raw
    login_user(person, remember=remember, duration=lifetime)


def end_session(person: Person) -> None:
    if person.session_token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == hash_token(person.session_token))
            .values(revoked_at=now())
        )
    session.clear()
    logout_user()


def revoke_sessions(person: Person) -> None:
    """End every login of this person, on every device."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.person_id == person.id, LoginSession.revoked_at.is_(None))
        .values(revoked_at=now()))


def renew_session(person: Person) -> None:
    """End every login of this person, then carry on here under a new token: a cookie copied
    before (or the session it named) is worth nothing afterwards."""
    current = db.session.scalar(select(LoginSession).where(
        LoginSession.token_hash == hash_token(person.session_token or "")))
    remember = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
    lifetime = (current.expires_at - now() if current is not None
                else current_app.config["SESSION_LIFETIME"])
    revoke_sessions(person)
    start_session(person, remember=remember, lifetime=max(lifetime, timedelta(minutes=5)))


def end_everything(person: Person) -> None:
    """After a password reset or a suspension: every session and emailed link of this person
    stops working at once."""
    revoke_sessions(person)
    cancel_tokens(person)


# --- links sent by email: password reset, change of address ---------------------------------

def issue_token(person: Person, purpose: TokenPurpose, valid_for: timedelta,
                new_email: str | None = None) -> str:
    """A new single-use token; the raw value goes in the link, only its hash is kept."""
    raw, hashed = new_token()
    db.session.add(AccountToken(person_id=person.id, purpose=purpose, token_hash=hashed,
                                new_email=new_email,
                                expires_at=now() + valid_for))
    return raw


def usable_token(raw: str, purpose: TokenPurpose) -> AccountToken | None:
    return db.session.scalar(select(AccountToken).where(
        AccountToken.token_hash == hash_token(raw), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None), AccountToken.cancelled_at.is_(None),
        AccountToken.expires_at > now()))


def use_token(token: AccountToken) -> bool:
    """Mark a token used; False if another request used (or cancelled) it first."""
    used = db.session.execute(
        update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None),
                                   AccountToken.cancelled_at.is_(None))
        .values(used_at=now()))
    return used.rowcount == 1


def spend(token: AccountToken) -> None:
    """Use a token, or refuse: another request used (or cancelled) it first."""
    if not use_token(token):
        raise Refused(_("This link has been used already."))


def cancel_tokens(person: Person, *purposes: TokenPurpose) -> None:
    """End this person's outstanding tokens: of the purposes given, or all of them (their
    reply-by-email addresses too)."""
    query = (update(AccountToken)
             .where(AccountToken.person_id == person.id, AccountToken.used_at.is_(None),
                    AccountToken.cancelled_at.is_(None))
             .values(cancelled_at=now()))
    if purposes:
        query = query.where(AccountToken.purpose.in_(purposes))
    else:
        person.reply_generation += 1
    db.session.execute(query)


def safe_next(target: str | None) -> str | None:
    """A `next` address only if it stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def this_address() -> str | None:
    """The address asked for, as a `next`: its path and query (no empty "?"), never a host;
    None if the login would not take it."""
    query = request.query_string.decode("utf-8", "replace")
    return safe_next(quote(request.path, safe="/:@!$&'()*+,;=") + (f"?{query}" if query else ""))


@login_manager.unauthorized_handler
def ask_to_log_in():
    """A visitor opening a page for members is sent to log in (`why=members`: the login
    page says the page is for members), and brought back to it."""
    return redirect(url_for("auth.login", next=this_address(), why="members"))


# --- the account's own changes: each a service, the caller commits once ---------------------

def request_password_reset(person: Person) -> None:
    raw = issue_token(person, TokenPurpose.PASSWORD_RESET,
                      current_app.config["RESET_VALID_FOR"])
    queue_email(person.email, _l("Reset your password"), "email/password_reset.txt",
                person=person, link=absolute_url("auth.reset_password", token=raw),
                locale=recipient_locale(person))


def reset_password(token: AccountToken, password: str) -> None:
    """Uses the reset token: every other link and login ends, and the person carries on
    logged in here."""
    spend(token)
    person = token.person
    person.password_hash = hash_password(password)
    end_everything(person)
    audit.record("person.password_reset", person, "Reset their password",
                 actor=person)
    start_session(person)


def check_password(person: Person, current_password: str) -> None:
    if not verify_password(person.password_hash, current_password):
        raise Refused(_("That is not your current password."), "current_password")


def change_password(person: Person, current_password: str, password: str) -> None:
    """A new password ends every other login and every emailed link; this device carries on
    under a new session token."""
    check_password(person, current_password)
    person.password_hash = hash_password(password)
    cancel_tokens(person)
    renew_session(person)
    audit.record("person.password_change", person, "Changed their password",
                 actor=person)
    queue_email(person.email, _l("Your password was changed"), "email/password_changed.txt",
                person=person, reset=absolute_url("auth.forgot_password"),
                locale=recipient_locale(person))


def log_out_elsewhere(person: Person) -> None:
    renew_session(person)
    person.reply_generation += 1


def request_email_change(person: Person, current_password: str, new_email: str) -> None:
    """Email a confirmation link to the new address and, to the old one, a notice with a link
    that stops the change. Any earlier request, and any reset link, ends."""
    check_password(person, current_password)
    if new_email == person.email:
        raise Refused(_("That is already your email address."), "email")
    if find_person(new_email) is not None:
        raise Refused(_("Another account already uses that email address."), "email")
    cancel_tokens(person)
    valid_for = current_app.config["EMAIL_CHANGE_VALID_FOR"]
    confirm = issue_token(person, TokenPurpose.EMAIL_CHANGE, valid_for, new_email=new_email)
    stop = issue_token(person, TokenPurpose.EMAIL_CHANGE_CANCEL, valid_for)
    queue_email(new_email, _l("Confirm your new email address"), "email/confirm_email.txt",
                person=person, link=absolute_url("auth.confirm_email", token=confirm),
                locale=recipient_locale(person))
    queue_email(person.email, _l("Your email address is being changed"),
                "email/email_change_notice.txt", person=person, new_email=new_email,
                locale=recipient_locale(person),
                cancel=absolute_url("auth.cancel_email_change", token=stop))


def confirm_email_change(person: Person, token: AccountToken) -> bool:
    """Uses the confirmation token, by the person logged in. False, and nothing written, when
    another account has taken the new address since."""
    new_email = token.new_email
    if find_person(new_email) is not None:
        return False
    spend(token)
    person.email = new_email
    cancel_tokens(person)
    # What was done, not the addresses (the person's own details; docs/decisions.md).
    audit.record("person.email_change", person, "Changed their email address", actor=person)
    return True


def cancel_email_change(token: AccountToken) -> None:
    """From the link in the notice to the old address: the change stops, and whoever asked for
    it (they were logged in) is logged out everywhere."""
    spend(token)
    person = token.person
    end_everything(person)
    audit.record("person.email_change_cancel", person,
                 "Stopped a change of their email address", actor=person)


def update_profile(person: Person, display_name: str, show_email_to_members: bool,
                   name_public: bool) -> None:
    """Their name, and who sees it and their email address (core.names.who)."""
    person.display_name = display_name
    person.show_email_to_members = show_email_to_members
    person.name_public = name_public


def choose_language(person: Person, code: str) -> None:
    """Their pages and email in this language from now on, on every device."""
    person.locale = code


# --- what coordinators do to a person's account ----------------------------------------------

def set_role(person: Person, role: Role, by: Person) -> bool:
    """False, and nothing written, when they already have that role."""
    if role == person.role:
        return False
    old = person.role
    person.role = role
    audit.record("person.role", person, f"Role: {old.value} → {role.value}",
                 actor=by, old=old.value, new=role.value)
    return True


def suspend(person: Person, reason: str, by: Person) -> bool:
    """Logged out everywhere, every emailed link dead, and told why by email. False, and
    nothing written, when already suspended."""
    if person.suspended_at is not None:
        return False
    person.suspended_at = now()
    person.suspended_reason = reason
    end_everything(person)
    audit.record("person.suspend", person, "Suspended", actor=by,
                 reason=reason)
    queue_email(person.email, _l("Your account is suspended"), "email/account_suspended.txt",
                person=person, locale=recipient_locale(person))
    return True


def reinstate(person: Person, by: Person) -> bool:
    """False, and nothing written, when they were not suspended."""
    if person.suspended_at is None:
        return False
    person.suspended_at = None
    person.suspended_reason = None
    audit.record("person.reinstate", person, "Reinstated", actor=by)
    return True
