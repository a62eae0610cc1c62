"""Keep no more than needed: what holds personal details and has no use after a while is
removed (or blanked) by the daily `retention` job (network/tasks.py), each kind after the
period its RETAIN_* setting gives (docs/decisions.md, 2026-12-06 "How long each kind is
kept"). Each function works in bounded batches, committing each, and returns how many rows
it removed or blanked; rows still in use (a live session, a pending link, mail not yet sent)
are never touched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Select, delete, or_, select, update

from network.auth.models import AccountToken, LoginSession
from network.core.mail import OutboxEmail
from network.core.throttle import ThrottleHit
from network.core.time import now
from network.extensions import db
from network.mailin.models import MailNotice, ReceivedMail
from network.members.models import Invitation
from network.privacy.models import DataExport

BATCH = 500  # rows a statement touches at most; each batch is its own transaction


def cutoff(setting: str) -> datetime:
    """The moment before which this kind has been kept long enough."""
    return now() - timedelta(days=current_app.config[setting])


def _delete_in_batches(model, ids: Select) -> int:
    """Delete the rows whose ids the query finds, BATCH at a time, until none is left."""
    removed = 0
    while found := list(db.session.scalars(ids.limit(BATCH))):
        db.session.execute(delete(model).where(model.__mapper__.primary_key[0].in_(found)))
        db.session.commit()
        removed += len(found)
    return removed


def throttle_hits() -> int:
    """Login-limit hits (their keys hold addresses): they count only within their window (a
    day at most); kept RETAIN_THROTTLE_DAYS to look back at an attack."""
    return _delete_in_batches(ThrottleHit, select(ThrottleHit.id).where(
        ThrottleHit.at < cutoff("RETAIN_THROTTLE_DAYS")))


def sessions() -> int:
    """Login sessions (device, address) ended, by logging out or expiring, more than
    RETAIN_SESSIONS_DAYS ago. Live ones are never touched."""
    before = cutoff("RETAIN_SESSIONS_DAYS")
    return _delete_in_batches(LoginSession, select(LoginSession.id).where(
        or_(LoginSession.revoked_at < before, LoginSession.expires_at < before)))


def sent_mail() -> int:
    """Mail sent, or given up on, more than RETAIN_MAIL_DAYS ago: the row stays (a bulletin's
    delivery points at it; that it went, and when, is kept) with its address, body, headers
    (reply tokens) and error blanked. Mail still waiting to go is never touched."""
    before = cutoff("RETAIN_MAIL_DAYS")
    ids = select(OutboxEmail.id).where(
        OutboxEmail.to_address != "",
        or_(OutboxEmail.sent_at < before, OutboxEmail.failed_at < before))
    blanked = 0
    while found := list(db.session.scalars(ids.limit(BATCH))):
        db.session.execute(update(OutboxEmail).where(OutboxEmail.id.in_(found)).values(
            to_address="", body="", html_body=None, headers={}, last_error=""))
        db.session.commit()
        blanked += len(found)
    return blanked


def account_tokens() -> int:
    """Emailed links (reset, a new address held in new_email) used, cancelled or expired more
    than RETAIN_TOKENS_DAYS ago."""
    before = cutoff("RETAIN_TOKENS_DAYS")
    return _delete_in_batches(AccountToken, select(AccountToken.id).where(or_(
        AccountToken.used_at < before, AccountToken.cancelled_at < before,
        AccountToken.expires_at < before)))


def invitations() -> int:
    """Invitations (an address and a name) accepted, cancelled or expired more than
    RETAIN_TOKENS_DAYS ago: one accepted has become an account; one that was not, an address
    of someone who never joined."""
    before = cutoff("RETAIN_TOKENS_DAYS")
    return _delete_in_batches(Invitation, select(Invitation.id).where(or_(
        Invitation.accepted_at < before, Invitation.cancelled_at < before,
        Invitation.expires_at < before)))


def data_exports() -> int:
    """Requests for one's archive used or expired more than RETAIN_TOKENS_DAYS ago."""
    before = cutoff("RETAIN_TOKENS_DAYS")
    return _delete_in_batches(DataExport, select(DataExport.id).where(
        or_(DataExport.used_at < before, DataExport.expires_at < before)))


def received_mail() -> int:
    """Replies by email received more than RETAIN_MAIL_DAYS ago: the record only stops a
    second delivery of the same message being posted twice, which comes within days."""
    return _delete_in_batches(ReceivedMail, select(ReceivedMail.id).where(
        ReceivedMail.received_at < cutoff("RETAIN_MAIL_DAYS")))


def mail_notices() -> int:
    """When an explanation last went to an address: it matters for MAIL_NOTICE_EVERY (an
    hour); removed after RETAIN_MAIL_DAYS."""
    return _delete_in_batches(MailNotice, select(MailNotice.address).where(
        MailNotice.sent_at < cutoff("RETAIN_MAIL_DAYS")))


# Each kind, as the job's line names it, in the order they run.
KINDS: dict[str, Callable[[], int]] = {
    "login-limit hits": throttle_hits,
    "ended sessions": sessions,
    "sent emails": sent_mail,
    "account links": account_tokens,
    "invitations": invitations,
    "archive links": data_exports,
    "replies received": received_mail,
    "reply notices": mail_notices,
}


def remove_old() -> dict[str, int]:
    """Every kind past its period removed: how many of each."""
    return {name: remove() for name, remove in KINDS.items()}


def summary(counts: dict[str, int]) -> str:
    """The job's line: "Removed or blanked 3 login-limit hits, 1 ended sessions." """
    done = [f"{count} {name}" for name, count in counts.items() if count]
    return ("Removed or blanked " + ", ".join(done) + ".") if done else "Nothing to remove."
