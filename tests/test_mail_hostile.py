"""A person's words never break an email, and one email that cannot go never holds up the rest.

Subjects are fixed words and titles, made one line (`core.text.one_line`) by `notify` and
`queue_email` whatever they are given; reasons and notes travel in the body and on the
notification (`detail`). A message that cannot be built is marked failed with its reason, and
one the server refuses for good likewise; both leave the rest of the pass to go out."""

from __future__ import annotations

import html
import logging
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from network.core.mail import OutboxEmail, build_message, deliver_due, queue_email
from network.core.time import now
from network.extensions import db
from network.notify.models import Notification
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


# --- through the real routes: every text a person writes that reaches an email -----------------

class Forms(HTMLParser):
    """The POST forms of a page: their action and fields, with each field's maxlength."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: dict | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "method": (
                a.get("method") or "get").lower(), "fields": []})
            return
        if tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))
        if not self.forms or not a.get("name"):
            return
        fields = self.forms[-1]["fields"]
        if tag == "input":
            fields.append({"tag": "input", "name": a["name"], "type": a.get("type", "text"),
                           "value": a.get("value") or "", "checked": "checked" in a,
                           "maxlength": int(a.get("maxlength") or 10_000)})
        elif tag == "textarea":
            self._textarea = {"tag": "textarea", "name": a["name"],
                              "maxlength": int(a.get("maxlength") or 10_000)}
            fields.append(self._textarea)
        elif tag == "select":
            self._select = {"tag": "select", "name": a["name"], "options": []}
            fields.append(self._select)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


class Writer:
    """One person at the keyboard: fills every text field of a form with hostile words (as
    long as the field takes), keeps the page's own choices, and sends it."""

    def __init__(self, app, person=None) -> None:
        from tests.factories import PASSWORD

        self.client = app.test_client()
        if person is not None:
            response = self.client.post("/login", data={"email": person.email,
                                                        "password": PASSWORD})
            assert response.status_code == 303

    def send(self, page: str, action: str, label: str, given: dict | None = None,
             has: str | None = None):
        """`given` values are sent as they are (choices, days, addresses, buttons)."""
        given = given or {}
        shown = self.client.get(page, follow_redirects=True)
        assert shown.status_code == 200, (page, shown.status_code)
        page = shown.request.path
        parser = Forms()
        parser.feed(shown.get_data(as_text=True))
        found = [form for form in parser.forms if form["method"] == "post"
                 and urlsplit(form["action"] or page).path == action
                 and (has is None or any(f["name"] == has for f in form["fields"]))]
        assert found, (page, action, [f["action"] for f in parser.forms])
        target = html.unescape(found[0]["action"]) or shown.request.full_path
        data: dict[str, object] = {}
        for field in found[0]["fields"]:
            name = field["name"]
            if name in given:
                continue
            if field["tag"] == "textarea" or (field["tag"] == "input" and field["type"] in (
                    "text", "search")):
                data[name] = hostile(f"{label} {name}", field["maxlength"])
            elif field["tag"] == "select":
                chosen = [v for v, selected in field["options"] if selected]
                data[name] = (chosen or [v for v, _ in field["options"] if v] or [""])[0]
            elif field["type"] == "checkbox":
                if field["checked"]:
                    data.setdefault(name, field["value"])
            elif field["type"] == "radio":  # the one chosen, else the first
                if field["checked"] or name not in data:
                    data[name] = field["value"]
            elif field["type"] not in ("email", "password", "url", "tel", "submit", "file"):
                data[name] = field["value"]  # hidden, dates, times, numbers: as the page has it
        data.update(given)
        response = self.client.post(target, data=data)
        assert response.status_code == 303, (target, response.status_code,
                                             errors(response.get_data(as_text=True)))
        return response


def errors(page: str) -> list[str]:
    return re.findall(r'class="(?:error|field-error|flash error)"[^>]*>(.*?)<', page)[:5]


