"""A real URL for every endpoint in the URL map, built from a world of test or demo objects.

Tests that walk the whole site (permissions, page weight, accessibility, no change on GET) use
this, so a new route without an entry here fails them until someone says how to reach it.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import Flask, url_for

# What the page walks skip: answers that are not HTML pages (JSON for hosting platforms,
# calendar files, downloads). Their own tests read them.
NOT_PAGES = {"pages.healthz", "calendar.download", "calendar.public_feed",
             "calendar.private_feed", "calendar.paper", "representation.report_paper",
             "representation.report_text", "impact.organisation_csv", "impact.network_csv",
             "bulletin.text", "bulletin.latest_text", "privacy.download_archive"}


def args_for(endpoint: str, w: SimpleNamespace) -> dict:
    """URL arguments for an endpoint (none for most); a missing entry fails url_for."""
    table = {
        "members.organisation": {"org_id": w.org_a.id, "slug": w.org_a.slug},
        "members.edit_organisation": {"org_id": w.org_a.id},
        "impact.organisation": {"org_id": w.org_a.id},
        "impact.organisation_csv": {"org_id": w.org_a.id},
        "members.people": {"org_id": w.org_a.id},
        "members.confirm_active": {"org_id": w.org_a.id},
        "members.change_status": {"org_id": w.org_a.id},
        "members.remove_person": {"org_id": w.org_a.id, "membership_id": w.member_membership.id},
        "members.set_contact": {"org_id": w.org_a.id, "membership_id": w.member_membership.id},
        "members.resend_invitation": {"org_id": w.org_a.id, "invitation_id": w.invitation.id},
        "members.cancel_invitation": {"org_id": w.org_a.id, "invitation_id": w.invitation.id},
        "members.accept_invitation": {"token": w.invitation_token},
        "auth.reset_password": {"token": "not-a-real-token"},
        "auth.confirm_email": {"token": "not-a-real-token"},
        "auth.cancel_email_change": {"token": "not-a-real-token"},
        "coordination.application": {"application_id": w.application.id},
        "coordination.approve": {"application_id": w.application.id},
        "coordination.decline": {"application_id": w.application.id},
        "coordination.person": {"person_id": w.member.id},
        "coordination.set_role": {"person_id": w.member.id},
        "coordination.suspend": {"person_id": w.member.id},
        "coordination.reinstate": {"person_id": w.member.id},
        "privacy.close_for": {"person_id": w.member.id},
        "coordination.list_entries": {"kind": "areas"},
        "coordination.edit_list_entry": {"kind": "themes", "entry_id": w.housing.id},
        "coordination.archive_list_entry": {"kind": "areas", "entry_id": w.north.id},
        "forum.category": {"category_id": w.category.id, "slug": w.category.slug},
        "forum.new_thread": {"category_id": w.category.id},
        "forum.edit_category": {"category_id": w.category.id},
        "forum.thread": {"thread_id": w.thread.id, "slug": w.thread.slug},
        "forum.set_thread_state": {"thread_id": w.thread.id, "action": "pin"},
        **{endpoint: {"thread_id": w.thread.id} for endpoint in (
            "forum.first_unread", "forum.reply", "forum.reply_page", "forum.watch",
            "forum.manage_thread", "forum.move_thread", "forum.rename_thread")},
        **{endpoint: {"post_id": w.own_post.id} for endpoint in (
            "forum.edit_post", "forum.post_history")},
        **{endpoint: {"post_id": w.post.id} for endpoint in (
            "forum.post", "forum.flag_post", "forum.approve_post", "forum.hide_post",
            "forum.restore_post", "forum.dismiss_flags")},
        "forum.pause_posting": {"person_id": w.member.id},
        "forum.lift_pause": {"person_id": w.member.id},
        **{endpoint: {"event_id": w.event.id} for endpoint in (
            "calendar.rsvp", "calendar.edit_event", "calendar.cancel_event",
            "calendar.add_paper", "calendar.download")},
        "calendar.event": {"event_id": w.event.id, "slug": w.event.slug},
        "calendar.paper": {"paper_id": w.paper.id, "filename": w.paper.filename},
        "calendar.follow": {"org_id": w.org_a.id},
        **{endpoint: {"source_id": w.calendar_source.id} for endpoint in (
            "calendar.edit_source", "calendar.import_source", "calendar.remove_source")},
        "board.listing": {"listing_id": w.listing.id, "slug": w.listing.slug},
        **{endpoint: {"listing_id": w.listing.id} for endpoint in (
            "board.edit_listing", "board.settle", "board.change_state", "board.hide_listing",
            "board.reply", "board.reply_page", "board.bookings", "board.book",
            "board.book_page")},
        **{endpoint: {"booking_id": w.booking.id} for endpoint in (
            "board.booking", "board.answer_booking", "board.cancel_booking")},
        "board.conversation": {"conversation_id": w.conversation.id},
        "representation.body": {"body_id": w.body.id, "slug": w.body.slug},
        **{endpoint: {"body_id": w.body.id} for endpoint in (
            "representation.edit_body", "representation.new_seat")},
        **{endpoint: {"seat_id": w.seat.id} for endpoint in (
            "representation.edit_seat", "representation.new_term", "representation.seat",
            "representation.raise_item", "representation.new_report",
            "representation.seat_record")},
        "representation.body_record": {"body_id": w.body.id},
        "representation.archive_body": {"body_id": w.body.id},
        "representation.archive_seat": {"seat_id": w.seat.id},
        "representation.edit_term": {"term_id": w.term.id},
        **{endpoint: {"item_id": w.item.id} for endpoint in (
            "representation.back_item", "representation.answer_item")},
        **{endpoint: {"report_id": w.report.id} for endpoint in (
            "representation.report", "representation.report_text",
            "representation.edit_report", "representation.add_action",
            "representation.add_question", "representation.add_report_paper",
            "representation.publish_report", "representation.respond",
            "representation.mark_read")},
        **{endpoint: {"action_id": w.report_action.id} for endpoint in (
            "representation.action", "representation.update_action")},
        "representation.report_paper": {"paper_id": w.report_paper.id,
                                        "filename": w.report_paper.filename},
        "representation.hide_response": {"response_id": w.response.id},
        "calendar.private_feed": {"person_id": w.member.id, "token": feed_token(w.member)},
        "notify.open_notification": {"notification_id": w.notification.id},
        "notify.unsubscribe": {"token": w.unsubscribe_token},
        **{endpoint: {"number": w.bulletin_issue.number} for endpoint in (
            "bulletin.issue", "bulletin.text")},
        "search.search": {"q": "hall"},  # results, not the empty box
        **{endpoint: {"token": w.data_export_token} for endpoint in (
            "privacy.archive", "privacy.download_archive")},  # the member's
    }
    return table.get(endpoint, {})


def feed_token(person) -> str:
    from network.calendar.services import feed_token

    return feed_token(person)


def state_variants(w: SimpleNamespace, s: SimpleNamespace) -> dict[str, dict[str, dict]]:
    """{endpoint: {state: URL arguments}}: the same routes on objects in the states that
    change who may see or do what (tests/factories.add_states builds them)."""
    def thread(t):
        return {"thread_id": t.id, "slug": t.slug}

    def post(p):
        return {"post_id": p.id}

    return {
        "forum.thread": {"held": thread(s.held_thread), "restricted": thread(s.secret_thread),
                         "archived": thread(s.archived_thread)},
        "forum.reply": {"held": {"thread_id": s.held_thread.id},
                        "restricted": {"thread_id": s.secret_thread.id},
                        "archived": {"thread_id": s.archived_thread.id}},
        "forum.post": {"hidden": post(s.hidden_post), "held": post(s.held_post),
                       "restricted": post(s.secret_post)},
        "forum.edit_post": {"held": post(s.held_post), "hidden": post(s.hidden_post)},
        "forum.approve_post": {"held": post(s.held_post)},
        "forum.restore_post": {"hidden": post(s.hidden_post)},
        "forum.category": {
            "restricted": {"category_id": w.coordinators_room.id,
                           "slug": w.coordinators_room.slug},
            "archived": {"category_id": s.archived_category.id,
                         "slug": s.archived_category.slug}},
        "forum.new_thread": {"restricted": {"category_id": w.coordinators_room.id},
                             "archived": {"category_id": s.archived_category.id}},
        "members.organisation": {
            state: {"org_id": org.id, "slug": org.slug} for state, org in (
                ("applied", s.applied_org), ("suspended", s.suspended_org),
                ("left", s.left_org))},
        **{endpoint: {"applied": {"org_id": s.applied_org.id}}
           for endpoint in ("impact.organisation", "impact.organisation_csv")},
        "members.edit_organisation": {"applied": {"org_id": s.applied_org.id},
                                      "left": {"org_id": s.left_org.id}},
        "coordination.person": {"suspended": {"person_id": s.suspended_person.id}},
        "coordination.suspend": {"a coordinator": {"person_id": w.coordinator.id}},
        "privacy.close_for": {"a coordinator": {"person_id": w.coordinator.id}},
        "calendar.event": {"public": {"event_id": s.public_event.id,
                                      "slug": s.public_event.slug}},
        "calendar.download": {"public": {"event_id": s.public_event.id}},
        "calendar.paper": {"public": {"paper_id": s.public_paper.id,
                                      "filename": s.public_paper.filename}},
        **{endpoint: {"another organisation's": {"event_id": s.other_event.id}}
           for endpoint in ("calendar.edit_event", "calendar.cancel_event",
                            "calendar.add_paper")},
        "board.listing": {"hidden": {"listing_id": s.hidden_listing.id,
                                     "slug": s.hidden_listing.slug}},
        **{endpoint: {"another organisation's": {"listing_id": s.other_listing.id}}
           for endpoint in ("board.edit_listing", "board.settle")},
        "board.bookings": {"not bookable": {"listing_id": s.other_listing.id}},
        "board.book": {"not bookable": {"listing_id": s.other_listing.id},
                       "closed": {"listing_id": s.closed_hall.id}},
        "board.answer_booking": {state: {"booking_id": booking.id} for state, booking in (
            ("approved", s.approved_booking), ("declined", s.declined_booking),
            ("withdrawn", s.withdrawn_booking))},
        "representation.body": {"public": {"body_id": s.public_body.id,
                                           "slug": s.public_body.slug}},
        "representation.edit_body": {"public": {"body_id": s.public_body.id}},
        **{endpoint: {"public": {"report_id": s.public_report.id},
                      "draft": {"report_id": s.draft_report.id}}
           for endpoint in ("representation.report", "representation.report_text",
                            "representation.edit_report", "representation.respond")},
        "representation.seat": {"public": {"seat_id": s.public_seat.id}},
        "representation.body_record": {"public": {"body_id": s.public_body.id},
                                       "archived": {"body_id": s.archived_body.id}},
        "representation.seat_record": {"public": {"seat_id": s.public_seat.id}},
        "representation.raise_item": {"public": {"seat_id": s.public_seat.id}},
        "representation.back_item": {"answered": {"item_id": s.answered_item.id}},
        "board.cancel_booking": {state: {"booking_id": booking.id} for state, booking in (
            ("cancelled", s.cancelled_booking), ("approved", s.approved_booking),
            ("declined", s.declined_booking), ("withdrawn", s.withdrawn_booking))},
        "calendar.private_feed": {"a wrong token": {"person_id": w.member.id,
                                                    "token": "x" * 43}},
    }


def endpoints(app: Flask) -> dict[str, set[str]]:
    """Every endpoint but static files, with the methods it answers."""
    found: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        found.setdefault(rule.endpoint, set()).update(rule.methods - {"HEAD", "OPTIONS"})
    return found


def url(app: Flask, endpoint: str, w: SimpleNamespace, args: dict | None = None) -> str:
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        return url_for(endpoint, **(args_for(endpoint, w) if args is None else args))


# One person of each role in the demo borough, for the tests that walk every page as each:
# "contact" and "member" are in demo_world()'s org_a; "other_member" is a contact elsewhere.
DEMO_PEOPLE: dict[str, str | None] = {
    "visitor": None,
    "associate": "frank@example.org",
    "member": "ravi@example.org",
    "contact": "pat@example.org",
    "other_member": "grace@example.org",
    "coordinator": "coordinator@example.org",
    "admin": "admin@example.org",
}


def demo_world() -> SimpleNamespace:
    """The objects tests/urls.py needs, taken from the demo borough (call inside an app context
    after network.demo.load_demo())."""
    from datetime import timedelta

    from sqlalchemy import select

    from network.auth.models import Person
    from network.board.models import Booking, BookingStatus, Conversation, Listing
    from network.calendar.models import CalendarSource, Event, Paper
    from network.core.tokens import new_token
    from network.extensions import db
    from network.members.models import (
        Application,
        Area,
        Invitation,
        Membership,
        Organisation,
        OrgStatus,
        Theme,
    )
    from network.representation.models import (
        Action,
        Body,
        RaisedItem,
        Report,
        ReportPaper,
        Response,
        Seat,
        Term,
    )

    def one(query):
        return db.session.scalar(query)

    from network.core.time import now
    from network.forum.models import Category, Post, Thread
    from network.notify.models import Delivery, Notification
    from network.notify.services import unsubscribe_token

    org_a = one(select(Organisation).where(Organisation.name == "Riverside Tenants' Federation"))
    member = one(select(Person).where(Person.email == "ravi@example.org"))
    admin = one(select(Person).where(Person.email == "admin@example.org"))
    thread = one(select(Thread).where(Thread.title.like("Borrowing the Millfield hall%")))
    notification = Notification(person_id=admin.id, kind="forum.reply", subject="A reply",
                                url=f"/forum/t/{thread.id}", delivery=Delivery.DAILY)
    db.session.add(notification)
    raw, hashed = new_token()
    invitation = Invitation(organisation=org_a, email="newcomer@example.org", name="Newcomer",
                            token_hash=hashed, expires_at=now() + timedelta(days=14))
    db.session.add(invitation)
    from network.privacy.models import DataExport

    data_export_token, hashed = new_token()  # the member's archive, asked for a while ago
    db.session.add(DataExport(person_id=member.id, token_hash=hashed,
                              created_at=now() - timedelta(minutes=10),
                              expires_at=now() + timedelta(minutes=20)))
    db.session.commit()
    event = one(select(Event).where(Event.title == "Federation open meeting"))
    report = one(select(Report).join(Report.questions))  # the partnership's latest
    from network.bulletin.services import issue_for
    from network.core.time import today

    bulletin_issue = issue_for(today() - timedelta(days=today().weekday()))
    calendar_source = one(select(CalendarSource).where(
        CalendarSource.name == "Council committee dates"))
    listing = one(select(Listing).where(Listing.title.like("Community hall for meetings%")))
    return SimpleNamespace(
        bulletin_issue=bulletin_issue, calendar_source=calendar_source,
        category=thread.category, thread=thread, event=event, listing=listing,
        conversation=one(select(Conversation).where(Conversation.listing_id == listing.id)),
        body=one(select(Body).where(Body.name == "Health and Wellbeing Board")),
        seat=one(select(Seat).where(Seat.title == "Neighbourhoods seat")),
        term=one(select(Term).join(Seat).where(Seat.title == "Neighbourhoods seat")),
        report=report, report_paper=one(select(ReportPaper).where(
            ReportPaper.report_id == report.id)),
        report_action=one(select(Action).where(Action.report_id == report.id).limit(1)),
        item=one(select(RaisedItem).where(RaisedItem.title.like("Interpreters%"))),
        response=one(select(Response).where(Response.report_id == report.id).limit(1)),
        booking=one(select(Booking).where(Booking.listing_id == listing.id,
                                          Booking.status == BookingStatus.REQUESTED)),
        paper=one(select(Paper).where(Paper.event_id == event.id)),
        # The admin's own post, so the pages that walk as admin reach its edit page.
        own_post=one(select(Post).where(Post.author_id == admin.id).limit(1)),
        post=one(select(Post).where(Post.thread_id == thread.id).order_by(Post.id.desc())
                 .limit(1)),
        notification=notification, unsubscribe_token=unsubscribe_token(admin, "forum.reply"),
        coordinators_room=one(select(Category).where(Category.name == "Coordinators' room")),
        org_a=org_a, member=member, invitation=invitation, invitation_token=raw,
        data_export_token=data_export_token,
        member_membership=one(select(Membership).where(Membership.person_id == member.id)),
        application=one(select(Application).join(Application.organisation)
                        .where(Organisation.status == OrgStatus.APPLIED)),
        housing=one(select(Theme).where(Theme.name == "Housing")),
        north=one(select(Area).where(Area.name == "Northbank")),
    )


# The kinds of event page that show different things (answers, places, cancellations, moves,
# closing dates, the past, a body's meeting): the page walks open one of each, not only the
# demo's first event.
EVENT_STATES = ("answers off", "answers on, with places", "full, with a waiting list",
                "cancelled", "a cancelled occurrence", "a moved occurrence", "a consultation",
                "a past meeting", "a members' body meeting")


def demo_event_pages() -> dict[str, str]:
    """{state: path} of an event in each of EVENT_STATES, from the demo borough (call inside
    an app context after network.demo.load_demo()). The two states the demo has no event in
    are added, once: a workshop whose one place is taken, with the admin waiting (the walks
    look as the admin), and a cancelled gathering."""
    from datetime import time, timedelta

    from sqlalchemy import select

    from network.auth.models import Person
    from network.calendar import attendance, reads, services
    from network.calendar.models import Answer, Event, EventKind, OccurrenceChange
    from network.core.audience import Audience
    from network.core.time import local_moment, now, today
    from network.extensions import db
    from network.representation.models import Body

    def event(title: str) -> Event:
        return db.session.scalar(select(Event).where(Event.title == title))

    def person(email: str) -> Person:
        return db.session.scalar(select(Person).where(Person.email == email))

    def changed(found: Event, *where) -> OccurrenceChange:
        return db.session.scalar(select(OccurrenceChange).where(
            OccurrenceChange.event_id == found.id, *where))

    federation, breakfast = event("Federation open meeting"), event("Faith leaders' breakfast")
    if event("Workshop with one place") is None:
        pat, admin = person("pat@example.org"), person("admin@example.org")
        starts = local_moment(today() + timedelta(days=12), time(10, 0))
        values = {"kind": EventKind.TRAINING, "audience": Audience.PUBLIC,
                  "starts_at": starts, "ends_at": starts + timedelta(hours=2),
                  "all_day": False, "place": "Northbank Community Centre",
                  "online_link": "", "description": "", "rsvp": True, "access_note": "",
                  "closes_at": None, "area_id": None}
        workshop = services.create_event(federation.organisation_id, pat, {
            **values, "title": "Workshop with one place", "capacity": 1}, [], None)
        db.session.flush()
        attendance.answer(workshop, workshop.starts_at, pat, Answer.GOING)
        attendance.answer(workshop, workshop.starts_at, admin, Answer.GOING)
        gathering = services.create_event(federation.organisation_id, pat, {
            **values, "title": "Gathering called off", "capacity": None}, [], None)
        services.cancel(gathering, "all", None, "The hall is flooded.", pat)
        db.session.commit()
    board = event("Strategic Partnership board meeting")
    held = [found for found in reads.occurrences_of(
        [board], now() - timedelta(days=62), now()) if found.starts_at < now()][-1]
    members_meeting = db.session.scalar(
        select(Event).join(Body, Body.id == Event.body_id)
        .where(Body.audience == Audience.MEMBERS, Event.starts_at > now())
        .order_by(Event.starts_at).limit(1))
    return {
        "answers off": reads.event_path(event("Community food festival")),
        "answers on, with places": reads.event_path(
            event("Money worries: training for volunteers")),
        "full, with a waiting list": reads.event_path(event("Workshop with one place")),
        "cancelled": reads.event_path(event("Gathering called off")),
        "a cancelled occurrence": reads.event_path(
            breakfast, changed(breakfast, OccurrenceChange.cancelled.is_(True)).original_start),
        "a moved occurrence": reads.event_path(
            federation, changed(federation, OccurrenceChange.starts_at.is_not(None))
            .original_start),
        "a consultation": reads.event_path(
            event("Consultation: the canal towpath plans")),
        "a past meeting": reads.event_path(board, held.original_start),
        "a members' body meeting": reads.event_path(members_meeting),
    }
