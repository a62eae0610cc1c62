"""Representation, first part: bodies and their seats, who holds each seat when (never two at
once), and "my representatives"; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from network.core.audience import Audience
from network.core.audit import AuditEntry
from network.core.time import today
from network.extensions import db
from network.notify.models import Notification
from network.representation import services
from network.representation.models import Body, Seat, Selection, Term
from tests.factories import dated, make_body, make_seat


def body(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))




def term_form(world, **changes) -> dict:
    data = {"holder": str(world.member.id), "deputy": str(world.other_member.id),
            "selection": "elected", "selection_note": "Elected at the AGM, 14 votes to 9.",
            "starts_on": (today() - timedelta(days=30)).isoformat(),
            "ends_on": (today() + timedelta(days=700)).isoformat()}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_coordinator_sets_up_a_body_its_seat_and_who_holds_it(client, world, login_as):
    login_as(world.coordinator)
    response = client.post("/bodies/new", data={
        "name": "Riverside Strategic Partnership", "description": "Decides the borough plan.",
        "meets": "Every two months", "audience": "public"})
    assert response.status_code == 303
    created = db.session.scalar(select(Body).where(Body.name.startswith("Riverside")))
    assert created.audience == Audience.PUBLIC
    response = client.post(f"/bodies/{created.id}/seats/new", data={
        "title": "Voluntary sector seat", "description": "",
        "areas": [str(world.north.id)], "themes": [], "organisations": [str(world.org_b.id)]})
    assert response.status_code == 303
    seat = db.session.scalar(select(Seat).where(Seat.body_id == created.id))
    assert [a.name for a in seat.areas] == ["North"]
    assert [o.name for o in seat.organisations] == ["Beta Youth Club"]
    response = client.post(f"/seats/{seat.id}/terms/new", data=term_form(world))
    assert response.status_code == 303
    [term] = db.session.scalars(select(Term).where(Term.seat_id == seat.id)).all()
    assert (term.holder_id, term.deputy_id, term.selection) == (
        world.member.id, world.other_member.id, Selection.ELECTED)
    told = {n.person_id for n in db.session.scalars(select(Notification).where(
        Notification.kind == "representation.seat"))}
    assert told == {world.member.id, world.other_member.id}
    assert count(AuditEntry, AuditEntry.action.in_(["body.create", "seat.create",
                                                    "seat.term"])) == 3
    client.post("/logout")
    page = body(client.get(f"/bodies/{created.id}-{created.slug}"))  # public: a visitor
    assert "Voluntary sector seat" in page and "a member of Alpha Tenants" in page
    assert "Mo Member" not in page  # to visitors, unless chosen (test_names.py)
    assert "Elected at the AGM" in page and "Speaks for North, Beta Youth Club." in page


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ends_on": "{iso-400}", "starts_on": "{iso-300}"}, "ends_on",
     "The term must end on or after the day it starts."),
    ({"starts_on": "1900-01-01"}, "starts_on", "A term starts from {day-1825} to {day+730}: "
     "past terms go back five years, and a new one starts within two."),
    ({"starts_on": "9999-12-31"}, "starts_on", "A term starts from {day-1825}"),
    ({"ends_on": "9999-12-31"}, "ends_on", "A term ends from {day-1825} to {day+2190}."),
    ({"holder": ""}, "holder", "Choose who holds the seat."),
    ({"deputy": "member"}, "deputy", "The deputy is someone other than the holder."),
    ({"selection": "acclaimed"}, "selection", "Choose elected, nominated or co-opted."),
    ({"starts_on": "2026-02-30"}, "starts_on", "Give a real date"),
    ({"starts_on": ""}, "starts_on", "Give the first day of the term"),
])
def test_a_term_that_makes_no_sense_is_refused_beside_its_field(client, world, login_as, changes,
                                                                 field, message):
    seat = make_seat(make_body("Health and Wellbeing Board"), "Community seat")
    changes, message = {key: dated(value) for key, value in changes.items()}, dated(message)
    if changes.get("deputy") == "member":
        changes["deputy"] = str(world.member.id)
    login_as(world.coordinator)
    before = count(Term)
    refused = client.post(f"/seats/{seat.id}/terms/new", data=term_form(world, **changes))
    assert refused.status_code == 422
    assert re.search(rf'id="{field}-error"[^>]*>[^<]*{re.escape(message)}', body(refused))
    assert count(Term) == before


def test_two_people_never_hold_one_seat_at_once(client, world, login_as):
    seat = make_seat(make_body("Community Safety Partnership"), "Residents' seat")
    login_as(world.coordinator)
    before = count(Term)
    assert client.post(f"/seats/{seat.id}/terms/new", data=term_form(
        world, starts_on=dated("{iso-600}"), ends_on=dated("{iso+100}"))).status_code == 303
    refused = client.post(f"/seats/{seat.id}/terms/new", data=term_form(
        world, holder=str(world.contact.id), deputy="", starts_on=dated("{iso+100}"),
        ends_on=dated("{iso+800}")))
    assert refused.status_code == 422
    assert re.search(dated(r'id="starts_on-error"[^>]*>Mo Member is recorded for this seat from '
                           r'{day-600} until {day+100}: two people cannot hold one seat at '
                           r'once. Start this term after {day+100}.'), body(refused))
    assert count(Term) == before + 1
    earlier = client.post(f"/seats/{seat.id}/terms/new", data=term_form(  # runs into it
        world, holder=str(world.contact.id), deputy="", starts_on=dated("{iso-900}"),
        ends_on=dated("{iso-500}")))
    assert re.search(dated(r'id="ends_on-error"[^>]*>Mo Member is recorded for this seat from '
                           r'{day-600} [^<]*End this term before {day-600}.'), body(earlier))
    assert count(Term) == before + 1
    assert client.post(f"/seats/{seat.id}/terms/new", data=term_form(
        world, holder=str(world.contact.id), deputy="", starts_on=dated("{iso+101}"),
        ends_on=dated("{iso+800}"))).status_code == 303
    page = body(client.get(f"/bodies/{seat.body_id}"
                           f"-{db.session.get(Body, seat.body_id).slug}"))
    assert "Mo Member" in page and "Cora Contact" in page  # the past holder stays on record


def test_a_body_name_is_used_once(client, world, login_as):
    make_body("Health and Wellbeing Board")
    login_as(world.coordinator)
    before = count(Body)
    refused = client.post("/bodies/new", data={"name": "Health and Wellbeing Board",
                                               "audience": "members"})
    assert refused.status_code == 422
    assert "There is a body of that name already." in body(refused)
    assert count(Body) == before


def test_my_representatives_are_the_seats_that_speak_for_my_organisation(client, world, login_as):
    board = make_body("Riverside Strategic Partnership")
    for_north = make_seat(board, "North seat", areas=[world.north])  # org_a is in North
    for_youth = make_seat(board, "Youth seat", themes=[world.youth])  # org_b's theme
    for_b = make_seat(board, "Seat for Beta", organisations=[world.org_b])
    everyone = make_seat(board, "Network seat")
    services.add_term(for_north, {"holder_id": world.contact.id, "deputy_id": None,
                                  "selection": Selection.NOMINATED, "selection_note": "",
                                  "starts_on": today(), "ends_on": today() + timedelta(days=9)},
                      world.coordinator)
    db.session.commit()
    for person, sees in ((world.member, {"North seat", "Network seat"}),
                         (world.other_member, {"Youth seat", "Seat for Beta",
                                               "Network seat"}),
                         (world.associate, set())):
        login_as(person)
        page = body(client.get("/representatives"))
        shown = {seat.title for seat in (for_north, for_youth, for_b, everyone)
                 if seat.title in page}
        assert shown == sees, person.email
    login_as(world.member)
    page = body(client.get("/representatives"))
    assert "Cora Contact" in page
    # each seat offers what its own page offers (seat_access.raise_item)
    assert f"/seats/{for_north.id}/items" in page and f"/seats/{everyone.id}/items" in page
    login_as(world.contact)
    assert "Cora Contact</strong> (you)" in body(client.get("/representatives"))


def test_a_members_body_asks_visitors_to_log_in(client, world, login_as):
    members_only = make_body("Members' panel", audience=Audience.MEMBERS)
    public = make_body("Open forum", audience=Audience.PUBLIC)
    page = body(client.get("/bodies"))
    assert "Open forum" in page and "Members&#39; panel" not in page
    asked = client.get(f"/bodies/{members_only.id}-{members_only.slug}")
    assert asked.location.startswith("/login?next=")  # a member following a link: log in
    assert client.get(f"/bodies/{public.id}-{public.slug}").status_code == 200
    login_as(world.associate)
    assert client.get(f"/bodies/{members_only.id}-{members_only.slug}").status_code == 200


def test_a_term_in_the_past_or_to_come_is_on_record_but_not_current(app, world):
    seat = make_seat(make_body("Old board"), "A seat")
    for start, end in ((date(2019, 1, 1), date(2020, 12, 31)),
                       (today() + timedelta(days=10), today() + timedelta(days=400))):
        services.add_term(seat, {"holder_id": world.member.id, "deputy_id": None,
                                 "selection": Selection.COOPTED, "selection_note": "",
                                 "starts_on": start, "ends_on": end}, world.coordinator)
    db.session.commit()
    db.session.refresh(seat)
    assert len(seat.terms) == 2 and seat.current_term is None


# --- a body's meetings ---------------------------------------------------------------------------

def meeting_form(world, body_id, day, **changes) -> dict:
    data = {"organisation": str(world.org_a.id), "title": "Partnership board meeting",
            "kind": "meeting", "starts_on": day.isoformat(), "starts_time": "18:00",
            "ends_time": "20:00", "audience": "members", "area": "", "description": "",
            "place": "Town Hall", "rsvp": "y", "repeat": "", "repeat_end": "never",
            "body": str(body_id), "submission": "m" * 22}
    data.update(changes)
    return data


def test_a_seat_holder_puts_the_bodys_meeting_in_the_calendar(client, world, login_as):
    from network.calendar.models import Event

    day = today() + timedelta(days=20)
    login_as(world.member)  # holds the world's seat
    form = body(client.get("/calendar/new"))
    assert "Is it a meeting of a body we sit on?" in form and "Strategic Partnership" in form
    response = client.post("/calendar/new", data=meeting_form(world, world.body.id, day))
    assert response.status_code == 303
    event = db.session.scalar(select(Event).where(Event.title == "Partnership board meeting"))
    assert event.body_id == world.body.id
    page = body(client.get(f"/bodies/{world.body.id}-{world.body.slug}"))
    assert "Partnership board meeting" in page.split('id="meetings-heading"')[1]
    assert "A meeting of" in body(client.get(f"/calendar/e/{event.id}-{event.slug}"))
    assert "Next meeting:" in body(client.get("/representatives"))


def test_only_holders_and_coordinators_add_a_bodys_meetings(client, world, login_as):
    from network.calendar.models import Event

    login_as(world.contact)  # in org_a, but holds no seat
    assert "Is it a meeting of a body we sit on?" not in body(client.get("/calendar/new"))
    refused = client.post("/calendar/new", data=meeting_form(
        world, world.body.id, today() + timedelta(days=20)))
    assert refused.status_code == 422
    assert re.search(r'id="body-error"[^>]*>Choose one of the bodies listed.', body(refused))
    assert count(Event, Event.title == "Partnership board meeting") == 0
    login_as(world.coordinator)
    assert "Strategic Partnership" in body(client.get("/calendar/new"))


def test_a_public_meeting_of_a_members_body_does_not_name_it_to_visitors(client, world, login_as):
    from tests.factories import make_event

    event = make_event(world.org_a, world.member, "Open session", audience=Audience.PUBLIC,
                       body_id=world.body.id)
    page = body(client.get(f"/calendar/e/{event.id}-{event.slug}"))
    assert "Open session" in page and "Strategic Partnership" not in page
    login_as(world.member)
    assert "Strategic Partnership" in body(client.get(f"/calendar/e/{event.id}-{event.slug}"))


def test_a_term_is_corrected_or_ended_early_never_overlapping_another(client, world, login_as):
    seat = make_seat(make_body("Police and Community Forum"), "Residents' seat")
    started, handover = today() - timedelta(days=600), today() + timedelta(days=60)
    login_as(world.coordinator)
    client.post(f"/seats/{seat.id}/terms/new", data=term_form(
        world, starts_on=started.isoformat(),
        ends_on=(handover - timedelta(days=1)).isoformat()))
    client.post(f"/seats/{seat.id}/terms/new", data=term_form(
        world, holder=str(world.contact.id), deputy="", starts_on=handover.isoformat(),
        ends_on=(handover + timedelta(days=700)).isoformat()))
    first, later = db.session.scalars(select(Term).where(Term.seat_id == seat.id)
                                      .order_by(Term.starts_on)).all()
    resigned = client.post(f"/terms/{first.id}/edit", data=term_form(
        world, starts_on=started.isoformat(), ends_on=today().isoformat(),
        selection_note="Resigned; the deputy stands in."))
    assert resigned.status_code == 303
    db.session.rollback()
    assert (first.ends_on, first.selection_note) == (today(), "Resigned; the deputy stands in.")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "seat.term.edit"))
    assert entry is not None and "ends_on" in entry.details
    refused = client.post(f"/terms/{first.id}/edit", data=term_form(
        world, starts_on=started.isoformat(),
        ends_on=(handover + timedelta(days=30)).isoformat()))  # into the next holder's term
    assert refused.status_code == 422
    assert re.search(r'id="ends_on-error"[^>]*>Cora Contact is recorded for this seat',
                     body(refused))
    db.session.rollback()
    assert first.ends_on == today() and later.starts_on == handover


def test_a_body_or_seat_archived_leaves_the_lists_and_comes_back(client, world, login_as):
    login_as(world.coordinator)
    assert client.post(f"/seats/{world.seat.id}/archive", data={"archive": "1"}).status_code \
        == 303
    login_as(world.member)
    assert "Voluntary sector seat" not in body(client.get("/representatives"))
    archived = client.get(f"/seats/{world.seat.id}")  # its record stays
    assert archived.status_code == 200 and "This seat was archived on" in body(archived)
    assert "Write a report back" not in body(archived)  # nobody writes for it now
    assert client.get(f"/reports/{world.report.id}").status_code == 200
    assert "Former seats" in body(client.get(f"/bodies/{world.body.id}-{world.body.slug}"))
    login_as(world.coordinator)
    client.post(f"/seats/{world.seat.id}/archive", data={"archive": "0"})
    client.post(f"/bodies/{world.body.id}/archive", data={"archive": "1"})
    login_as(world.member)
    assert client.get(f"/bodies/{world.body.id}-{world.body.slug}").status_code == 404
    assert client.get(f"/reports/{world.report.id}").status_code == 404
    login_as(world.coordinator)
    assert "Restore" in body(client.get(f"/bodies/{world.body.id}-{world.body.slug}"))
    assert count(AuditEntry, AuditEntry.action.in_(["seat.archive", "seat.restore",
                                                    "body.archive"])) == 3


def test_a_term_recorded_before_the_dates_had_bounds_can_still_be_changed(client, world,
                                                                          login_as):
    """A row from before the rule keeps its own days: its page opens and it is saved with
    them; a new day out of reach is refused."""
    old = Term(seat_id=make_seat(make_body("Old board"), "A seat").id,
               holder_id=world.member.id, selection=Selection.ELECTED,
               starts_on=date(1990, 1, 1), ends_on=date(9999, 12, 31))
    db.session.add(old)
    db.session.commit()
    login_as(world.coordinator)
    assert client.get(f"/terms/{old.id}/edit").status_code == 200
    kept = client.post(f"/terms/{old.id}/edit", data=term_form(
        world, starts_on="1990-01-01", ends_on="9999-12-31", selection_note="Corrected."))
    assert kept.status_code == 303
    ended = client.post(f"/terms/{old.id}/edit", data=term_form(
        world, starts_on="1990-01-01", ends_on=today().isoformat()))
    assert ended.status_code == 303
    refused = client.post(f"/terms/{old.id}/edit", data=term_form(
        world, starts_on="1990-01-02", ends_on=today().isoformat()))
    assert refused.status_code == 422
    assert re.search(r'id="starts_on-error"[^>]*>A term starts from', body(refused))
    db.session.rollback()
    assert (old.starts_on, old.ends_on, old.selection_note) == (date(1990, 1, 1), today(),
                                                                "Elected at the AGM, 14 votes "
                                                                "to 9.")


def trail() -> tuple[int, int, int]:
    """What a change leaves behind: notifications, mail queued, audit entries."""
    from network.core.mail import OutboxEmail

    return count(Notification), count(OutboxEmail), count(AuditEntry)


@pytest.mark.parametrize(("what", "archive", "already"), [
    ("bodies", "1", "“Strategic Partnership” was already archived."),
    ("bodies", "0", "“Strategic Partnership” was not archived: there is nothing to restore."),
    ("seats", "1", "“Voluntary sector seat” was already archived."),
    ("seats", "0", "“Voluntary sector seat” was not archived: there is nothing to restore."),
])
def test_archiving_or_restoring_again_changes_nothing(client, world, login_as, what, archive,
                                                      already):
    login_as(world.coordinator)
    thing = world.body if what == "bodies" else world.seat
    path = f"/{what}/{thing.id}/archive"
    if archive == "1":
        assert client.post(path, data={"archive": "1"}).status_code == 303
    client.get("/dashboard")  # its message read
    before = (trail(), db.session.get(type(thing), thing.id).archived_at)
    again = client.post(path, data={"archive": archive})
    assert again.status_code == 303
    assert already in body(client.get(again.location))
    assert (trail(), db.session.get(type(thing), thing.id).archived_at) == before


def test_ending_a_term_on_the_day_it_already_ends_changes_nothing(client, world, login_as):
    term = world.term
    data = term_form(world, deputy="", selection_note="",
                     starts_on=term.starts_on.isoformat(), ends_on=today().isoformat())
    login_as(world.coordinator)
    assert client.post(f"/terms/{term.id}/edit", data=data).status_code == 303
    client.get("/dashboard")
    before = trail()
    again = client.post(f"/terms/{term.id}/edit", data=data)
    assert again.status_code == 303
    assert "Nothing changed: the term was already so." in body(client.get(again.location))
    assert trail() == before


# --- forms whose answer lands further down the page ----------------------------------------------

class PostForms(HTMLParser):
    """A page's POST forms: where each is sent, and whether htmx boosts it (the nearest
    hx-boost on it or around it says "true"; the page's body does)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}

    def __init__(self, page: str, address: str) -> None:
        super().__init__()
        self.address = address
        self.boost: list[tuple[str, bool]] = []  # (tag, boosted) of each element still open
        self.forms: list[tuple[str, bool]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        boosted = (a["hx-boost"] == "true" if "hx-boost" in a else
                   bool(self.boost) and self.boost[-1][1])
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append((urlsplit(a.get("action") or self.address).path, boosted))
        if tag not in self.VOID:
            self.boost.append((tag, boosted))

    def handle_endtag(self, tag):
        while self.boost and self.boost.pop()[0] != tag:
            pass


def representation_forms(world, states) -> dict[str, tuple[str, str, dict]]:
    """Every representation form: the page it is on, who sends it, and what they send."""
    from io import BytesIO

    from network.calendar.recurrence import occurrence_key
    from tests.factories import make_event

    def day(days: int) -> str:
        return (today() + timedelta(days=days)).isoformat()

    held = make_event(world.org_a, world.member, "Board meeting", body_id=world.body.id,
                      starts_at=world.report.meeting_at + timedelta(days=5))
    body_page = f"/bodies/{world.body.id}-{world.body.slug}"
    report, draft = f"/reports/{world.report.id}", f"/reports/{states.draft_report.id}"
    body_form = {"name": "Strategic Partnership", "description": "", "meets": "",
                 "audience": "members"}
    term = term_form(world, starts_on=world.term.starts_on.isoformat(),
                     ends_on=world.term.ends_on.isoformat())
    return {
        "representation.new_body": ("/bodies/new", "coordinator",
                                    {**body_form, "name": "Harbour Board"}),
        "representation.edit_body": (f"/bodies/{world.body.id}/edit", "coordinator", body_form),
        "representation.archive_body": (body_page, "coordinator", {"archive": "1"}),
        "representation.new_seat": (f"/bodies/{world.body.id}/seats/new", "coordinator",
                                    {"title": "Faith groups seat", "description": ""}),
        "representation.edit_seat": (f"/seats/{world.seat.id}/edit", "coordinator",
                                     {"title": "Voluntary sector seat", "description": ""}),
        "representation.archive_seat": (body_page, "coordinator", {"archive": "1"}),
        "representation.new_term": (f"/seats/{states.public_seat.id}/terms/new",
                                    "coordinator", term),
        "representation.edit_term": (f"/terms/{world.term.id}/edit", "coordinator", term),
        "representation.raise_item": (f"/seats/{world.seat.id}/items", "contact", {
            "title": "Buses after 8pm", "body": "", "organisation": str(world.org_a.id),
            "submission": "s" * 22}),
        "representation.back_item": (f"/seats/{world.seat.id}", "other_member", {"back": "1"}),
        "representation.answer_item": (f"/items/{world.item.id}/answer", "member",
                                       {"status": "taken", "reply": ""}),
        "representation.new_report": (f"/seats/{world.seat.id}/reports/new", "member", {
            "meeting": f"{held.id}-{occurrence_key(held.starts_at)}"}),
        "representation.edit_report": (f"{draft}/edit", "member", {
            "summary": "Agreed.", "audience": "members",
            "version": str(states.draft_report.version)}),
        "representation.add_action": (report, "member", {
            "what": "Write to the council", "owner": "Mo Member", "due_on": day(10)}),
        "representation.add_question": (report, "member", {
            "text": "Who can host?", "respond_by": day(10)}),
        "representation.add_report_paper": (report, "member", {
            "title": "Notes", "file": (BytesIO(b"Notes\n"), "notes.txt")}),
        "representation.publish_report": (draft, "member", {}),
        "representation.update_action": (f"/actions/{world.report_action.id}", "member",
                                         {"status": "done", "note": "Sent."}),
        "representation.respond": (report, "contact", {"body": "Thank you.",
                                                       "submission": "r" * 22}),
        "representation.mark_read": (report, "other_member", {}),
        "representation.hide_response": (f"/report-responses/{world.response.id}/hide",
                                         "coordinator", {"reason": "Names a neighbour."}),
    }


REPRESENTATION_FORMS = ["representation.new_body", "representation.edit_body",
                        "representation.archive_body", "representation.new_seat",
                        "representation.edit_seat", "representation.archive_seat",
                        "representation.new_term", "representation.edit_term",
                        "representation.raise_item", "representation.back_item",
                        "representation.answer_item", "representation.new_report",
                        "representation.edit_report", "representation.add_action",
                        "representation.add_question", "representation.add_report_paper",
                        "representation.publish_report", "representation.update_action",
                        "representation.respond", "representation.mark_read",
                        "representation.hide_response"]


def test_every_representation_form_is_sent_by_the_test_below(app):
    from tests.urls import endpoints

    assert sorted(REPRESENTATION_FORMS) == sorted(
        endpoint for endpoint, methods in endpoints(app).items()
        if endpoint.startswith("representation.") and "POST" in methods)


@pytest.mark.parametrize("endpoint", REPRESENTATION_FORMS)
def test_a_form_whose_answer_lands_further_down_a_page_leaves_the_boost(client, world, login_as,
                                                                       endpoint):
    """The answer to a form is an address with a #fragment where it shows (the item just
    marked, the seat just added): htmx's boost follows the redirect without the fragment and
    lands at the top of the page, so such a form is sent as a plain POST."""
    from tests.factories import add_states

    page, role, data = representation_forms(world, add_states(world))[endpoint]
    login_as(getattr(world, role))
    shown = client.get(page)
    assert shown.status_code == 200, page
    adapter = client.application.url_map.bind("localhost")
    forms = [(path, boosted) for path, boosted in PostForms(body(shown), page).forms
             if adapter.match(path, method="POST")[0] == endpoint]
    assert forms, f"{endpoint}: no form on {page}"
    sent = client.post(forms[0][0], data=data)
    assert sent.status_code == 303, body(sent)
    if "#" in sent.location:
        assert not any(boosted for _path, boosted in forms), (endpoint, sent.location)
