"""Reply by email: a notification answered from a mail program posts in the right place, from
the right person, trimmed, through `flask mail receive` and the LMTP listener alike; whatever
may not post never does, and gets at most one explanation; a message delivered twice posts
once; notification email carries the headers mail programs thread and reply by."""

from __future__ import annotations

import contextvars
import smtplib
import uuid
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import delete, func, select

from network import create_app
from network.auth.services import cancel_tokens
from network.board import services as board
from network.board.models import Message
from network.config import TestConfig
from network.core.mail import OutboxEmail
from network.extensions import db
from network.forum import services as forum
from network.forum.models import Post, PostingPause, PostState
from network.mailin.listener import ReplyListener
from network.mailin.models import MailNotice, ReceivedMail
from network.members.models import Membership
from network.notify.models import Delivery, Notification
from network.notify.replies import EPOCH, _mac, reply_address, reply_token
from network.notify.services import set_delivery
from network.representation import reporting
from network.representation.models import Response
from tests.conftest import free_port
from tests.factories import make_thread

REPLY_ADDRESS = "reply@reply.example.org"
QUOTE = ("\n\nOn Sat, 1 Mar 2025 at 10:00, Network <network@example.org> wrote:\n"
         "> Hello Mo Member,\n> Otto Other replied in “Hall for hire”\n")


@pytest.fixture
def replies(app, world):
    app.config["MAIL_REPLY_ADDRESS"] = REPLY_ADDRESS
    return world


@pytest.fixture(params=["receive", "lmtp"])
def send(request, app):
    """send(raw bytes, recipient, sender) through `flask mail receive` or an LMTP round trip."""
    if request.param == "receive":
        def through_command(raw: bytes, recipient: str, sender: str | None = None) -> str:
            db.session.rollback()
            args = ["mail", "receive", "--recipient", recipient]
            if sender is not None:
                args += ["--sender", sender]
            result = contextvars.Context().run(app.test_cli_runner().invoke, args=args,
                                               input=raw)
            assert result.exit_code == 0, result.output
            return result.output.strip()
        yield through_command
        return
    listener = ReplyListener(app, "127.0.0.1", free_port())
    listener.start()

    def through_lmtp(raw: bytes, recipient: str, sender: str | None = None) -> str:
        db.session.rollback()  # the test's transaction holds no lock the listener waits for
        with smtplib.LMTP("127.0.0.1", listener.port) as lmtp:  # lines end in CRLF on the wire
            lmtp.sendmail("" if sender == "" else sender or "someone@example.net",
                          [recipient], raw.replace(b"\n", b"\r\n"))
        return "accepted"

    yield through_lmtp
    listener.stop()


def email(to: str, sender: str, body: str = "", *, subject="Re: Otto Other replied",
          headers=None, html: str | None = None, attachment: bool = False,
          message_id: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or f"<{uuid.uuid4().hex}@mail.example.net>"
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None and not body:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    if attachment:
        message.add_attachment(b"%PDF-1.4 minutes", maintype="application", subtype="pdf",
                               filename="minutes.pdf")
    return bytes(message)


def posts_in(thread) -> list[Post]:
    db.session.rollback()
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id)
                                   .order_by(Post.id)))


def out(deliver, mailbox) -> list:
    """What the outbox sends now."""
    before = len(mailbox.messages)
    deliver()
    return mailbox.messages[before:]


def seasoned(person, category) -> None:
    """Enough approved posts that the person's next post is not held for approval."""
    make_thread(category, person, "Earlier", ["One.", "Two.", "Three."])


# --- the whole journey ---------------------------------------------------------------------

