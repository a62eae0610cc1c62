"""A person's words never break an email, and one email that cannot go never holds up the rest.

Subjects are fixed words and titles, made one line (`core.text.one_line`) by `notify` and
`queue_email` whatever they are given; reasons and notes travel in the body and on the
notification (`detail`). A message that cannot be built is marked failed with its reason, and
one the server refuses for good likewise; both leave the rest of the pass to go out."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from network.core.time import now
from network.extensions import db
from network.notify.mail import build_message, deliver_due, queue_email
from network.notify.models import Notification, OutboxEmail
from tests.conftest import free_port

# Every way to end a line, and NUL, in a person's words.
BREAKS = "Room flooded.\r\nSee the new date.\nLF\u2028LS\u2029PS\x00NUL\rCR"
LINE_ENDS = re.compile(r"[\r\n\x00\u2028\u2029\x85\x0b\x0c]")


def hostile(label: str, length: int = 10_000) -> str:
    """`label`, every line break there is, then words up to `length` characters."""
    text = f"{label} {BREAKS} "
    return (text + "and more words " * (length // 15 + 1))[:length].rstrip()


def one_line(value: str) -> bool:
    return not LINE_ENDS.search(value)


def raw_row(subject: str, to: str = "someone@example.org", headers=None) -> OutboxEmail:
    """A row as it could sit in the outbox from before subjects were cleaned."""
    email = OutboxEmail(to_address=to, subject=subject, body="Hello.\n", headers=headers or {})
    db.session.add(email)
    db.session.commit()
    return email


def test_a_row_that_cannot_be_built_is_marked_failed_and_the_mail_after_it_goes(app, mailbox,
                                                                               caplog):
    """Before: a subject with a line break raised ValueError out of deliver_due, the row was
    neither sent nor given up, no error was kept, and the pass stopped there."""
    old = raw_row("Cancelled: “Coffee morning”. Room flooded.\r\nSee the new date.",
                  to="first@example.org")
    broken = raw_row("Cannot be built", to="broken@example.org", headers=["not", "a", "map"])
    after = [raw_row(f"Reset your password {n}", to=f"after{n}@example.org") for n in range(3)]

    assert deliver_due() == (4, 1)  # one pass

    db.session.rollback()
    broken = db.session.get(OutboxEmail, broken.id)
    assert broken.failed_at is not None and broken.sent_at is None
    assert broken.attempts == 1 and broken.locked_until is None
    assert broken.last_error.startswith("AttributeError")
    assert any(record.levelno == logging.ERROR and f"Email {broken.id} " in record.message
               and "could not be built" in record.message for record in caplog.records)
    for row in [old, *after]:
        assert db.session.get(OutboxEmail, row.id).sent_at is not None
    assert mailbox.last_to("first@example.org")["Subject"] == (
        "Cancelled: “Coffee morning”. Room flooded. See the new date.")
    assert sorted(m["To"] for m in mailbox.messages) == [
        "after0@example.org", "after1@example.org", "after2@example.org", "first@example.org"]
    assert deliver_due() == (0, 0)  # the failed row is not tried again


class RefusingHandler:
    """An SMTP server that refuses some recipients for good (550) or for now (451), and a
    message whose content it will never take (554)."""

    def __init__(self) -> None:
        self.delivered: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 No such mailbox here"
        if address.startswith("busy@"):
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if b"REFUSE-THIS-CONTENT" in envelope.content:
            return "554 5.6.0 Message refused"
        self.delivered.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def refusing_server():
    from aiosmtpd.controller import Controller

    handler = RefusingHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, handler
    controller.stop()


def test_a_recipient_or_message_the_server_refuses_does_not_stop_the_others(make_app,
                                                                           refusing_server):
    """Before: a refused recipient was retried for three days as if the server were down,
    and each refusal dropped the connection without closing it."""
    port, handler = refusing_server
    app = make_app(MAIL_PORT=port)
    with app.app_context():
        rows = {to: raw_row("Hello", to=to) for to in (
            "nobody@example.org", "first@example.org", "busy@example.org",
            "content@example.org", "last@example.org")}
        content = db.session.get(OutboxEmail, rows["content@example.org"].id)
        content.body = "REFUSE-THIS-CONTENT\n"
        db.session.commit()

        assert deliver_due() == (2, 3)

        db.session.rollback()
        got = {to: db.session.get(OutboxEmail, row.id) for to, row in rows.items()}
        assert handler.delivered == ["first@example.org", "last@example.org"]
        for to in ("first@example.org", "last@example.org"):
            assert got[to].sent_at is not None
        for to, code in (("nobody@example.org", "550"), ("content@example.org", "554")):
            assert got[to].failed_at is not None and got[to].sent_at is None, to
            assert code in got[to].last_error, got[to].last_error
        busy = got["busy@example.org"]  # a passing refusal: tried again later, as ever
        assert busy.failed_at is None and busy.sent_at is None and busy.attempts == 1
        assert "451" in busy.last_error and busy.next_attempt_at > now()
        assert deliver_due() == (0, 0)
        busy.next_attempt_at = now() - timedelta(seconds=1)
        db.session.commit()
        assert deliver_due() == (0, 1)  # still busy: backs off further
        db.session.rollback()
        assert db.session.get(OutboxEmail, busy.id).attempts == 2


def test_notify_and_queue_email_make_every_header_one_line_and_keep_the_words_in_the_body(
        app, world, mailbox, deliver):
    """The last defence, whatever a caller passes: 10,000 characters with every line break
    and NUL in a subject, a detail and a header."""
    from network.notify.services import notify

    with app.test_request_context():
        notification = notify(world.member, "calendar.changed", hostile("Subject"),
                              "/calendar", detail=hostile("Detail"))
        queue_email("other@example.org", hostile("Queued"), "email/account_suspended.txt",
                    headers={"X-Note": hostile("Header")},
                    person=world.member)
    db.session.commit()
    assert one_line(notification.subject) and len(notification.subject) <= 200
    assert notification.detail.startswith("Detail Room flooded.\nSee the new date.\nLF\nLS\nPS")
    assert "\x00" not in notification.detail and "\r" not in notification.detail
    for row in db.session.scalars(select(OutboxEmail)):
        assert one_line(row.subject) and len(row.subject) <= 200
        assert "\x00" not in row.body and "\r" not in row.body
        for value in build_message(row).values():
            assert one_line(value), value

    assert deliver() == (2, 0)
    told = mailbox.last_to(world.member.email)
    assert told["Subject"].startswith("Subject Room flooded. See the new date. LF LS PS NUL CR")
    assert "Detail Room flooded.\r\nSee the new date.\r\nLF\r\nLS" in mailbox.body(told)
    assert one_line(mailbox.last_to("other@example.org")["X-Note"])


def test_the_notification_list_shows_the_reason_under_the_subject(client, world, login):
    from network.notify.services import notify

    with client.application.test_request_context():
        notify(world.member, "calendar.changed", "Cancelled: “Coffee morning”", "/calendar",
               detail="Room flooded.\nSee the new date.")
    db.session.commit()
    login(world.member)
    page = client.get("/notifications").get_data(as_text=True)
    assert re.search(r"Cancelled: “Coffee morning”</button>\s*</form>\s*"
                     r'<p class="detail">Room flooded.\nSee the new date.</p>', page)
    assert db.session.scalar(select(Notification.detail).where(
        Notification.person_id == world.member.id,
        Notification.subject == "Cancelled: “Coffee morning”")) == (
        "Room flooded.\nSee the new date.")