def test_hostile_words_in_every_text_that_reaches_an_email_never_lose_or_hold_up_mail(
        app, world, mailbox, deliver):
    """CR, LF, CRLF, U+2028, U+2029 and NUL, and each field as long as it takes, typed into
    every form whose words reach an email, by the people who may; then the outbox delivered.
    Before: the first reason with a line break stopped the pass (ValueError)."""
    from network.calendar.models import Answer, Rsvp
    from network.calendar.recurrence import occurrence_key
    from network.notify.models import Delivery
    from network.notify.services import send_digests
    from network.representation.models import ItemSupport
    from tests.factories import MembershipFactory, PersonFactory, make_report

    w = world
    nina = PersonFactory(email="nina@example.org", display_name="Nina Neighbour")
    MembershipFactory(person=nina, organisation=w.org_b)
    sid = PersonFactory(email="sid@example.org", display_name="Sid")
    contact, member, other = (Writer(app, p) for p in (w.contact, w.member, w.other_member))
    coordinator, admin, visitor = Writer(app, w.coordinator), Writer(app, w.admin), Writer(app)
    day = (now() + timedelta(days=20)).date().isoformat()

    # Who people are: display names and organisations' names
    for writer, who in ((contact, "Cora"), (member, "Mo"), (other, "Otto")):
        writer.send("/account", "/account", f"{who} name", has="display_name")
    contact.send(f"/organisations/{w.org_a.id}/edit", f"/organisations/{w.org_a.id}/edit",
                 "Alpha", {"website": "", "public_email": "", "phone": "",
                           "registered_number": "1234"})
    other.send(f"/organisations/{w.org_b.id}/edit", f"/organisations/{w.org_b.id}/edit",
               "Beta", {"website": "", "public_email": "", "phone": "",
                        "registered_number": "5678"})

    # Joining: an application, its decline, an invitation
    visitor.send("/join", "/join", "Delta", {
        "contact_email": "delta@example.org", "website": "", "public_email": "", "phone": "",
        "registered_number": "", "agree_memorandum": "y"})
    coordinator.send(f"/coordinate/applications/{w.application.id}",
                     f"/coordinate/applications/{w.application.id}/decline", "Declined")
    from network.members.models import Application

    joined = db.session.scalar(select(Application).order_by(Application.id.desc()))
    assert coordinator.client.post(
        f"/coordinate/applications/{joined.id}/approve").status_code == 303
    contact.send(f"/organisations/{w.org_a.id}/people", f"/organisations/{w.org_a.id}/people",
                 "Invited", {"email": "newcomer@example.org"}, has="email")
    admin.send(f"/coordinate/people/{sid.id}", f"/coordinate/people/{sid.id}/suspend",
               "Suspended")

    # The calendar: an event its followers hear of, answers, a place coming free, a change,
    # cancelled three ways
    for writer in (member, other):
        assert writer.client.post(f"/calendar/follow/{w.org_a.id}").status_code == 303
    contact.send("/calendar/new", "/calendar/new", "Event", {
        "starts_on": day, "starts_time": "18:00", "ends_time": "20:00", "capacity": "1",
        "online_link": ""})
    db.session.rollback()
    from network.calendar.models import Event

    event = db.session.scalar(select(Event).order_by(Event.id.desc()))
    member.client.post(f"/calendar/e/{event.id}/rsvp", data={"answer": "going"})
    other.client.post(f"/calendar/e/{event.id}/rsvp", data={"answer": "going"})  # waiting
    member.client.post(f"/calendar/e/{event.id}/rsvp", data={"answer": "not_going"})
    contact.send(f"/calendar/e/{event.id}/edit", f"/calendar/e/{event.id}/edit", "Changed", {
        "starts_on": day, "starts_time": "17:00", "ends_time": "20:00", "online_link": ""})
    contact.send(f"/calendar/e/{event.id}/cancel", f"/calendar/e/{event.id}/cancel",
                 "Cancelled")
    series = db.session.get(Event, w.event.id)
    from network.calendar.reads import occurrences_of

    # The series' first three dates, as the calendar counts them (its wall time kept across
    # a change of the clocks).
    starts = [found.original_start for found in occurrences_of(
        [series], series.starts_at, series.starts_at + timedelta(days=40))][:3]
    for person in (w.member, w.other_member):
        for start in starts:
            db.session.add(Rsvp(event_id=series.id, occurrence_start=start,
                                person_id=person.id, answer=Answer.GOING))
    db.session.commit()
    for start, scope in ((starts[0], "this"), (starts[1], "following")):
        at = occurrence_key(start)
        contact.send(f"/calendar/e/{series.id}/cancel?at={at}",
                     f"/calendar/e/{series.id}/cancel", f"Cancelled {scope}", {"scope": scope})

    # The sharing board: a listing, a message on it, hidden and back, matched, bookings
    contact.send("/board/new", "/board/new", "Listing", {"expires_on": "", "available_from": "",
                                                          "available_until": ""})
    from network.board.models import Listing

    listing = db.session.scalar(select(Listing).order_by(Listing.id.desc()))
    other.send(f"/board/l/{listing.id}/reply", f"/board/l/{listing.id}/reply", "Message")
    coordinator.send(f"/board/l/{listing.id}/hide", f"/board/l/{listing.id}/hide", "Hidden")
    coordinator.client.post(f"/board/l/{listing.id}/state", data={"action": "restore"})
    contact.send(f"/board/l/{listing.id}/settle", f"/board/l/{listing.id}/settle", "Settled",
                 {"outcome": "matched", "matched_with": str(w.org_b.id)})
    book = f"/board/l/{w.listing.id}/book"
    for n in (1, 2):
        other.send(book, book, f"Booking {n}", {
            "day": (now() + timedelta(days=30 + n)).date().isoformat(), "starts": "10:00",
            "ends": "12:00"})
    from network.board.models import Booking

    first, second = db.session.scalars(select(Booking).where(
        Booking.listing_id == w.listing.id).order_by(Booking.id.desc()).limit(2)).all()[::-1]
    contact.send(f"/board/b/{first.id}", f"/board/b/{first.id}/answer", "Declined booking",
                 {"answer": "decline"})
    contact.client.post(f"/board/b/{second.id}/answer", data={"answer": "approve"})
    other.send(f"/board/b/{second.id}", f"/board/b/{second.id}/cancel", "Cancelled booking")

    # The forum: a thread whose title and mention reach people, hidden and restored
    forum = f"/forum/c/{w.category.id}/new"
    member.send(forum, forum, "Thread", {"body": hostile("Hello @Nina Neighbour", 5000)})
    from network.forum.models import Post, PostState

    post = db.session.scalar(select(Post).order_by(Post.id.desc()))
    assert post.state == PostState.HELD  # a new member's first thread waits for approval
    assert coordinator.client.post(f"/forum/p/{post.id}/approve").status_code == 303
    coordinator.send(f"/forum/p/{post.id}/hide", f"/forum/p/{post.id}/hide", "Hidden post")
    coordinator.send(f"/forum/p/{post.id}/restore", f"/forum/p/{post.id}/restore",
                     "Restored post")

    # Representation: names of a body and a seat, an item raised and answered, a report
    # published and responded to, a response hidden
    draft = make_report(w.seat, w.member, w.org_a, days_ago=3, published=False)
    coordinator.send(f"/bodies/{w.body.id}/edit", f"/bodies/{w.body.id}/edit", "Body")
    coordinator.send(f"/seats/{w.seat.id}/edit", f"/seats/{w.seat.id}/edit", "Seat")
    coordinator.send(f"/bodies/{w.body.id}/seats/new", f"/bodies/{w.body.id}/seats/new",
                     "New seat")
    from network.representation.models import Seat

    new_seat = db.session.scalar(select(Seat).order_by(Seat.id.desc()))
    coordinator.send(f"/seats/{new_seat.id}/terms/new", f"/seats/{new_seat.id}/terms/new",
                     "Term", {"holder": str(w.contact.id), "deputy": str(w.other_member.id),
                              "selection": "elected", "starts_on": now().date().isoformat(),
                              "ends_on": (now() + timedelta(days=300)).date().isoformat()})
    contact.send(f"/seats/{w.seat.id}/items", f"/seats/{w.seat.id}/items", "Item")
    from network.representation.models import RaisedItem

    item = db.session.scalar(select(RaisedItem).order_by(RaisedItem.id.desc()))
    db.session.add(ItemSupport(item_id=item.id, person_id=w.other_member.id))
    db.session.commit()
    member.send(f"/items/{item.id}/answer", f"/items/{item.id}/answer", "Not taken",
                {"status": "not_taken"})
    member.send(f"/reports/{draft.id}/edit", f"/reports/{draft.id}/edit", "Report")
    member.client.post(f"/reports/{draft.id}/publish")
    contact.send(f"/reports/{draft.id}", f"/reports/{draft.id}/responses", "Response")
    coordinator.send(f"/report-responses/{w.response.id}/hide",
                     f"/report-responses/{w.response.id}/hide", "Hidden response")

    send_digests(Delivery.DAILY)
    queued = db.session.scalars(select(OutboxEmail)).all()
    while deliver()[0]:
        pass

    db.session.rollback()
    rows = db.session.scalars(select(OutboxEmail)).all()
    assert len(rows) == len(queued) == len(mailbox.messages)  # nothing lost
    assert [r.id for r in rows if r.sent_at is None or r.failed_at is not None] == []
    assert [r.subject for r in rows if not one_line(r.subject) or len(r.subject) > 200] == []
    for message in mailbox.messages:
        for value in message.values():
            assert one_line(value), value
    subjects = " | ".join(m["Subject"] for m in mailbox.messages)
    for expected in (
            "We have your application to join", "New application: Delta name Room flooded.",
            "Your application to join", "Welcome: Delta name Room flooded.",
            "invites you to join Alpha name Room flooded.",
            "Your account is suspended", "A place came free", "has changed: now",
            "Cancelled: “Changed title Room flooded. See the new date.", "Cancelled from ",
            "wrote about “Listing title", "was hidden by a coordinator",
            "is marked shared with your organisation", "ask to book",
            "Not booked: “", "Cancelled: the booking of", "mentioned you in “Thread title",
            "is approved and everyone can see it now", "A coordinator hid your post",
            "A coordinator restored your post",
            "You hold the seat “New seat title", "You are the deputy for the seat “New seat",
            "raised “Item title", "was not taken to the meeting", "Report back from Body name",
            "Your daily summary"):
        assert expected in subjects, expected
    # The reasons are in the bodies, line by line; a summary carries them too
    summary = mailbox.body(next(m for m in mailbox.to(w.contact.email)
                                if m["Subject"].startswith("Your daily summary")))
    assert "* Your response on the report from Body name Room flooded. See the new" in summary
    assert "\r\n  Hidden response reason Room flooded. See the new date. LF LS PS" in summary
    cancelled = next(m for m in mailbox.to(w.other_member.email)
                     if m["Subject"].startswith("Cancelled: “Changed title"))
    assert "Cancelled description" not in mailbox.body(cancelled)
    assert "\r\nCancelled reason Room flooded.\r\nSee the new date.\r\nLF\r\nLS\r\nPS" in (
        mailbox.body(cancelled))