def test_a_reply_to_a_notification_posts_in_the_thread_trimmed_and_tells_the_others(
        replies, send, deliver, mailbox):
    world = replies
    member, other, thread = world.member, world.other_member, world.thread
    seasoned(member, world.category)
    seasoned(other, world.category)
    set_delivery(member, "forum.reply", Delivery.IMMEDIATELY)
    set_delivery(other, "forum.reply", Delivery.IMMEDIATELY)
    forum.watch(other, thread, "watch")
    forum.reply(thread, other, "Is Tuesday free?", None)
    db.session.commit()
    notification = out(deliver, mailbox)[0]
    assert notification["To"] == member.email
    reply_to = notification["Reply-To"]
    assert reply_to.startswith("reply+") and reply_to.endswith("@reply.example.org")
    assert len(reply_to.split("@")[0]) <= 64 and reply_to == reply_to.lower()
    assert notification["In-Reply-To"] == notification["References"] == \
        f"<forum-thread-{thread.id}@localhost>"
    assert notification["Message-ID"].startswith(f"<forum-thread-{thread.id}.")
    assert notification["Auto-Submitted"] == "auto-generated"
    assert "Reply to this email to answer there" in mailbox.body(notification)

    raw = email(reply_to.upper(), f"Mo Member <{member.email.upper()}>",
                "Yes, Tuesday works.\n\nThanks,\nMo\n-- \nMo Member\nAlpha Tenants" + QUOTE,
                headers={"In-Reply-To": notification["Message-ID"]})
    send(raw, reply_to)
    newest = posts_in(thread)[-1]
    assert (newest.author_id, newest.body, newest.state) == (
        member.id, "Yes, Tuesday works.", PostState.VISIBLE)  # sign-off and signature trimmed
    onward = out(deliver, mailbox)
    assert [m["To"] for m in onward] == [other.email]  # as if typed on the page
    assert "Mo Member replied in" in onward[0]["Subject"]
    assert onward[0]["Reply-To"] != reply_to  # the other person's own address

    send(raw, reply_to)  # delivered again: the same Message-ID
    assert posts_in(thread)[-1].id == newest.id
    assert out(deliver, mailbox) == []
    assert db.session.scalar(select(func.count()).select_from(ReceivedMail)) == 1


def test_a_new_members_reply_waits_for_approval_as_on_the_page(replies, send, deliver, mailbox):
    world = replies
    address = reply_address(world.member, "thread", world.thread.id)
    send(email(address, world.member.email, "Count me in." + QUOTE), address)
    newest = posts_in(world.thread)[-1]
    assert (newest.body, newest.state) == ("Count me in.", PostState.HELD)
    assert out(deliver, mailbox) == []  # nobody is told of a held post


def test_an_html_only_reply_posts_its_text(replies, send):
    world = replies
    address = reply_address(world.member, "thread", world.thread.id)
    html = ("<html><head><style>p{color:red}</style></head><body><div>We can lend "
            "<b>chairs</b> &amp; tables.</div><div><br></div><div>Mo</div>"
            "<div class=\"gmail_quote\"><div>On Sat, 1 Mar 2025, Network wrote:</div>"
            "<blockquote>Hello Mo Member</blockquote></div></body></html>")
    send(email(address, world.member.email, html=html), address)
    assert posts_in(world.thread)[-1].body == "We can lend chairs & tables.\n\nMo"


def test_attachments_are_not_kept_and_the_writer_is_told(replies, send, deliver, mailbox):
    world = replies
    address = reply_address(world.member, "thread", world.thread.id)
    send(email(address, world.member.email, "The minutes are attached.", attachment=True),
         address)
    assert posts_in(world.thread)[-1].body == "The minutes are attached."
    note = out(deliver, mailbox)
    assert [m["To"] for m in note] == [world.member.email]
    assert note[0]["Auto-Submitted"] == "auto-replied"
    assert "minutes.pdf" in mailbox.body(note[0])


# --- the board and reports ------------------------------------------------------------------

def test_a_reply_to_a_board_conversation_is_a_message_from_the_person(
        replies, send, deliver, mailbox):
    world = replies
    address = reply_address(world.contact, "conversation", world.conversation.id)
    send(email(address, world.contact.email, "Mondays are fine." + QUOTE), address)
    db.session.rollback()
    newest = db.session.scalar(select(Message).where(
        Message.conversation_id == world.conversation.id).order_by(Message.id.desc()).limit(1))
    assert (newest.author_id, newest.body) == (world.contact.id, "Mondays are fine.")
    onward = out(deliver, mailbox)
    assert [m["To"] for m in onward] == [world.other_member.email]
    assert onward[0]["Reply-To"].startswith("reply+c")
    assert onward[0]["References"] == f"<board-conversation-{world.conversation.id}@localhost>"


