"""factory_boy factories, and the small world of people and organisations most tests use."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from types import SimpleNamespace

import factory
import sqlalchemy as sa
from factory.alchemy import SQLAlchemyModelFactory

from network.auth.models import Person, Role
from network.auth.passwords import hash_password
from network.calendar import services as calendar
from network.calendar.models import Event, EventKind, Paper
from network.core.audience import Audience
from network.core.time import now
from network.core.tokens import new_token
from network.extensions import db
from network.forum.models import Category, Post, PostState, Thread, ThreadWatch
from network.forum.services import refresh_thread
from network.members.models import (
    Application,
    Area,
    Invitation,
    Membership,
    Organisation,
    OrgKind,
    OrgStatus,
    Theme,
    name_key,
)
from network.notify.models import Delivery, Notification
from network.notify.services import unsubscribe_token
from tests.conftest import Snapshot, holds, now_holds, restore, snapshot

PASSWORD = "correct horse battery"  # noqa: S105


DATED = re.compile(r"\{(day|iso)([+-]\d+)\}")


def dated(text: str) -> str:
    """A test's words with their days counted from today, so it passes on any day the clock
    is set to: {day+1} is tomorrow as the site writes it ("14 January 2027"), {iso-365} a year
    ago as a form sends it ("2026-01-13")."""
    from network.core.time import format_day, today

    def day_of(match: re.Match) -> str:
        day = today() + timedelta(days=int(match.group(2)))
        return format_day(day) if match.group(1) == "day" else day.isoformat()

    return DATED.sub(day_of, text)


@cache
def _password_hash(password: str) -> str:
    return hash_password(password)


class Factory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class PersonFactory(Factory):
    class Meta:
        model = Person

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    role = Role.MEMBER
    password_hash = factory.LazyFunction(lambda: _password_hash(PASSWORD))


class AreaFactory(Factory):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"Area {n}")


class ThemeFactory(Factory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Theme {n}")


class OrganisationFactory(Factory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    kind = OrgKind.COMMUNITY_GROUP
    status = OrgStatus.APPROVED
    description = "We do good work."
    approved_at = factory.LazyFunction(now)


class MembershipFactory(Factory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    is_contact = False


class ApplicationFactory(Factory):
    class Meta:
        model = Application

    organisation = factory.SubFactory(OrganisationFactory, status=OrgStatus.APPLIED,
                                      approved_at=None)
    contact_name = "Hannah Applicant"
    contact_email = factory.Sequence(lambda n: f"applicant{n}@example.org")
    message = "Please have us."


class CategoryFactory(Factory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    description = "Talk about things."
    audience = Audience.MEMBERS


def make_thread(category, author, title="A thread", bodies=("First post.",),
                authors=None, state=PostState.VISIBLE) -> Thread:
    """A thread with its posts written directly (no notifications), counts kept true."""
    thread = Thread(category=category, title=title, author=author)
    db.session.add(thread)
    for index, body in enumerate(bodies):
        writer = (authors or [author] * len(bodies))[index]
        db.session.add(Post(thread=thread, author=writer, body=body,
                            state=state if index == 0 else PostState.VISIBLE))
    db.session.flush()
    thread.held = state == PostState.HELD
    db.session.add(ThreadWatch(person_id=author.id, thread_id=thread.id))  # as starting does
    refresh_thread(thread)
    db.session.commit()
    return thread


def first_post(thread) -> Post:
    return db.session.scalar(db.select(Post).where(Post.thread_id == thread.id)
                             .order_by(Post.id).limit(1))


def last_post(thread) -> Post:
    return db.session.scalar(db.select(Post).where(Post.thread_id == thread.id)
                             .order_by(Post.id.desc()).limit(1))


def make_invitation(organisation, email="invitee@example.org", *, as_contact=False,
                    invited_by=None, expires_in=timedelta(days=14)) -> tuple[Invitation, str]:
    raw, hashed = new_token()
    invitation = Invitation(organisation=organisation, email=email, name="Ivy Invitee",
                            as_contact=as_contact, token_hash=hashed,
                            invited_by_id=invited_by.id if invited_by else None,
                            expires_at=now() + expires_in)
    db.session.add(invitation)
    db.session.commit()
    return invitation, raw


def make_event(organisation, author, title="Open meeting", *, starts_at=None,
               hours: float = 2, repeats: tuple | None = None, themes=(),
               **values) -> Event:
    """An event added as its organisation's member would: through the service. starts_at
    defaults to 19:00 in the borough a fortnight from today; repeats is (pattern, until,
    count), e.g. ("fortnightly", None, 6)."""
    from network.core.time import borough_zone, today

    if starts_at is None:
        day = today() + timedelta(days=14)
        starts_at = datetime(day.year, day.month, day.day, 19, tzinfo=borough_zone())
    fields = {"title": title, "kind": EventKind.MEETING, "audience": Audience.MEMBERS,
              "starts_at": starts_at.astimezone(UTC),
              "ends_at": (starts_at + timedelta(hours=hours)).astimezone(UTC),
              "all_day": False, "place": "Community hall", "online_link": "",
              "description": "", "rsvp": True, "capacity": None, "access_note": "",
              "closes_at": None, "area_id": None, **values}
    event = calendar.create_event(organisation.id, author, fields,
                                  [theme.id for theme in themes], repeats)
    db.session.commit()
    return event


def make_listing(organisation, author, title="Hall to share", *, kind=None, category=None,
                 **values):
    """A listing posted as its organisation's member would: through the service."""
    from network.board import services as board
    from network.board.models import Category, ListingKind
    from network.core.time import today

    fields = {"kind": kind or ListingKind.OFFER, "category": category or Category.ROOMS,
              "title": title, "description": "", "area_id": None,
              "expires_on": today() + timedelta(days=60), **values}
    listing = board.create_listing(organisation.id, author, fields)
    db.session.commit()
    return listing


