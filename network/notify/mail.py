"""Queue email in the outbox, and deliver what is due over SMTP (or to the log when none is set)."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, g, render_template
from sqlalchemy import or_, select, update

from network.core.time import now
from network.extensions import db
from network.notify.models import OutboxEmail

log = logging.getLogger("network.mail")

LOCK_FOR = timedelta(minutes=2)
GIVE_UP_AFTER = timedelta(days=3)


def queue_email(to: str, subject: str, template: str, *, headers: dict | None = None,
                **context) -> OutboxEmail:
    """Add an email to the outbox. It is sent only if the surrounding transaction commits."""
    body = render_template(template, **context)
    email = OutboxEmail(to_address=to, subject=subject, body=body, headers=headers or {})
    db.session.add(email)
    g.mail_queued = True
    return email


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes, never more than an hour apart."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def build_message(email: OutboxEmail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = f'{config["SITE_NAME"]} <{config["MAIL_DEFAULT_SENDER"]}>'
    message["To"] = email.to_address
    message["Subject"] = email.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{email.id}",
                                       domain=config["MAIL_DEFAULT_SENDER"].split("@")[-1])
    message["Auto-Submitted"] = "auto-generated"
    for name, value in (email.headers or {}).items():
        message[name] = value
    message.set_content(email.body)
    return message


def _smtp_connection() -> smtplib.SMTP:
    config = current_app.config
    timeout = config["MAIL_TIMEOUT"]
    if config["MAIL_USE_SSL"]:
        smtp = smtplib.SMTP_SSL(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout)
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
    return smtp


def _claim(email_id: int, now: datetime) -> bool:
    """Take one row for this sender only, so two senders never deliver the same email."""
    claimed = db.session.execute(
        update(OutboxEmail)
        .where(OutboxEmail.id == email_id, OutboxEmail.sent_at.is_(None),
               OutboxEmail.failed_at.is_(None),
               or_(OutboxEmail.locked_until.is_(None), OutboxEmail.locked_until < now))
        .values(locked_until=now + LOCK_FOR)
    )
    db.session.commit()
    return claimed.rowcount == 1


def deliver_due(limit: int = 200, only_ids: list[int] | None = None) -> tuple[int, int]:
    """Send what is due. Returns (sent, failed this round). Safe to run from several places."""
    moment = now()
    query = (select(OutboxEmail.id)
             .where(OutboxEmail.sent_at.is_(None), OutboxEmail.failed_at.is_(None),
                    OutboxEmail.next_attempt_at <= moment)
             .order_by(OutboxEmail.id).limit(limit))
    if only_ids is not None:
        query = query.where(OutboxEmail.id.in_(only_ids))
    due = list(db.session.scalars(query))
    db.session.commit()
    sent = failed = 0
    smtp = None
    try:
        for email_id in due:
            if not _claim(email_id, moment):
                continue
            email = db.session.get(OutboxEmail, email_id)
            try:
                message = build_message(email)
                if current_app.config["MAIL_SERVER"]:
                    if smtp is None:
                        smtp = _smtp_connection()
                    smtp.send_message(message)
                else:
                    log.info("Email (no MAIL_SERVER set, so written here instead):\n%s",
                             message.as_string())
            except (OSError, smtplib.SMTPException) as error:
                smtp = None
                failed += 1
                email.attempts += 1
                email.last_error = f"{type(error).__name__}: {error}"[:500]
                email.locked_until = None
                if now() - email.created_at > GIVE_UP_AFTER:
                    email.failed_at = now()
                    log.error("Gave up on email %s to %s: %s", email.id, email.to_address,
                              email.last_error)
                else:
                    email.next_attempt_at = now() + retry_delay(email.attempts)
                    log.warning("Email %s not sent (%s); will retry", email.id, email.last_error)
            else:
                sent += 1
                email.attempts += 1
                email.sent_at = now()
                email.locked_until = None
            db.session.commit()
    finally:
        if smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()
    return sent, failed


def send_after_response(response):
    """after_request: if this request queued mail, try to deliver it once the response is out."""
    if not g.get("mail_queued") or not current_app.config["MAIL_SEND_IMMEDIATELY"]:
        return response
    app = current_app._get_current_object()

    def deliver() -> None:
        with app.app_context():
            try:
                deliver_due(limit=20)
            except Exception:
                log.exception("Immediate delivery failed; `flask mail send` will retry")

    response.call_on_close(deliver)
    return response