def test_someone_outside_the_conversations_two_organisations_cannot_post_in_it(
        replies, send, deliver, mailbox):
    world = replies
    address = reply_address(world.associate, "conversation", world.conversation.id)
    send(email(address, world.associate.email, "Let me in."), address)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Message).where(
        Message.body == "Let me in.")) == 0
    assert [m["To"] for m in out(deliver, mailbox)] == [world.associate.email]


def test_replies_to_a_report_and_to_a_response_are_responses(replies, send):
    world = replies
    address = reply_address(world.contact, "report", world.report.id)
    send(email(address, world.contact.email, "When is the next meeting?" + QUOTE), address)
    address = reply_address(world.member, "response", world.response.id)
    send(email(address, world.member.email, "You are welcome." + QUOTE), address)
    db.session.rollback()
    comment, reply = db.session.scalars(select(Response).where(
        Response.report_id == world.report.id).order_by(Response.id.desc()).limit(2)).all()[::-1]
    assert (comment.author_id, comment.body, comment.reply_to_id) == (
        world.contact.id, "When is the next meeting?", None)
    assert (reply.author_id, reply.body, reply.reply_to_id) == (
        world.member.id, "You are welcome.", world.response.id)
    # The report's writer is told, as of a response typed on the page.
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.person_id == world.member.id,
        Notification.kind == "representation.response")) == 1


# --- what never posts -------------------------------------------------------------------------

def bad_messages(world, clock):
    """(name, raw, recipient, envelope sender, explained?) for each kind of bad message."""
    member, thread = world.member, world.thread
    good = reply_address(member, "thread", thread.id)
    domain = "reply.example.org"
    day = (clock.today() - EPOCH).days
    mac = _mac("t", thread.id, member.id, day, member.reply_generation)
    forged = f"reply+t{thread.id}-{member.id}-{day}-{'a' * 16}@{domain}"
    other_thread = f"reply+t{thread.id + 1}-{member.id}-{day}-{mac}@{domain}"
    unknown = f"reply+t{thread.id}-999999-{day}-{_mac('t', thread.id, 999999, day, 0)}@{domain}"
    old_day = (clock.today() - EPOCH).days - 61
    expired = (f"reply+t{thread.id}-{member.id}-{old_day}-"
               f"{_mac('t', thread.id, member.id, old_day, member.reply_generation)}@{domain}")

    def reply(to, sender=member.email, **kwargs):
        return email(to, sender, "Posted?" + QUOTE, **kwargs)

    return [
        ("forged", reply(forged), forged, None, True),
        ("another thread's id", reply(other_thread), other_thread, None, True),
        ("unknown person", reply(unknown), unknown, None, True),
        ("expired", reply(expired), expired, None, True),
        ("wrong sender", reply(good, "mallory@example.net"), good, None, True),
        ("too large", email(good, member.email, ("x" * 70 + "\n") * 1000), good, None, True),
        ("empty", email(good, member.email, QUOTE.strip()), good, None, True),
        ("auto-submitted", reply(good, headers={"Auto-Submitted": "auto-replied"}), good,
         None, False),
        ("precedence bulk", reply(good, headers={"Precedence": "bulk"}), good, None, False),
        ("precedence junk", reply(good, headers={"Precedence": "junk"}), good, None, False),
        ("x-autoreply", reply(good, headers={"X-Autoreply": "yes"}), good, None, False),
        ("out of office", reply(good, subject="Out of Office: back Monday"), good, None, False),
        ("automatic reply", reply(good, subject="Automatic reply: Re: Hall"), good, None,
         False),
        ("empty return path", reply(good, headers={"Return-Path": "<>"}), good, None, False),
        ("bounce", reply(good), good, "", False),
        ("mailer-daemon", reply(good, "MAILER-DAEMON@mx.example.net"), good, None, False),
    ]


