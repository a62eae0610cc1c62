"""The outbox: mail is queued with the change that causes it and never lost when SMTP is down."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from sqlalchemy import select

from network.core.mail import OutboxEmail, deliver_due, queue_email, retry_delay
from network.core.time import now
from network.extensions import db
from tests.conftest import free_port


def queue(to="someone@example.org", subject="Hello") -> OutboxEmail:
    from network.auth.models import Person

    with db.session.no_autoflush:
        email = queue_email(to, subject, "email/account_suspended.txt",
                            person=Person(display_name="Sam", suspended_reason="testing"))
    db.session.commit()
    return email


def test_queued_mail_is_delivered_over_smtp_with_proper_headers(app, mailbox):
    email = queue()
    assert deliver_due() == (1, 0)
    message = mailbox.last_to("someone@example.org")
    assert message["Subject"] == "Hello"
    assert message["From"] == "Riverside Partnership Network <network@example.org>"
    assert message["Message-ID"] and message["Date"]
    assert "Hello Sam," in mailbox.body(message)
    db.session.refresh(email)
    assert email.sent_at is not None and email.attempts == 1
    assert deliver_due() == (0, 0)  # sent once only
    assert len(mailbox.messages) == 1


def test_mail_from_a_change_that_rolls_back_is_never_sent(app, client, world, mailbox, deliver):
    client.post("/join", data={"name": "", "contact_email": "x@example.org"})  # invalid
    deliver()
    assert mailbox.messages == []
    assert db.session.scalar(select(OutboxEmail)) is None


def test_when_the_server_is_down_mail_waits_and_goes_later(make_app, mailbox):
    down = make_app(MAIL_PORT=free_port())  # nothing listens there
    with down.app_context():
        email = queue()
        assert deliver_due() == (0, 1)
        db.session.refresh(email)
        assert email.sent_at is None and email.attempts == 1
        assert "Error" in email.last_error or "refused" in email.last_error.lower()
        assert email.next_attempt_at > now()
        assert deliver_due() == (0, 0)  # not due yet: it backs off
    assert mailbox.messages == []
    up = make_app()
    with up.app_context():
        db.session.execute(db.update(OutboxEmail).values(next_attempt_at=now()))
        db.session.commit()
        assert deliver_due() == (1, 0)
    assert len(mailbox.to("someone@example.org")) == 1


def test_retries_back_off_to_an_hour_and_give_up_after_three_days_keeping_the_row(make_app):
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 7, 20)] == [1, 2, 4, 60, 60]
    down = make_app(MAIL_PORT=free_port())
    with down.app_context():
        email = queue()
        email.created_at = now() - timedelta(days=4)
        db.session.commit()
        deliver_due()
        db.session.refresh(email)
        assert email.failed_at is not None and email.sent_at is None
        assert db.session.get(OutboxEmail, email.id) is not None


def test_without_a_mail_server_mail_is_written_to_the_log_as_people_read_it(make_app, caplog):
    # At the levels the app sets itself (no caplog.at_level): gunicorn shows what passes them.
    # Decoded, so a new user can click the link in `make run`'s log: quoted-printable would
    # split it with "=" at the line ends, and the subject would be an encoded word.
    link = "http://127.0.0.1:5000/invitations/" + "x" * 43 + "?from=the-tenants-federation"
    app = make_app(MAIL_SERVER=None)
    with app.app_context():
        db.session.add(OutboxEmail(to_address="newcomer@example.org",
                                   subject="Your invitation to Riverside’s Café Forum",
                                   body=f"Hello Ciarán,\n\nTo accept, open this link:\n\n{link}\n"))
        db.session.commit()
        assert deliver_due() == (1, 0)
    logged = caplog.text
    assert "From: Riverside Partnership Network <network@example.org>" in logged
    assert "To: newcomer@example.org" in logged
    assert "Subject: Your invitation to Riverside’s Café Forum" in logged
    assert "Hello Ciarán," in logged
    assert f"\n{link}\n" in logged
    assert "=?utf-8?" not in logged and "Content-Transfer-Encoding" not in logged


def test_two_senders_at_once_deliver_each_email_once(make_app, mailbox):
    app = make_app()
    with app.app_context():
        for n in range(20):
            queue(to=f"person{n}@example.org")
    results = []

    def sender():
        with app.app_context():
            results.append(deliver_due())

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent for sent, _ in results) == 20
    assert sorted(m["To"] for m in mailbox.messages) == sorted(
        f"person{n}@example.org" for n in range(20))


def test_mail_queued_by_a_request_goes_out_after_the_response(make_app, mailbox):
    app = make_app(MAIL_SEND_IMMEDIATELY=True)
    with app.app_context():
        from tests.factories import build_world

        world = build_world()
        response = app.test_client().post("/password/forgot",
                                          data={"email": world.member.email})
        assert mailbox.messages == []  # nothing sent while the response was being made
        response.close()  # the server closes the response once it is sent
        from network.core.mail import finish_deliveries

        finish_deliveries(timeout=30)  # delivery runs on a thread of its own
        assert "Reset your password" in mailbox.last_to(world.member.email)["Subject"]


def test_a_requests_own_mail_goes_first_whatever_waits_before_it(make_app, mailbox):
    """Before: after a response the 20 oldest due emails went (the demo's, in `make run`), so
    a password reset asked for behind them waited for some later request."""
    from network.core.mail import finish_deliveries
    from tests.factories import build_world

    app = make_app(MAIL_SEND_IMMEDIATELY=True)
    with app.app_context():
        world = build_world()
        for n in range(25):
            queue(to=f"waiting{n}@example.org")
        response = app.test_client().post("/password/forgot",
                                          data={"email": world.member.email})
        response.close()
        finish_deliveries(timeout=30)
        assert mailbox.messages[0]["To"] == world.member.email
        assert "Reset your password" in mailbox.messages[0]["Subject"]


def test_one_click_unsubscribe_headers_reach_the_server_as_plain_ascii(make_app, mailbox):
    """RFC 2369 and RFC 8058, checked on the bytes the SMTP server received: an encoded word
    (=?utf-8?q?=3Chttp...?=) is text to a mail program, not a link it can post to."""
    from network.notify.services import notify
    from tests.factories import PersonFactory

    app = make_app(WTF_CSRF_ENABLED=True)  # the mail program's POST carries no token
    with app.app_context():
        person = PersonFactory(email="reader@example.org")
        with app.test_request_context():
            notify(person, "forum.mention", "Pat Doyle mentioned you in “Café hours”",
                   "/forum/p/1")
        db.session.commit()
        assert deliver_due() == (1, 0)
        message = mailbox.last_to("reader@example.org")
        header = mailbox.raw_header(message, "List-Unsubscribe")
        assert re.fullmatch(r"<https?://[!-~]+/unsubscribe/[A-Za-z0-9_.-]+>", header), header
        assert mailbox.raw_header(message, "List-Unsubscribe-Post") == \
            "List-Unsubscribe=One-Click"
        assert "Café hours" in message["Subject"]  # other headers are still encoded properly

        # What a mail program does with it: POST the form body RFC 8058 defines.
        path = re.sub(r"^<https?://[^/]+|>$", "", header)
        response = app.test_client().post(path, data="List-Unsubscribe=One-Click",
                                          content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        from network.notify.services import delivery_for

        db.session.rollback()
        assert delivery_for(person, "forum.mention").value == "in_app"


def test_mail_waits_while_the_smtp_server_is_down_and_goes_once_when_it_is_back(make_app, clock):
    """Issue 23's fault: the SMTP server stops, mail is queued meanwhile, the server starts
    again on the same port. Each pass is the real sender's (start_sender's thread, stopped
    after its one pass): nothing is lost or sent twice, and what failed waits its retry delay
    on the app's clock, not the machine's."""
    from aiosmtpd.controller import Controller

    from network.core.mail import start_sender, stop_sender
    from tests.conftest import Mailbox

    class Handler:
        mailbox = Mailbox()

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's
            self.mailbox.handle(envelope)
            return "250 OK"

    port = free_port()
    server = Controller(Handler(), hostname="127.0.0.1", port=port)
    server.start()
    app = make_app(MAIL_PORT=port)

    def one_pass() -> None:
        db.session.rollback()  # the test's reading holds SQLite's lock no longer
        start_sender(app, every=60)  # delivers what is due at once, then waits to be stopped
        stop_sender(timeout=30)

    def rows() -> list[OutboxEmail]:
        db.session.rollback()
        return list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))

    with app.app_context():
        server.stop()  # down
        for n in range(3):
            queue(to=f"waiting{n}@example.org")
        for _ in range(3):  # each pass tries the first due email, finds no server, stops there
            one_pass()
        assert all(email.attempts == 1 and email.sent_at is None and email.failed_at is None
                   for email in rows()), [(e.attempts, e.last_error) for e in rows()]
        for email in rows():
            assert "refused" in email.last_error.lower() or "Error" in email.last_error
            assert timedelta(minutes=1) <= email.next_attempt_at - email.created_at \
                < timedelta(minutes=2)  # retry_delay(1), on the pinned clock
        server = Controller(Handler(), hostname="127.0.0.1", port=port)
        server.start()  # back, on the same port
        try:
            one_pass()  # not due yet: each waits its minute
            assert Handler.mailbox.messages == []
            clock.advance(minutes=1, seconds=30)
            one_pass()
            assert all(email.sent_at is not None and email.attempts == 2 for email in rows())
            clock.advance(hours=2)
            one_pass()  # nothing is due again
        finally:
            server.stop()
    assert sorted(m["To"] for m in Handler.mailbox.messages) == [
        "waiting0@example.org", "waiting1@example.org", "waiting2@example.org"]
