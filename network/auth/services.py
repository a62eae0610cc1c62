"""Login sessions: started at login, found on each request, revoked at logout or suspension."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask_login import login_user, logout_user
from sqlalchemy import select, update

from network.auth.models import LoginSession, Person
from network.core.tokens import hash_token, new_token
from network.extensions import db, login_manager


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_person(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == normalise_email(email)))


@login_manager.user_loader
def load_person(token: str) -> Person | None:
    login = db.session.scalar(
        select(LoginSession).where(
            LoginSession.token_hash == hash_token(token),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > datetime.now(UTC),
        )
    )
    if login is None or not login.person.is_active:
        return None
    login.person.session_token = token
    return login.person


def start_session(person: Person, remember: bool = False) -> None:
    """Log in with a fresh session: nothing from before login survives into it."""
    session.clear()
    now = datetime.now(UTC)
    lifetime = (current_app.config["REMEMBER_COOKIE_DURATION"] if remember
                else current_app.config["SESSION_LIFETIME"])
    raw, hashed = new_token()
    db.session.add(LoginSession(
        person_id=person.id, token_hash=hashed, expires_at=now + lifetime,
        ip=request.remote_addr, user_agent=(request.user_agent.string or "")[:200],
    ))
    person.last_login_at = now
    person.session_token = raw
    login_user(person, remember=remember, duration=lifetime)


def end_session(person: Person) -> None:
    if person.session_token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == hash_token(person.session_token))
            .values(revoked_at=datetime.now(UTC))
        )
    session.clear()
    logout_user()


def revoke_sessions(person: Person, keep_current: bool = False) -> None:
    """End every login of this person (on every device), or every other one."""
    query = (update(LoginSession)
             .where(LoginSession.person_id == person.id, LoginSession.revoked_at.is_(None))
             .values(revoked_at=datetime.now(UTC)))
    if keep_current and person.session_token:
        query = query.where(LoginSession.token_hash != hash_token(person.session_token))
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
