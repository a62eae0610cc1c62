"""Names on public pages are a choice (issue 24): a visitor sees "a member of <organisation>"
for anyone who has not chosen to show their name (core.names.who), people logged in always see
it, and a closed account reads "a former member" for everyone; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from network.auth.models import Person
from network.calendar import attendance
from network.calendar.models import Answer
from network.core.audience import Audience
from network.core.time import now, today
from network.extensions import db
from network.representation import reporting
from network.representation.models import ActionStatus, Response, Selection, Term
from tests.factories import (
    PersonFactory,
    make_body,
    make_event,
    make_listing,
    make_report,
    make_seat,
)

NAME = "Mo Member"
AS_A_MEMBER = "a member of Alpha Tenants"


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)




@pytest.fixture
def public(world):
    """A public body whose seat speaks for Alpha Tenants, held by Mo Member (deputy Cora),
    with a public report by Mo, Mo's response on it as the representative, and an action Mo
    updated: every visitor page that shows a representative's name."""
    body = make_body("Open Neighbourhood Forum", audience=Audience.PUBLIC)
    seat = make_seat(body, "Tenants' seat", organisations=[world.org_a])
    db.session.add(Term(seat_id=seat.id, holder_id=world.member.id,
                        deputy_id=world.contact.id, selection=Selection.ELECTED,
                        starts_on=today() - timedelta(days=100),
                        ends_on=today() + timedelta(days=600)))
    report = make_report(seat, world.member, world.org_a, audience=Audience.PUBLIC)
    db.session.add(Response(report_id=report.id, author_id=world.member.id,
                            body="We will ask again in March."))
    action = reporting.add_action(report, "Publish the timetable", "Council",
                                  today() + timedelta(days=20), world.member)
    reporting.update_action(action, ActionStatus.IN_PROGRESS, "Asked the clerk.", world.member)
    db.session.commit()
    return {
        "body": f"/bodies/{body.id}-{body.slug}",
        "body record": f"/bodies/{body.id}/accountability",
        "seat": f"/seats/{seat.id}",
        "seat record": f"/seats/{seat.id}/accountability",
        "report": f"/reports/{report.id}",
        "report text": f"/reports/{report.id}.txt",
        "action": f"/actions/{action.id}",
    }


def choose(person_id: int, shown: bool) -> None:
    db.session.rollback()
    db.session.get(Person, person_id).name_public = shown
    db.session.commit()


def close(person_id: int) -> None:
    """As closing an account leaves the person's row (privacy.closing does the rest)."""
    db.session.rollback()
    person = db.session.get(Person, person_id)
    person.closed_at, person.display_name = now(), ""
    db.session.commit()


def test_a_visitor_sees_a_member_of_their_organisation_never_the_name(client, world, public):
    for page, address in public.items():
        shown = text(client.get(address))
        assert NAME not in shown, page
        assert AS_A_MEMBER in shown, page
    assert "Cora Contact" not in text(client.get(public["body"]))  # the deputy too


def test_the_other_pages_visitors_reach_hold_no_name(client, world, public):
    event = make_event(world.org_a, world.member, "Open day at the hall",
                       audience=Audience.PUBLIC)
    pages = [f"/calendar/e/{event.id}-{event.slug}", f"/calendar/e/{event.id}.ics",
             "/calendar/public.ics", "/calendar", "/bulletin", "/bulletin.txt",
             "/search?q=plan", "/search?q=hall", "/bodies",
             f"/organisations/{world.org_a.id}-{world.org_a.slug}"]
    for address in pages:
        shown = client.get(address)
        assert shown.status_code == 200, address
        assert NAME not in shown.get_data(as_text=True), address


def test_the_holders_own_organisation_names_them_whatever_the_seat_speaks_for(client, world):
    body = make_body("Borough Assembly", audience=Audience.PUBLIC)
    seat = make_seat(body, "Youth seat", organisations=[world.org_b])
    loner = PersonFactory(display_name="Lee Loner")  # in no organisation
    db.session.add_all([
        Term(seat_id=seat.id, holder_id=world.member.id, deputy_id=loner.id,
             selection=Selection.COOPTED, starts_on=today() - timedelta(days=5),
             ends_on=today() + timedelta(days=300))])
    db.session.commit()
    shown = text(client.get(f"/bodies/{body.id}-{body.slug}"))
    assert NAME not in shown and "Lee Loner" not in shown
    assert f"<strong>{AS_A_MEMBER}</strong>" in shown  # never "of Beta Youth Club"
    assert "Deputy: a member" in shown


def test_the_name_shows_to_visitors_once_they_choose(client, world, public, login_as):
    login_as(world.member)
    account = text(client.get("/account"))
    assert 'name="name_public"' in account and "checked" not in account.split(
        'name="name_public"')[1].split(">")[0]  # off by default
    saved = client.post("/account", data={"display_name": NAME, "name_public": "y"})
    assert saved.status_code == 303
    assert db.session.get(Person, world.member.id).name_public is True
    client.post("/logout")
    for page, address in public.items():
        assert NAME in text(client.get(address)), page
    assert "Cora Contact" not in text(client.get(public["body"]))  # she has not chosen
    login_as(world.member)
    client.post("/account", data={"display_name": NAME})  # and back
    client.post("/logout")
    assert NAME not in text(client.get(public["report"]))


def test_people_logged_in_always_see_the_name(client, world, public, login_as):
    login_as(world.other_member)
    for page, address in public.items():
        shown = text(client.get(address))
        assert NAME in shown and AS_A_MEMBER not in shown, page


def test_coordinators_see_the_choice_on_the_persons_page(client, world, login_as):
    choose(world.member.id, True)
    login_as(world.coordinator)
    shown = text(client.get(f"/coordinate/people/{world.member.id}"))
    assert "Name to visitors" in shown and "shown" in shown


def test_a_closed_account_reads_a_former_member_everywhere(client, world, public, login_as):
    listing = make_listing(world.org_a, world.member, "Folding tables to lend")
    attendance.answer(world.event, world.event.starts_at, world.member, Answer.GOING)
    db.session.commit()
    choose(world.member.id, True)  # a choice made before closing no longer matters
    close(world.member.id)
    pages = {**public,
             "thread": f"/forum/t/{world.thread.id}-{world.thread.slug}",
             "listing": f"/board/l/{listing.id}-{listing.slug}"}
    for who in (None, world.other_member, world.coordinator):
        if who is None:
            client.post("/logout")
        else:
            login_as(who)
        for page, address in pages.items():
            if who is None and page in ("thread", "listing"):
                continue  # members' pages: a visitor is sent to log in
            shown = text(client.get(address))
            assert NAME not in shown, (page, who)
            assert "a former member" in shown, (page, who)
    login_as(world.contact)  # the event's organiser sees every answer
    shown = text(client.get(f"/calendar/e/{world.event.id}-{world.event.slug}"))
    assert NAME not in shown and "a former member: going" in shown


def test_email_and_notifications_name_a_closed_author_as_a_former_member(world):
    from network.core.names import who

    close(world.member.id)
    member = db.session.scalar(select(Person).where(Person.id == world.member.id))
    assert member.name == "a former member"
    assert who(member, world.org_a, visitor=True) == "a former member"
    assert who(db.session.get(Person, world.contact.id), visitor=False) == "Cora Contact"
