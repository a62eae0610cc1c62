"""The outbox: queue email with the change that causes it, and deliver what is due over SMTP
(or to the log when none is set). Infrastructure every feature sends through; it imports none."""

from __future__ import annotations

import contextlib
import logging
import re
import smtplib
import ssl
import threading
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app, g, render_template
from sqlalchemy import JSON, String, Text, inspect, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from network.core.i18n import in_locale
from network.core.text import one_line
from network.core.time import now
from network.extensions import db


class OutboxEmail(db.Model):
    """One email to one address. Rows are kept once sent, as a record of what went out."""

    __tablename__ = "outbox_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # An HTML alternative to the text (the bulletin): sent as multipart/alternative.
    html_body: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=now)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=now, index=True)
    locked_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    failed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(String(500), default="")


log = logging.getLogger("network.mail")

LOCK_FOR = timedelta(minutes=2)
GIVE_UP_AFTER = timedelta(days=3)
SUBJECT_LIMIT = 200  # OutboxEmail.subject
# A flag in OutboxEmail.headers, never sent as a header: once the email is delivered its
# address, body and headers are blanked, so nothing of it stays behind (the last email to a
# closed account, privacy/closing.py).
ERASE_WHEN_SENT = "erase_when_sent"
# RFC 5322's limit for a line, less room for the header's name.
HEADER_LIMIT = 900
# Control characters a person's text may carry to a terminal (the log) or a mail program.
BODY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
BODY_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")


def body_text(value: str) -> str:
    """Text for the body of an email: every kind of line break a plain new line, control
    characters gone (tab stays)."""
    return BODY_CONTROLS.sub("", BODY_BREAKS.sub("\n", str(value)))


def queue_email(to: str, subject, template: str, *, headers: dict | None = None,
                html_template: str | None = None, locale: str | None = None,
                **context) -> OutboxEmail:
    """Add an email to the outbox. It is sent only if the surrounding transaction commits.

    The subject becomes one clean line whatever it was made of: a person's words belong in the
    body, where line breaks are safe. With html_template, the same context rendered (escaped,
    as every template) is the HTML alternative to the text.

    `locale`: the recipient's language (core.i18n.recipient_locale), in which the subject (a
    lazy_gettext string) and the body are written; None keeps the request's, for someone
    writing in from a page (an application, an invitation's address)."""
    with in_locale(locale):
        subject = str(subject)
        body = body_text(render_template(template, **context))
        html = render_template(html_template, **context) if html_template else None
    email = OutboxEmail(to_address=to, subject=one_line(subject, SUBJECT_LIMIT),
                        body=body, html_body=html, headers=headers or {})
    db.session.add(email)
    g.setdefault("mail_queued", []).append(email)
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


def header(value) -> str:
    """A header's value as one line: a line break in it would end the header (or, to the
    email library, make the whole message impossible to build)."""
    return one_line(str(value), HEADER_LIMIT)


def build_message(email: OutboxEmail) -> EmailMessage:
    config = current_app.config
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = header(f'{config["SITE_NAME"]} <{config["MAIL_DEFAULT_SENDER"]}>')
    message["To"] = header(email.to_address)
    message["Subject"] = one_line(email.subject, SUBJECT_LIMIT)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(idstring=f"outbox-{email.id}",
                                       domain=config["MAIL_DEFAULT_SENDER"].split("@")[-1])
    message["Auto-Submitted"] = "auto-generated"
    # An email's own headers replace these (a notification's stable Message-ID; an
    # explanation's Auto-Submitted: auto-replied).
    for name, value in (email.headers or {}).items():
        if name == ERASE_WHEN_SENT:
            continue
        del message[header(name)]
        message[header(name)] = header(value)
    message.set_content(email.body)
    if email.html_body:
        message.add_alternative(email.html_body, subtype="html")
    return message


def readable(message: EmailMessage) -> str:
    """An email as its reader sees it, for the log when there is no SMTP server (the demo):
    headers decoded, the body as text, so an invitation link can be clicked in the terminal.
    The MIME form (quoted-printable lines ending in "=", encoded words) is for SMTP only."""
    head = "\n".join(f"{name}: {message[name]}" for name in ("From", "To", "Reply-To", "Subject")
                     if message[name] is not None)
    text = message.get_body(("plain",)) if message.is_multipart() else message
    return f"{head}\n\n{text.get_content().rstrip()}\n"


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


class Outgoing:
    """Where one pass sends: an SMTP connection opened when first needed, or the log when
    no MAIL_SERVER is set."""

    def __init__(self) -> None:
        self.smtp: smtplib.SMTP | None = None
        self.unreachable = False  # the server could not be reached: the rest can wait

    def send(self, message: EmailMessage) -> None:
        if not current_app.config["MAIL_SERVER"]:
            log.info("Email (no MAIL_SERVER set, so written here instead):\n%s",
                     readable(message))
            return
        if self.smtp is None:
            try:
                self.smtp = _smtp_connection()
            except (OSError, smtplib.SMTPException):
                self.unreachable = True
                raise
        self.smtp.send_message(message)

    def drop(self) -> None:
        """After an error that may have broken the connection: the next email opens another."""
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def close(self) -> None:
        if self.smtp is not None:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                self.smtp.quit()
            self.drop()