# --- file names -------------------------------------------------------------------------------

def test_a_file_name_with_line_breaks_downloads_under_one_clean_line(app, world, client, login):
    """Uploads are renamed safely (safe_filename); download() takes any name as one line all
    the same (before: a line break was a 500, U+2028 and NUL went into the header)."""
    from network.core import files
    from network.representation.models import Body

    stored = db.session.get(files.StoredFile, world.paper.file_id)
    with app.test_request_context("/"):
        response = files.download(stored, hostile("Agenda", 300) + ".txt")
    disposition = response.headers["Content-Disposition"]
    assert one_line(disposition), disposition
    assert disposition.startswith("attachment; filename=")
    assert "Agenda Room flooded. See the new date. LF LS PS NUL CR" in disposition

    body = db.session.get(Body, world.body.id)
    body.name = hostile("Body", 120).replace("\x00", "")  # PostgreSQL refuses NUL in text
    db.session.commit()
    login(world.member)
    text = client.get(f"/reports/{world.report.id}.txt")
    assert text.status_code == 200
    disposition = text.headers["Content-Disposition"]
    assert one_line(disposition) and disposition.isascii(), disposition
    assert re.fullmatch(r"inline; filename=report-\d{4}-\d\d-\d\d-body-room-flooded-see-the-"
                        r"[a-z-]+\.txt", disposition), disposition