def test_nothing_bad_ever_posts_and_each_gets_at_most_one_explanation(
        replies, send, deliver, mailbox, clock, app):
    world = replies
    app.config["MAIL_IN_MAX_BYTES"] = 64_000
    for name, raw, recipient, sender, explained in bad_messages(world, clock):
        before = len(posts_in(world.thread))
        db.session.execute(MailNotice.__table__.delete())  # each its own hour
        db.session.commit()
        send(raw, recipient, sender)
        assert len(posts_in(world.thread)) == before, name
        answers = out(deliver, mailbox)
        assert len(answers) == (1 if explained else 0), name
        for answer in answers:
            assert answer["Auto-Submitted"] == "auto-replied", name
            assert answer["Reply-To"] is None, name
            assert "not posted" in answer["Subject"], name


def test_revoked_addresses_and_suspended_people_never_post(replies, send, deliver, mailbox):
    world = replies
    member = world.member
    address = reply_address(member, "thread", world.thread.id)
    cancel_tokens(member)  # as a password change, a reset or a suspension does
    db.session.commit()
    send(email(address, member.email, "Still me." + QUOTE), address)
    assert [m["To"] for m in out(deliver, mailbox)] == [member.email]
    fresh = reply_address(member, "thread", world.thread.id)
    db.session.execute(MailNotice.__table__.delete())
    member.suspended_at = world.thread.created_at
    db.session.commit()
    send(email(fresh, member.email, "Suspended, still me." + QUOTE), fresh)
    assert all("me." not in post.body for post in posts_in(world.thread))
    assert len(out(deliver, mailbox)) == 1


def test_a_locked_thread_refuses_the_reply_with_a_reason(replies, send, deliver, mailbox):
    world = replies
    address = reply_address(world.member, "thread", world.thread.id)
    world.thread.locked = True
    db.session.commit()
    send(email(address, world.member.email, "Let me add..." + QUOTE), address)
    assert all(post.body != "Let me add..." for post in posts_in(world.thread))
    answer, = out(deliver, mailbox)
    assert "cannot post there now" in mailbox.body(answer)


def test_a_person_whose_posting_is_paused_cannot_post_by_email(
        replies, send, deliver, mailbox, clock):
    world = replies
    address = reply_address(world.member, "thread", world.thread.id)
    db.session.add(PostingPause(person_id=world.member.id, reason="Cooling off",
                                until=clock.now() + timedelta(days=2),
                                set_by_id=world.coordinator.id))
    db.session.commit()
    send(email(address, world.member.email, "But I must say..." + QUOTE), address)
    assert all(post.body != "But I must say..." for post in posts_in(world.thread))
    assert len(out(deliver, mailbox)) == 1


def test_one_explanation_an_hour_to_an_address(replies, send, deliver, mailbox, clock):
    world = replies
    forged = f"reply+t{world.thread.id}-{world.member.id}-1-{'b' * 16}@reply.example.org"
    for _ in range(3):
        send(email(forged, world.member.email, "Hello?"), forged)
    assert len(out(deliver, mailbox)) == 1
    clock.advance(hours=1, minutes=1)
    send(email(forged, world.member.email, "Hello again?"), forged)
    assert len(out(deliver, mailbox)) == 1


def test_mail_to_no_reply_address_is_not_taken(replies, app):
    """The listener refuses it at RCPT (the mail server answers the sender); the command
    explains."""
    listener = ReplyListener(app, "127.0.0.1", free_port())
    listener.start()
    try:
        db.session.rollback()
        with smtplib.LMTP("127.0.0.1", listener.port) as lmtp, \
                pytest.raises(smtplib.SMTPRecipientsRefused):
            lmtp.sendmail("x@example.net", ["someone@reply.example.org"],
                          email("someone@reply.example.org", "x@example.net", "Hi"))
    finally:
        listener.stop()
    assert db.session.scalar(select(func.count()).select_from(ReceivedMail)) == 0


# --- the address, and the headers of what goes out --------------------------------------------

def test_the_reply_address_is_short_lower_case_and_per_person_and_thread(replies):
    world = replies
    token = reply_token(world.member, "thread", world.thread.id)
    assert token == token.lower() and len(f"reply+{token}") <= 64
    assert token != reply_token(world.other_member, "thread", world.thread.id)
    assert token != reply_token(world.member, "conversation", world.thread.id)