def start_conversation(listing, organisation, author, text: str):
    """A reply's conversation as rows alone: the world tells nobody (mail tests count)."""
    from network.board.models import Conversation, Message

    conversation = Conversation(listing_id=listing.id, organisation_id=organisation.id,
                                started_by_id=author.id)
    db.session.add(conversation)
    db.session.flush()
    db.session.add(Message(conversation_id=conversation.id, author_id=author.id, body=text))
    db.session.commit()
    return conversation


def make_booking(listing, organisation, author, days_ahead: int, status=None,
                 purpose="Committee meeting"):
    """A booking of 18:00 to 21:00 that many days ahead, as a row alone (nobody is told)."""
    from network.board.models import Booking, BookingStatus
    from network.core.time import local_moment, today

    day = today() + timedelta(days=days_ahead)
    booking = Booking(listing_id=listing.id, organisation_id=organisation.id,
                      requested_by_id=author.id, purpose=purpose,
                      starts_at=local_moment(day, time(18)), ends_at=local_moment(day, time(21)),
                      status=status or BookingStatus.REQUESTED)
    db.session.add(booking)
    db.session.commit()
    return booking


def make_body(name: str, audience=None, **values):
    from network.representation.models import Body

    body = Body(name=name, audience=audience or Audience.MEMBERS, **values)
    db.session.add(body)
    db.session.commit()
    return body


def make_seat(body, title: str, *, areas=(), themes=(), organisations=()):
    from network.representation.models import Seat

    seat = Seat(body_id=body.id, title=title, areas=list(areas), themes=list(themes),
                organisations=list(organisations))
    db.session.add(seat)
    db.session.commit()
    return seat


def make_report(seat, author, organisation, *, days_ago: int = 10, published: bool = True,
                audience=Audience.MEMBERS, summary: str = "The board agreed the plan."):
    """A body meeting that many days ago and the seat's report of it, as rows alone (nobody
    is told)."""
    from network.representation.models import Report, ReportState

    start = (now() - timedelta(days=days_ago)).replace(microsecond=0)
    meeting = Event(organisation_id=organisation.id, created_by_id=author.id,
                    title=f"{seat.body.name} meeting", kind=EventKind.MEETING,
                    audience=seat.body.audience, starts_at=start,
                    ends_at=start + timedelta(hours=2), place="Town hall", body_id=seat.body_id)
    db.session.add(meeting)
    db.session.flush()
    report = Report(seat_id=seat.id, event_id=meeting.id, occurrence_start=start,
                    meeting_at=start, author_id=author.id, summary=summary, audience=audience,
                    state=ReportState.PUBLISHED if published else ReportState.DRAFT,
                    published_at=start + timedelta(days=2) if published else None)
    db.session.add(report)
    db.session.commit()
    return report


