"""Queue email in the outbox, and deliver what is due over SMTP (or to the log when none is set)."""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import threading
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import EmailPolicy
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


class MailPolicy(EmailPolicy):
    """The standard policy, except for headers a mail program reads as addresses, not text.

    Python folds any header longer than 78 characters, and a header with nothing to fold at
    (one long URL) comes out as an RFC 2047 encoded word, `=?utf-8?q?=3Chttp...?=`, which no
    mail program takes for a List-Unsubscribe URL (RFC 2369, RFC 8058). These are written
    as they are: plain ASCII, on one line (RFC 5322 allows up to 998 characters).
    """

    VERBATIM = frozenset({"list-unsubscribe", "list-unsubscribe-post"})

    def _verbatim(self, name: str, value: str) -> bool:
        return (name.lower() in self.VERBATIM and value.isascii()
                and not any(c in value for c in "\r\n")
                and len(name) + 2 + len(value) <= 998)

    def fold(self, name, value):
        if self._verbatim(name, str(value)):
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name, value):
        if self._verbatim(name, str(value)):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


MAIL_POLICY = MailPolicy()


def build_message(email: OutboxEmail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage(policy=MAIL_POLICY)
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


def readable(message: EmailMessage) -> str:
    """An email as its reader sees it, for the log when there is no SMTP server (the demo):
    headers decoded, the body as text, so an invitation link can be clicked in the terminal.
    The MIME form (quoted-printable lines ending in "=", encoded words) is for SMTP only."""
    head = "\n".join(f"{name}: {message[name]}" for name in ("From", "To", "Subject"))
    return f"{head}\n\n{message.get_content().rstrip()}\n"


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
                             readable(message))
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
    """after_request: if this request queued mail, deliver it once the response is out, on a
    thread of its own: a worker serves one request at a time, and a slow mail server must not
    hold the next one up. Mail a stopped worker did not finish stays in the outbox, claimed
    for LOCK_FOR, and `flask mail send` delivers it."""
    if not g.get("mail_queued") or not current_app.config["MAIL_SEND_IMMEDIATELY"]:
        return response
    app = current_app._get_current_object()

    def deliver() -> None:
        with app.app_context():
            try:
                deliver_due(limit=20)
            except Exception:
                log.exception("Immediate delivery failed; `flask mail send` will retry")

    def start() -> None:
        thread = threading.Thread(target=deliver, name="mail", daemon=True)
        _deliveries[:] = [t for t in _deliveries if t.is_alive()] + [thread]
        thread.start()

    response.call_on_close(start)
    return response


_deliveries: list[threading.Thread] = []


def finish_deliveries(timeout: float | None = None) -> None:
    """Wait for the mail started after responses to be delivered (tests; a stopping worker)."""
    for thread in list(_deliveries):
        thread.join(timeout)