def refused_for_good(error: Exception) -> bool:
    """The server refused this one email with a permanent (5xx) answer: no such mailbox, or
    a message it will never take. It has reset the conversation, so the others carry on."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _message in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


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


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:500]


def _give_up(email: OutboxEmail, why: str, error: BaseException) -> None:
    email.failed_at = now()
    email.last_error = _error_text(error)
    # The traceback too when the fault is ours, not the server's.
    ours = not isinstance(error, OSError | smtplib.SMTPException)
    log.error("Email %s to %s %s, so it will not be sent: %s", email.id, email.to_address,
              why, email.last_error, exc_info=error if ours else None)
    if erased_when_sent(email):
        erase(email)  # never to be sent: nothing of it is kept either


def _try_later(email: OutboxEmail, error: BaseException) -> None:
    email.last_error = _error_text(error)
    if now() - email.created_at > GIVE_UP_AFTER:
        _give_up(email, "failed for three days", error)
        return
    email.next_attempt_at = now() + retry_delay(email.attempts)
    log.warning("Email %s not sent (%s); will retry", email.id, email.last_error)


def deliver_due(limit: int = 200, only_ids: list[int] | None = None) -> tuple[int, int]:
    """Send what is due. Returns (sent, failed this round). Safe to run from several places.

    One email that cannot go never holds up the rest: one that cannot be built, or that the
    server refuses for good, is marked failed with the reason; one that meets a passing
    error (the server down, a 4xx answer) is tried again later, further apart each time."""
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
    outgoing = Outgoing()
    try:
        for email_id in due:
            if not _claim(email_id, moment):
                continue
            delivered = _deliver_one(db.session.get(OutboxEmail, email_id), outgoing)
            sent, failed = sent + delivered, failed + (not delivered)
            if outgoing.unreachable:
                break  # the rest stay due, for the next pass
    finally:
        outgoing.close()
    return sent, failed


def _deliver_one(email: OutboxEmail, outgoing: Outgoing) -> bool:
    """Send one claimed email and record what happened to it."""
    failure: Exception | None = None
    try:
        message = build_message(email)
    except Exception as error:  # noqa: BLE001 -- whatever it is, it is this email's alone
        message, failure = None, error
    # No transaction stays open while the server is talked to (on SQLite it would hold the
    # write lock all that time).
    db.session.commit()
    if message is not None:
        try:
            outgoing.send(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            failure = error  # the server reset the conversation: the connection goes on
        except Exception as error:  # noqa: BLE001 -- recorded against this email below
            outgoing.drop()
            failure = error
    email.attempts += 1
    email.locked_until = None
    if failure is None:
        email.sent_at = now()
        if erased_when_sent(email):
            erase(email)
    elif message is None:
        _give_up(email, "could not be built", failure)
    elif refused_for_good(failure):
        _give_up(email, "was refused", failure)
    elif isinstance(failure, OSError | smtplib.SMTPException):
        _try_later(email, failure)
    else:
        _give_up(email, "could not be sent", failure)
    db.session.commit()
    return failure is None


def erased_when_sent(email: OutboxEmail) -> bool:
    return isinstance(email.headers, dict) and bool(email.headers.get(ERASE_WHEN_SENT))


def erase(email: OutboxEmail) -> None:
    """Blank what an email said and to whom: the row stays as a count of what went out."""
    email.to_address = ""
    email.body = ""
    email.html_body = None
    email.headers = {}


def send_after_response(response):
    """after_request: if this request queued mail, deliver it once the response is out, on a
    thread of its own: a worker serves one request at a time, and a slow mail server must not
    hold the next one up. This request's own mail goes first, then any other that is due.
    Mail a stopped worker did not finish stays in the outbox, claimed for LOCK_FOR, and the
    sender (`start_sender`, `flask mail send`) delivers it."""
    queued = g.get("mail_queued")
    if not queued or not current_app.config["MAIL_SEND_IMMEDIATELY"]:
        return response
    # Committed rows only: mail from a change that was rolled back has no identity.
    ids = [identity[0] for identity in (inspect(email).identity for email in queued)
           if identity is not None]
    if not ids:
        return response
    app = current_app._get_current_object()

    def deliver() -> None:
        with app.app_context():
            try:
                deliver_due(only_ids=ids)
                deliver_due(limit=20)
            except Exception:
                log.exception("Immediate delivery failed; the sender will retry")

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


# --- the sender: each gunicorn worker delivers the outbox every few seconds -----------------

_stop_sending = threading.Event()
_senders: list[threading.Thread] = []


def start_sender(app, every: float | None = None) -> threading.Thread | None:
    """Deliver what is due now, then every MAIL_SEND_EVERY seconds, on a thread of this
    process (gunicorn.conf.py starts one in each worker). Mail queued outside a request (the
    demo, a command, a reminder) and retries go out within seconds, with no cron. Two
    senders never send one email twice (rows are claimed). None if MAIL_SEND_EVERY is 0."""
    every = app.config["MAIL_SEND_EVERY"] if every is None else every
    if not every:
        return None
    _stop_sending.clear()

    def run() -> None:
        while True:
            with app.app_context():
                try:
                    deliver_due()
                except Exception:
                    log.exception("Delivering the outbox failed; trying again in %ss", every)
                finally:
                    db.session.remove()
            if _stop_sending.wait(every):
                return

    thread = threading.Thread(target=run, name="mail-sender", daemon=True)
    _senders.append(thread)
    thread.start()
    return thread


def stop_sender(timeout: float | None = None) -> None:
    """Let the sender finish the email in hand and stop (a worker shutting down)."""
    _stop_sending.set()
    for thread in _senders:
        thread.join(timeout)
    _senders.clear()