def test_notifications_one_may_not_answer_carry_no_reply_address(replies, deliver, mailbox):
    world = replies
    set_delivery(world.member, "forum.reply", Delivery.IMMEDIATELY)
    world.thread.locked = True
    seasoned(world.coordinator, world.category)
    forum.watch(world.member, world.thread, "watch")
    forum.reply(world.thread, world.coordinator, "Locked now; see the new thread.", None)
    db.session.commit()
    told, = out(deliver, mailbox)
    assert told["Reply-To"] is None
    assert "Reply to this email" not in mailbox.body(told)
    assert told["References"] == f"<forum-thread-{world.thread.id}@localhost>"
    assert "\n" not in told["Subject"]


def test_without_a_reply_address_configured_nothing_carries_reply_to(world, deliver, mailbox):
    set_delivery(world.member, "forum.reply", Delivery.IMMEDIATELY)
    forum.watch(world.member, world.thread, "watch")
    seasoned(world.coordinator, world.category)
    forum.reply(world.thread, world.coordinator, "Hello.", None)
    db.session.commit()
    told, = out(deliver, mailbox)
    assert told["Reply-To"] is None and told["In-Reply-To"] is not None
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) >= 1


def test_the_message_id_is_kept_with_the_queued_email(replies, deliver, mailbox, app):
    world = replies
    set_delivery(world.member, "forum.reply", Delivery.IMMEDIATELY)
    forum.watch(world.member, world.thread, "watch")
    seasoned(world.coordinator, world.category)
    forum.reply(world.thread, world.coordinator, "Hello.", None)
    db.session.commit()
    queued = db.session.scalar(select(OutboxEmail).order_by(OutboxEmail.id.desc()).limit(1))
    told, = out(deliver, mailbox)
    assert told["Message-ID"] == queued.headers["Message-ID"]
    assert told["Message-ID"].endswith("@localhost>")  # on the site's domain


def test_a_database_that_fails_leaves_the_message_to_the_mail_server(tmp_path):
    """75 (EX_TEMPFAIL) from the command, 451 from the listener: the mail server keeps the
    message and tries again."""
    config = TestConfig(f"sqlite:///{tmp_path / 'no such folder' / 'network.db'}")
    config.MAIL_REPLY_ADDRESS = REPLY_ADDRESS
    broken = create_app(config)
    to = f"reply+t1-1-1-{'a' * 16}@reply.example.org"
    raw = email(to, "member@example.org", "Hello?")
    result = contextvars.Context().run(broken.test_cli_runner().invoke,
                                       args=["mail", "receive"], input=raw)
    assert result.exit_code == 75
    listener = ReplyListener(broken, "127.0.0.1", free_port())
    listener.start()
    try:
        with smtplib.LMTP("127.0.0.1", listener.port) as lmtp, \
                pytest.raises(smtplib.SMTPDataError) as refused:
            lmtp.sendmail("member@example.org", [to], raw.replace(b"\n", b"\r\n"))
        assert refused.value.smtp_code == 451
    finally:
        listener.stop()


# --- found by a new user walking it -----------------------------------------------------------

def test_an_html_only_reply_keeps_its_paragraphs_lines_and_list_items(replies, send):
    world = replies
    address = reply_address(world.member, "thread", world.thread.id)
    html = ("<html><body><p>We can lend chairs.</p><p>And tables,\nif you ask.</p>"
            "<h3>What we have</h3><ul><li>chairs</li><li>tables</li></ul>"
            "<div>Mo<br>Alpha Tenants</div>"
            "<blockquote><p>Hello Mo Member</p></blockquote></body></html>")
    send(email(address, world.member.email, html=html), address)
    assert posts_in(world.thread)[-1].body == (
        "We can lend chairs.\n\nAnd tables,\nif you ask.\n\nWhat we have\n\nchairs\ntables"
        "\n\nMo\nAlpha Tenants")


