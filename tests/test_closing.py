"""Closing an account (network/privacy/closing.py): by its person with their password, or by a
coordinator for someone who cannot log in; afterwards no string in any table holds their name
or address, and every page that showed their work still renders."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from network.auth.models import AccountToken, LoginSession, Person, TokenPurpose
from network.core.audit import AuditEntry
from network.core.files import Upload, sniff
from network.core.mail import OutboxEmail, queue_email
from network.core.time import now
from network.extensions import db
from network.forum.models import Post, PostRevision
from network.members.models import Membership
from network.privacy.closing import REMOVED, close_account
from network.representation.models import ActionStatus, Term
from tests.factories import (
    PASSWORD,
    ApplicationFactory,
    MembershipFactory,
    PersonFactory,
    first_post,
    make_event,
    make_listing,
    make_report,
    make_seat,
)
from tests.urls import feed_token, url

NAME = "Zebedee Quistclose"
EMAIL = "zebedee.quistclose@example.org"
WORDS = ["Zebedee", "Quistclose", "zebedee.quistclose"]  # the name's parts, the local part


def body(response) -> str:
    return response.get_data(as_text=True)


def everything(world, client):
    """Zebedee, a member of Alpha Tenants, who has done everything there is to do."""
    from network.board import services as board
    from network.calendar import attendance
    from network.calendar import services as calendar
    from network.calendar.models import Answer
    from network.core.throttle import ThrottleHit
    from network.forum import services as forum
    from network.representation import reporting
    from network.representation import services as representation
    from tests.factories import make_booking

    zeb = PersonFactory(email=EMAIL, display_name=NAME, locale="pl")
    MembershipFactory(person=zeb, organisation=world.org_a)
    db.session.commit()
    # A failed login and a real one (a session with its address and browser).
    client.post("/login", data={"email": EMAIL, "password": "wrong"})
    assert db.session.scalar(select(sa.func.count()).select_from(ThrottleHit)
                             .where(ThrottleHit.key.contains(EMAIL)))
    client.post("/login", data={"email": EMAIL, "password": PASSWORD},
                headers={"User-Agent": "Zebedee's browser"})
    client.get(url(client.application, "forum.thread", world))  # a read marker
    client.get("/")  # a home visit
    zeb = db.session.get(Person, zeb.id)
    # The forum: a thread started, a reply, an edited post (a revision), mentioned by another.
    opening = forum.start_thread(world.category, zeb, "Litter picking rota",
                                 "Who can pick litter on Saturdays?", None)
    answer = forum.reply(world.thread, zeb, "Our hall is free on Tuesdays.", None)
    forum.edit_post(opening, "Who can pick litter on Saturday mornings?")
    mention = forum.reply(world.thread, world.other_member, f"Thanks @{NAME}, Tuesdays suit us.",
                          None)
    for post in (opening, answer, mention):  # a coordinator lets a newcomer's posts through
        forum.approve(post, world.coordinator)
    # An event organised, and answers to one.
    picnic = make_event(world.org_a, zeb, "Riverside picnic", description="Bring a blanket.")
    attendance.answer(world.event, world.event.starts_at, zeb, Answer.GOING)
    calendar.follow(zeb, world.org_b.id, True)
    calendar.feed_token(zeb)
    # The board: a listing, a message in a conversation, a booking.
    listing = make_listing(world.org_a, zeb, "Folding chairs to lend",
                           description="Forty chairs.")
    board.add_message(world.conversation, zeb, "Mondays are fine by us.")
    booking = make_booking(world.listing, world.org_a, zeb, 12, purpose="Quiz night")
    # Representation: an item raised, another backed, a response, a seat held and reported
    # from, an action and its update, a paper.
    item = representation.raise_item(world.seat, zeb, "Crossing by the school",
                                     "It is dangerous at 3pm.", world.org_a.id, None)
    representation.back_item(world.item, zeb, True)
    reporting.respond(world.report, zeb, "Thank you for asking about the buses.", None, None,
                      None)
    seat = make_seat(world.body, "Tenants' seat", organisations=[world.org_a])
    db.session.add(Term(seat_id=seat.id, holder_id=zeb.id, selection="elected",
                        starts_on=now().date() - timedelta(days=300),
                        ends_on=now().date() - timedelta(days=1)))
    report = make_report(seat, zeb, world.org_a, summary="The council agreed the budget.")
    reporting.write_report(report, {"summary": "The council agreed the budget at last.",
                                    "decisions": "Budget passed.", "said": "We asked for more.",
                                    "audience": report.audience},
                           {}, zeb)
    action = reporting.add_action(report, "Publish the minutes", NAME,
                                  now().date() + timedelta(days=10), zeb)
    reporting.update_action(action, ActionStatus.IN_PROGRESS, "Drafted.", zeb)
    reporting.add_paper(report, Upload(b"Budget\n", sniff(b"Budget\n"), "budget.txt"),
                        "Budget", zeb)
    # Mail: an application they made, an email to them, another naming them.
    ApplicationFactory(contact_name=NAME, contact_email=EMAIL,
                       message=f"I am {NAME} of the Delta Allotments.")
    queue_email(world.member.email, f"A note about {NAME}", "email/account_suspended.txt",
                person=SimpleNamespace(display_name="Mo",
                                       suspended_reason=f"{NAME} ({EMAIL}) wrote to us."))
    db.session.add(AccountToken(person_id=zeb.id, purpose=TokenPurpose.EMAIL_CHANGE,
                                token_hash="x" * 64, new_email="zeb.new@example.org",
                                expires_at=now() + timedelta(days=1)))
    db.session.commit()
    return {"zeb": zeb.id, "opening": opening.id, "thread": opening.thread_id,
            "picnic": picnic.id, "listing": listing.id, "item": item.id, "seat": seat.id,
            "report": report.id, "booking": booking.id}


def strings_left(words) -> list[str]:
    """Every String, Text and JSON column of every table that holds any of the words."""
    found = []
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
        for column in columns:
            value = sa.cast(column, sa.Text)  # JSON as its text; an enum's values too
            for word in words:
                rows = db.session.execute(select(value).where(value.ilike(f"%{word}%"))).all()
                found += [f"{table.name}.{column.name}: {row[0]!r}"[:300] for row in rows]
    return found


def test_closing_an_account_that_did_everything_leaves_no_trace(app, world, client, login,
                                                                mailbox, deliver):
    made = everything(world, client)
    assert strings_left([NAME, EMAIL])  # the test would find them
    outbox_naming = db.session.scalars(select(OutboxEmail).where(
        OutboxEmail.body.contains(NAME) | OutboxEmail.subject.contains(NAME))).all()
    assert {email.to_address for email in outbox_naming} - {EMAIL}, "no email to another"
    assert any(email.to_address == EMAIL for email in db.session.scalars(select(OutboxEmail)))

    page = client.get("/account/close")
    assert page.status_code == 200 and "password" in body(page)
    response = client.post("/account/close", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 303 and response.headers["Location"] == "/account/closed"
    assert "Your account is closed" in body(client.get("/account/closed"))
    assert client.get("/account").status_code in (302, 303)  # logged out
    assert db.session.scalar(select(sa.func.count()).select_from(LoginSession).where(
        LoginSession.person_id == made["zeb"])) == 0

    deliver()
    farewell = mailbox.last_to(EMAIL)
    assert "zostało zamknięte" in farewell["Subject"]  # in their language
    db.session.rollback()
    left = strings_left([NAME, EMAIL, *WORDS])
    assert not left, "\n".join(left)
    zeb = db.session.get(Person, made["zeb"])
    assert zeb.is_closed and zeb.email == f"closed-{zeb.id}@invalid" and zeb.name
    assert db.session.scalar(select(sa.func.count()).select_from(Membership).where(
        Membership.person_id == zeb.id, Membership.left_at.is_(None))) == 0
    # Others' mail that named them now says "a former member".
    assert any("a former member" in (email.subject + email.body)
               for email in db.session.scalars(select(OutboxEmail)))
    login(world.member)
    pages = [
        url(app, "forum.thread", world),
        f"/forum/t/{made['thread']}",
        url(app, "calendar.event", world, {"event_id": made["picnic"], "slug": "x"}),
        url(app, "calendar.event", world),
        url(app, "board.listing", world, {"listing_id": made["listing"], "slug": "x"}),
        url(app, "board.conversation", world),
        url(app, "board.bookings", world),
        url(app, "board.booking", world, {"booking_id": made["booking"]}),
        url(app, "representation.report", world, {"report_id": made["report"]}),
        url(app, "representation.report", world),
        url(app, "representation.seat", world, {"seat_id": made["seat"]}),
        url(app, "representation.seat_record", world, {"seat_id": made["seat"]}),
        url(app, "representation.body_record", world),
        url(app, "representation.body", world),
        url(app, "search.search", world, {"q": "litter"}),
        url(app, "search.search", world, {"q": "chairs"}),
        url(app, "calendar.private_feed", world,
            {"person_id": world.member.id, "token": feed_token(world.member)}),
        url(app, "calendar.public_feed", world),
        "/bulletin",
        "/",
    ]
    for path in pages:
        answer = client.get(path, follow_redirects=True)
        assert answer.status_code == 200, path
        text = body(answer)
        for word in (NAME, EMAIL, *WORDS):
            assert word not in text, f"{word} on {path}"
    thread = body(client.get(f"/forum/t/{made['thread']}", follow_redirects=True))
    assert "Who can pick litter on Saturday mornings?" in thread  # their words stay
    # ... under no name: where the pages showed theirs, they read "a former member".
    for path in (f"/forum/t/{made['thread']}", pages[4], pages[7], pages[8],
                 pages[10]):
        assert "a former member" in body(client.get(path, follow_redirects=True)), path
    found = body(client.get(url(app, "search.search", world, {"q": "litter"})))
    assert "Litter picking rota" in found
    # The coordinators' page says it is closed.
    client.post("/logout")
    login(world.coordinator)
    person_page = body(client.get(f"/coordinate/people/{zeb.id}"))
    assert "Account closed on" in person_page


def test_a_wrong_password_changes_nothing(app, world, client, login):
    login(world.member)
    response = client.post("/account/close", data={"password": "not it", "confirm": "y"})
    assert response.status_code == 422
    assert "That is not your current password." in body(response)
    db.session.rollback()
    member = db.session.get(Person, world.member.id)
    assert member.closed_at is None and member.display_name == "Mo Member"
    assert client.get("/account").status_code == 200  # still logged in
    unticked = client.post("/account/close", data={"password": PASSWORD})
    assert unticked.status_code == 422 and "Tick the box" in body(unticked)
    assert db.session.get(Person, world.member.id).closed_at is None


def test_the_last_contact_is_told_to_hand_over_first(app, world, client, login):
    login(world.contact)
    page = body(client.get("/account/close"))
    assert "Hand over first" in page and f"/organisations/{world.org_a.id}/people" in page
    response = client.post("/account/close", data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 422
    assert "only contact of Alpha Tenants" in body(response)
    db.session.rollback()
    assert db.session.get(Person, world.contact.id).closed_at is None
    # Once someone else is a contact too, it closes.
    membership = db.session.scalar(select(Membership).where(
        Membership.person_id == world.member.id, Membership.left_at.is_(None)))
    membership.is_contact = True
    db.session.commit()
    assert client.post("/account/close", data={"password": PASSWORD,
                                                "confirm": "y"}).status_code == 303


def test_a_closed_account_cannot_log_in_or_reset_its_password(app, world, client, login,
                                                              mailbox, deliver):
    member = db.session.get(Person, world.member.id)
    assert close_account(member, member)
    db.session.commit()
    deliver()
    assert len(mailbox.to("member@example.org")) == 1  # the last email, and no more
    for email in ("member@example.org", f"closed-{member.id}@invalid"):
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 422, email
        client.post("/password/forgot", data={"email": email})
    db.session.rollback()
    assert db.session.scalar(select(sa.func.count()).select_from(OutboxEmail).where(
        OutboxEmail.sent_at.is_(None))) == 0
    # The last email's address and body went once it was sent.
    sent = db.session.scalar(select(OutboxEmail).order_by(OutboxEmail.id.desc()))
    assert sent.sent_at is not None and sent.to_address == "" and sent.body == ""


def test_closing_twice_changes_nothing_and_sends_nothing(app, world, client, login):
    member = db.session.get(Person, world.member.id)
    assert close_account(member, member) is True
    db.session.commit()
    emails = db.session.scalar(select(sa.func.count()).select_from(OutboxEmail))
    entries = db.session.scalar(select(sa.func.count()).select_from(AuditEntry))
    assert close_account(member, world.coordinator) is False
    db.session.commit()
    assert db.session.scalar(select(sa.func.count()).select_from(OutboxEmail)) == emails
    assert db.session.scalar(select(sa.func.count()).select_from(AuditEntry)) == entries
    login(world.coordinator)
    response = client.post(f"/people/{member.id}/close",
                           data={"reference": "letter of 3 Dec", "confirm": "y"})
    assert response.status_code == 303
    assert "already closed" in body(client.get(response.headers["Location"]))


def test_a_coordinator_closes_an_account_by_letter(app, world, client, login, mailbox,
                                                    deliver):
    login(world.coordinator)
    page = body(client.get(f"/coordinate/people/{world.member.id}"))
    assert f"/people/{world.member.id}/close" in page
    form = client.get(f"/people/{world.member.id}/close")
    assert form.status_code == 200 and "Reason or reference" in body(form)
    missing = client.post(f"/people/{world.member.id}/close", data={"confirm": "y"})
    assert missing.status_code == 422
    response = client.post(f"/people/{world.member.id}/close",
                           data={"reference": "letter of 3 Dec", "confirm": "y"})
    assert response.status_code == 303
    db.session.rollback()
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.close"))
    assert entry.target_id == world.member.id and entry.actor_id == world.coordinator.id
    assert entry.details == {"reference": "letter of 3 Dec"}
    assert "Mo Member" not in entry.summary and "member@example.org" not in str(entry.details)
    deliver()
    assert "coordinators have closed" in mailbox.body(mailbox.last_to("member@example.org"))
    db.session.rollback()
    assert not strings_left(["Mo Member", "member@example.org"])
    assert "Account closed on" in body(client.get(f"/coordinate/people/{world.member.id}"))


def test_who_may_close_whose_account(app, world, client, login):
    login(world.member)
    assert client.post(f"/people/{world.other_member.id}/close",
                       data={"reference": "x", "confirm": "y"}).status_code in (403, 404)
    client.post("/logout")
    login(world.coordinator)
    for target in (world.admin, world.coordinator):  # an admin's, and their own
        assert client.post(f"/people/{target.id}/close",
                           data={"reference": "x", "confirm": "y"}).status_code == 403
    client.post("/logout")
    login(world.admin)
    assert client.post(f"/people/{world.coordinator.id}/close",
                       data={"reference": "letter", "confirm": "y"}).status_code == 303
    db.session.rollback()
    assert db.session.get(Person, world.coordinator.id).is_closed
    assert db.session.get(Person, world.other_member.id).closed_at is None
    assert db.session.get(Person, world.admin.id).closed_at is None


def test_a_closed_account_is_not_suspended_reinstated_paused_or_given_a_role(app, world,
                                                                             client, login):
    # Its person page offered all four after closing: "a former member can log in again"
    # was untrue, and a suspension's reason was new text about someone erased.
    member = db.session.get(Person, world.member.id)
    assert close_account(member, world.coordinator) is True
    db.session.commit()
    login(world.admin)
    page = body(client.get(f"/coordinate/people/{member.id}"))
    assert "Account closed on" in page
    # Not the placeholder address closing leaves (it reads like a real one), nor a choice
    # about a name that is gone.
    assert "@invalid" not in page and "erased when the account was closed" in page
    assert "Name to visitors" not in page
    listed = body(client.get("/coordinate/people"))
    assert "@invalid" not in listed and "account closed" in listed
    for gone in ("suspend", "reinstate", "role", "pause"):
        assert f"/people/{member.id}/{gone}" not in page
    assert client.post(f"/forum/people/{member.id}/pause",
                       data={"days": "7", "reason": "x"}).status_code == 403
    assert client.post(f"/coordinate/people/{member.id}/suspend",
                       data={"reason": "Mo Member again"}).status_code == 403
    assert client.post(f"/coordinate/people/{member.id}/reinstate").status_code == 403
    assert client.post(f"/coordinate/people/{member.id}/role",
                       data={"role": "coordinator"}).status_code == 403
    db.session.rollback()
    member = db.session.get(Person, member.id)
    assert member.suspended_at is None and member.suspended_reason in (None, "")
    assert member.role.value == "member"
    # Pressing "Close the account" again still says it was already closed.
    response = client.post(f"/people/{member.id}/close",
                           data={"reference": "letter of 3 Dec", "confirm": "y"})
    assert response.status_code == 303


@pytest.fixture
def removing(make_app):
    app = make_app(CLOSED_ACCOUNT_TEXT="remove")
    with app.app_context():
        yield app
        db.session.remove()


def test_remove_replaces_the_text_and_keeps_the_rows(removing):
    from network.forum import services as forum
    from tests.factories import build_world

    world = build_world()
    member = db.session.get(Person, world.member.id)
    post = first_post(world.thread)
    forum.edit_post(post, "Who has a hall to lend?")
    db.session.commit()
    assert close_account(member, member)
    db.session.commit()
    assert db.session.get(Post, post.id).body == REMOVED
    assert {r.body for r in db.session.scalars(select(PostRevision).where(
        PostRevision.post_id == post.id))} == {REMOVED}
    assert not strings_left(["Who has a hall", "The board agreed the plan."])
    assert db.session.get(Post, post.id).author_id == member.id
    client = removing.test_client()
    client.post("/login", data={"email": world.other_member.email, "password": PASSWORD})
    page = client.get(url(removing, "forum.thread", world,
                          {"thread_id": world.thread.id, "slug": world.thread.slug}))
    assert page.status_code == 200 and REMOVED in body(page)


def test_a_short_name_is_replaced_as_a_whole_word_and_an_address_in_any_case():
    from network.privacy.scrub import Scrubber

    scrub = Scrubber("Al", "Al@Example.org", 7)
    assert scrub.text("Alpha Tenants welcomed Al, and @Al replied (AL@EXAMPLE.ORG).") == (
        "Alpha Tenants welcomed a former member, and a former member replied "
        "(closed-7@invalid).")
    assert scrub.any({"who": ["Al", 3], "Al": "Salt"}) == {
        "who": ["a former member", 3], "a former member": "Salt"}


def test_a_seat_they_hold_ends_the_day_they_close_and_they_are_no_ones_deputy(app, world):
    from network.core.time import today
    from network.representation.models import Selection

    member = db.session.get(Person, world.member.id)
    day = today()
    later = Term(seat_id=world.seat.id, holder_id=member.id, selection=Selection.ELECTED,
                 starts_on=world.term.ends_on + timedelta(days=1),
                 ends_on=world.term.ends_on + timedelta(days=700))
    elsewhere = make_seat(world.body, "Youth seat")
    deputising = Term(seat_id=elsewhere.id, holder_id=world.contact.id, deputy_id=member.id,
                      selection=Selection.NOMINATED, starts_on=day - timedelta(days=5),
                      ends_on=day + timedelta(days=300))
    db.session.add_all([later, deputising])
    db.session.commit()
    later_id, deputising_id = later.id, deputising.id
    assert close_account(member, db.session.get(Person, world.coordinator.id))
    db.session.commit()
    assert db.session.get(Term, world.term.id).ends_on == day  # held until today, then vacant
    assert db.session.get(Term, later_id) is None  # not begun: gone
    assert db.session.get(Term, deputising_id).deputy_id is None
    assert db.session.get(Term, deputising_id).holder_id == world.contact.id
    ended = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.in_(["seat.term.edit", "seat.term.remove"]))).all()
    assert len(ended) == 2 and all("Mo Member" not in entry.summary for entry in ended)
    assert not close_account(member, member)  # twice: nothing more


def test_the_close_page_tells_a_seat_holder_their_term_ends(app, world, client, login):
    login(world.member)  # holds the world's seat
    page = body(client.get("/account/close"))
    assert "your term on Voluntary sector seat ends today" in page
    assert "#data-heading" in page  # the way to a copy first
    client.post("/logout")
    login(world.coordinator)
    assert "Their term on Voluntary sector seat ends today." in body(
        client.get(f"/people/{world.member.id}/close"))


def test_their_own_words_stay_without_their_name_or_address(app, world):
    from network.forum import services as forum

    member = db.session.get(Person, world.member.id)
    post = first_post(world.thread)
    forum.edit_post(post, "Hello, I'm Mo Member. Write to member@example.org for the hall.")
    forum.edit_post(post, "Hello, I'm Mo Member. Write to me for the hall.")
    db.session.commit()
    assert close_account(member, member)
    db.session.commit()
    assert db.session.get(Post, post.id).body == "Hello, I'm a former member. Write to me for " \
                                                 "the hall."
    earlier = {revision.body for revision in db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id))}
    assert any(text.startswith("Hello, I'm a former member. Write to closed-") for text in earlier)
    # Only the last email to them, erased once sent (the first test sends it), holds either.
    assert {place.split(":")[0] for place in strings_left(["Mo Member", "member@example.org"])
            } == {"outbox_email.to_address", "outbox_email.body"}