def attach_paper(event, author, title: str, data: bytes, filename: str = "agenda.txt") -> Paper:
    """A paper attached as its organiser would, through the upload's own path."""
    from network.core.files import Upload, sniff

    paper = calendar.add_paper(event, Upload(data, sniff(data), filename), title, author)
    db.session.commit()
    return paper


def build_world() -> SimpleNamespace:
    """Two member organisations and one person of each role, as the permission tests need."""
    world = remembered("world", "empty", _build_world)
    world.unsubscribe_token = unsubscribe_token(world.member, "forum.reply")  # the app's key
    db.session.rollback()  # as after building: no transaction left open, every object expired
    return world


def add_states(world: SimpleNamespace) -> SimpleNamespace:
    """Objects in every state that changes who may see or do what, beside the world's own:
    a thread waiting for approval, a hidden and a held post, a coordinators' thread, an
    archived category, organisations that applied, were suspended or left, a suspended person.
    """
    return remembered("states", holds(db.engine), lambda: _add_states(world))


# --- a world built once, put back for every test ------------------------------------------------

@dataclass
class Built:
    """What a builder made on a database in a known state, to put back rather than build again:
    valid for an app of the same settings at the same moment (give or take a few seconds, on
    the same day) on a database in the same state."""

    saved: Snapshot
    settings: str
    started: datetime
    finished: datetime
    day: date
    made: dict[str, tuple[type, tuple] | object]  # a row as (model, identity), or the value


_built: dict[tuple[str, str, str | None], list[Built]] = {}
NEAR = timedelta(seconds=5)


def _settings() -> str:
    from flask import current_app

    return repr(sorted((key, repr(value)) for key, value in current_app.config.items()))


def remembered(what: str, starting_from: str | None, build) -> SimpleNamespace:
    """build()'s namespace, or the same put back from the first time it was built on this
    database from the same state. The database's state is known only between the suite's
    wipes and restores and the next commit (tests.conftest.holds); otherwise it is built."""
    from network.core.time import set_clock, today

    key = (str(db.engine.url), what, starting_from)
    if holds(db.engine) != starting_from or starting_from is None:
        return build()
    settings, started, day = _settings(), now(), today()
    for built in _built.get(key, []):
        if (built.settings == settings and built.day == day
                and abs(started - built.started) < NEAR):
            restore(db.engine, built.saved)
            if now() < built.finished:  # as if it had taken as long to build as it did
                set_clock(built.finished)
            made = SimpleNamespace(**{
                name: db.session.get(*value) if isinstance(value, tuple) else value
                for name, value in built.made.items()})
            db.session.rollback()  # as after building: no transaction left open
            return made
    made = build()
    finished = now()
    if today() == day:
        saved = snapshot(db.engine, f"{what} {len(_built.get(key, []))} from {starting_from}")
        _built.setdefault(key, []).append(Built(
            saved, settings, started, finished, day,
            {name: _identity(value) for name, value in vars(made).items()}))
        now_holds(db.engine, saved.name)
    return made


def _identity(value):
    state = sa.inspect(value, raiseerr=False)
    if state is None or not hasattr(state, "identity"):
        return value
    return (state.mapper.class_, state.identity)