def test_a_notification_email_carries_what_was_written_in_its_body_alone(
        replies, deliver, mailbox):
    world = replies
    member, other, thread = world.member, world.other_member, world.thread
    seasoned(other, world.category)
    set_delivery(member, "forum.reply", Delivery.IMMEDIATELY)
    forum.watch(member, thread, "watch")
    forum.reply(thread, other, "Is Tuesday free?\n\nWe need the hall from six.", None)
    db.session.commit()
    told, = out(deliver, mailbox)
    body = mailbox.body(told).replace("\r\n", "\n")
    assert "Is Tuesday free?\n\nWe need the hall from six." in body
    assert "Tuesday" not in told["Subject"] and "Read the rest" not in body
    assert "Tuesday" not in db.session.scalar(  # kept for the email, not on the site's list
        select(Notification.detail).where(Notification.person_id == member.id))

    long = "Our plans for the spring fair, in full. " * 100  # 4,000 characters
    forum.reply(thread, other, long + "The very end.", None)
    db.session.commit()
    told, = out(deliver, mailbox)
    body = mailbox.body(told).replace("\r\n", "\n")
    assert "Our plans for the spring fair" in body and "The very end." not in body
    quoted = body[body.index("Our plans"):body.index("…") + 1]
    assert 1900 <= len(quoted) <= 2001
    assert "Read the rest: http" in body


def test_a_mention_a_board_message_and_a_response_are_quoted_in_their_email(
        replies, deliver, mailbox):
    world = replies
    seasoned(world.other_member, world.category)
    forum.reply(world.thread, world.other_member, f"Ask @{world.member.display_name} first.",
                None)
    db.session.commit()
    mention, = out(deliver, mailbox)
    assert "mentioned you" in mention["Subject"]
    assert "first." in mailbox.body(mention)

    board.add_message(world.conversation, world.contact, "Mondays are fine for us.")
    db.session.commit()
    message, = out(deliver, mailbox)
    assert message["To"] == world.other_member.email
    assert "Mondays are fine for us." in mailbox.body(message)

    set_delivery(world.member, "representation.response", Delivery.IMMEDIATELY)
    reporting.respond(world.report, world.contact, "When is the next meeting?", None, None,
                      None)
    db.session.commit()
    response, = out(deliver, mailbox)
    assert response["To"] == world.member.email
    assert "When is the next meeting?" in mailbox.body(response)


def test_a_forged_message_does_not_silence_the_notes_to_the_real_sender(
        replies, send, deliver, mailbox):
    world = replies
    pat = world.member
    forged = f"reply+t{world.thread.id}-{pat.id}-1-{'b' * 16}@reply.example.org"
    send(email(forged, pat.email, "Hello?"), forged)
    assert [m["To"] for m in out(deliver, mailbox)] == [pat.email]  # the forged one's refusal

    address = reply_address(pat, "thread", world.thread.id)
    send(email(address, pat.email, "The minutes are attached.", attachment=True), address)
    note, = out(deliver, mailbox)
    assert "minutes.pdf" in mailbox.body(note)

    world.thread.locked = True
    db.session.commit()
    send(email(address, pat.email, "Let me add..." + QUOTE), address)
    answer, = out(deliver, mailbox)
    assert "cannot post there now" in mailbox.body(answer)
    # Each kind still one an hour; and forged mail stays at one an hour to the address.
    send(email(address, pat.email, "Let me add more..." + QUOTE), address)
    send(email(forged, pat.email, "Hello again?"), forged)
    assert out(deliver, mailbox) == []
    db.session.rollback()
    assert set(db.session.scalars(select(MailNotice.address))) == {
        pat.email, f"#{pat.id}:attachments", f"#{pat.id}:not posted"}


def test_someone_told_of_a_message_they_may_no_longer_read_is_not_sent_its_words(
        replies, deliver, mailbox):
    world = replies
    other = world.other_member  # wrote in the conversation, then left their organisation
    db.session.execute(delete(Membership).where(Membership.person_id == other.id))
    db.session.commit()
    db.session.expire_all()
    board.add_message(world.conversation, world.contact, "Mondays are fine for us.")
    db.session.commit()
    told, = out(deliver, mailbox)
    assert told["To"] == other.email and "wrote about" in told["Subject"]
    assert "Mondays" not in mailbox.body(told)