def _build_world() -> SimpleNamespace:
    north, south = AreaFactory(name="North"), AreaFactory(name="South")
    housing, youth = ThemeFactory(name="Housing"), ThemeFactory(name="Youth")
    org_a = OrganisationFactory(name="Alpha Tenants", area=north, themes=[housing])
    org_b = OrganisationFactory(name="Beta Youth Club", area=south, themes=[youth])
    contact = PersonFactory(email="contact@example.org", display_name="Cora Contact")
    member = PersonFactory(email="member@example.org", display_name="Mo Member")
    other = PersonFactory(email="other@example.org", display_name="Otto Other")
    MembershipFactory(person=contact, organisation=org_a, is_contact=True)
    member_membership = MembershipFactory(person=member, organisation=org_a)
    MembershipFactory(person=other, organisation=org_b, is_contact=True)
    application = ApplicationFactory(organisation__name="Gamma Gardeners")
    invitation, invitation_token = make_invitation(org_a, invited_by=contact)
    category = CategoryFactory(name="General")
    coordinators_room = CategoryFactory(name="Coordinators' room",
                                        audience=Audience.COORDINATORS)
    thread = make_thread(category, member, "Hall for hire", ["Who has a hall?", "We do."],
                         authors=[member, other])
    event = make_event(org_a, contact, "Tenants' open meeting", repeats=("fortnightly", None, 6))
    paper = attach_paper(event, contact, "Agenda", b"1. Repairs\n2. Rents\n")
    listing = make_listing(org_a, contact, "Meeting room to share", bookable=True)
    conversation = start_conversation(listing, org_b, other, "Could we use it on Mondays?")
    booking = make_booking(listing, org_b, other, 8)
    body = make_body("Strategic Partnership")
    seat = make_seat(body, "Voluntary sector seat", areas=[north])
    from network.representation.models import Selection, Term

    term = Term(seat_id=seat.id, holder_id=member.id, selection=Selection.ELECTED,
                starts_on=now().date() - timedelta(days=100),
                ends_on=now().date() + timedelta(days=600))
    db.session.add(term)
    report = make_report(seat, member, org_a)
    from network.core.files import Upload, sniff
    from network.representation import reporting as representation
    from network.representation.models import RaisedItem, Response

    item = RaisedItem(seat_id=seat.id, author_id=contact.id, organisation_id=org_a.id,
                      title="Evening opening at the health centre")
    report_action = representation.add_action(report, "Publish the timetable", "Council",
                                              now().date() + timedelta(days=20),
                                              member)
    report_paper = representation.add_paper(report, Upload(b"Minutes\n", sniff(b"Minutes\n"),
                                                           "minutes.txt"), "Minutes", member)
    response = Response(report_id=report.id, author_id=contact.id, body="Thank you.")
    db.session.add_all([item, response])
    notification = Notification(person_id=member.id, kind="forum.reply", subject="A reply",
                                url=f"/forum/p/{last_post(thread).id}",
                                delivery=Delivery.DAILY)
    db.session.add(notification)
    from network.privacy.models import DataExport

    # The member's archive, asked for ten minutes ago: its link works for twenty more, and
    # asking again is allowed.
    data_export_token, hashed = new_token()
    db.session.add(DataExport(person_id=member.id, token_hash=hashed,
                              created_at=now() - timedelta(minutes=10),
                              expires_at=now() + timedelta(minutes=20)))
    from network.bulletin.models import BulletinIssue

    bulletin_issue = BulletinIssue(week=now().date() - timedelta(days=now().weekday()), number=1)
    db.session.add(bulletin_issue)
    from network.calendar.models import CalendarSource

    # A calendar brought in, not imported yet: its pages, and no events of its own.
    calendar_source = CalendarSource(name="Council committee dates", organisation=org_a,
                                     created_by_id=contact.id, audience=Audience.PUBLIC,
                                     uploaded="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    db.session.add(calendar_source)
    db.session.commit()
    return SimpleNamespace(bulletin_issue=bulletin_issue, calendar_source=calendar_source,
        category=category, coordinators_room=coordinators_room, thread=thread,
        event=event, paper=paper, listing=listing, conversation=conversation, booking=booking,
        body=body, seat=seat, term=term, report=report, item=item, report_action=report_action,
        report_paper=report_paper, response=response,
        own_post=first_post(thread), post=last_post(thread), notification=notification,
        north=north, south=south, housing=housing, youth=youth,
        org_a=org_a, org_b=org_b, application=application,
        contact=contact, member=member, other_member=other,
        member_membership=member_membership,
        invitation=invitation, invitation_token=invitation_token,
        data_export_token=data_export_token,
        associate=PersonFactory(email="associate@example.org", display_name="Ana Associate",
                                role=Role.ASSOCIATE),
        coordinator=PersonFactory(email="coordinator@example.org",
                                  display_name="Cam Coordinator", role=Role.COORDINATOR),
        admin=PersonFactory(email="admin@example.org", display_name="Ada Admin",
                            role=Role.ADMIN),
    )


def _add_states(world: SimpleNamespace) -> SimpleNamespace:
    member, other = world.member, world.other_member
    held_thread = make_thread(world.category, other, "Waiting for approval", ["New here."],
                              state=PostState.HELD)
    secret_thread = make_thread(world.coordinators_room, world.coordinator, "Secretariat only",
                                ["Between us."])
    archived = CategoryFactory(name="Last year", audience=Audience.MEMBERS,
                               archived_at=now())
    archived_thread = make_thread(archived, member, "An old thread", ["From last year."])
    hidden_post = Post(thread=world.thread, author=other, body="Something rude.",
                       state=PostState.HIDDEN, moderation_reason="Rude.")
    held_post = Post(thread=world.thread, author=other, body="My second post.",
                     state=PostState.HELD)
    db.session.add_all([hidden_post, held_post])
    suspended_org = OrganisationFactory(name="Sleepy Society", status=OrgStatus.SUSPENDED)
    left_org = OrganisationFactory(name="Gone Group", status=OrgStatus.LEFT)
    MembershipFactory(person=other, organisation=left_org)
    public_event = make_event(world.org_a, world.contact, "Open day", audience=Audience.PUBLIC)
    public_paper = attach_paper(public_event, world.contact, "Programme", b"Doors at 10.\n")
    other_event = make_event(world.org_b, other, "Youth club committee")
    other_listing = make_listing(world.org_b, other, "Football kit to lend")
    hidden_listing = make_listing(world.org_b, other, "Raffle tickets for sale")
    from network.board import services as board

    board.hide(hidden_listing, "Not something we share.", world.coordinator)
    from network.board.models import BookingStatus, ListingStatus

    public_body = make_body("Open Neighbourhood Forum", audience=Audience.PUBLIC)
    archived_body = make_body("Old Regeneration Board", audience=Audience.PUBLIC,
                              archived_at=now())
    approved_booking = make_booking(world.listing, world.org_b, other, 9, BookingStatus.APPROVED)
    cancelled_booking = make_booking(world.listing, world.org_b, other, 10,
                                     BookingStatus.CANCELLED)
    declined_booking = make_booking(world.listing, world.org_b, other, 11,
                                    BookingStatus.DECLINED)
    withdrawn_booking = make_booking(world.listing, world.org_b, other, 12,
                                     BookingStatus.WITHDRAWN)
    closed_hall = make_listing(world.org_a, world.contact, "Old hall to lend", bookable=True)
    board.settle(closed_hall, ListingStatus.CLOSED, None, world.contact)
    public_seat = make_seat(public_body, "Community seat")
    public_report = make_report(public_seat, world.coordinator, world.org_a,
                                audience=Audience.PUBLIC, summary="Open to all.")
    draft_report = make_report(world.seat, member, world.org_a, days_ago=3, published=False)
    from network.representation.models import ItemStatus, RaisedItem, Response

    answered_item = RaisedItem(seat_id=world.seat.id, author_id=world.contact.id,
                               title="Bus routes", status=ItemStatus.ANSWERED, reply="Kept.")
    db.session.add(answered_item)
    # What members raised for the public report's meeting (one answered in it, one not yet),
    # and a member's response to it: whose they are is for people signed in.
    public_answered = RaisedItem(seat_id=public_seat.id, author_id=world.contact.id,
                                 organisation_id=world.org_a.id,
                                 title="Street lighting on Mill Lane",
                                 body="Three lamps out since October.",
                                 status=ItemStatus.ANSWERED, reply="Repaired in March.",
                                 report_id=public_report.id)
    public_open = RaisedItem(seat_id=public_seat.id, author_id=world.contact.id,
                             organisation_id=world.org_a.id, title="Bins on Fridays",
                             event_id=public_report.event_id,
                             occurrence_start=public_report.occurrence_start)
    public_response = Response(report_id=public_report.id, author_id=other.id,
                               body="Our street too.")
    db.session.add_all([public_answered, public_open, public_response])
    suspended_person = PersonFactory(email="suspended@example.org",
                                     display_name="Sid Suspended",
                                     suspended_at=now(), suspended_reason="Spam")
    db.session.commit()
    refresh_thread(world.thread)
    db.session.commit()
    return SimpleNamespace(
        held_thread=held_thread, secret_thread=secret_thread, archived_category=archived,
        archived_thread=archived_thread, hidden_post=hidden_post, held_post=held_post,
        secret_post=first_post(secret_thread), held_thread_post=first_post(held_thread),
        applied_org=world.application.organisation, suspended_org=suspended_org,
        left_org=left_org, suspended_person=suspended_person, public_event=public_event,
        public_paper=public_paper, other_event=other_event, other_listing=other_listing,
        hidden_listing=hidden_listing, approved_booking=approved_booking,
        cancelled_booking=cancelled_booking, public_body=public_body,
        archived_body=archived_body, public_seat=public_seat, public_report=public_report,
        draft_report=draft_report, answered_item=answered_item,
        declined_booking=declined_booking, withdrawn_booking=withdrawn_booking,
        closed_hall=closed_hall)
