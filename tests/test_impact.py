"""The record of what was shared (network/impact): its figures counted exactly from a built
world, the period's bounds (whole days in the borough's zone), who may see it, the CSV; on
SQLite and PostgreSQL. The periods below are written for one day, whatever TEST_CLOCK is: 13
January 2027, 10:00 in London (on_a_known_day)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from network.board.models import BookingStatus, Category, ListingKind, ListingStatus
from network.calendar import services as calendar
from network.calendar.models import Answer, Rsvp
from network.core.time import now
from network.extensions import db
from network.impact.figures import Period, cell, choices, csv_text, record_of, year_back
from network.members.models import Membership
from network.representation.models import Action, ActionStatus
from tests.factories import (
    PersonFactory,
    make_booking,
    make_event,
    make_listing,
    make_report,
)

DAY = timedelta(days=1)
KNOWN_DAY = datetime(2027, 1, 13, 10, 0, tzinfo=UTC)  # London is on UTC in January


@pytest.fixture(autouse=True)
def on_a_known_day(clock):
    """Every test here starts on KNOWN_DAY, before its world is built."""
    clock.set(KNOWN_DAY)
ORG_FIGURES = {
    ("Listings matched", "Given"): 2, ("Listings matched", "Received"): 1,
    ("Bookings", "Given"): 1, ("Bookings", "Received"): 1,
    ("Hours booked", "Given"): 3, ("Hours booked", "Received"): 1.5,
    ("Events held", "All"): 8, ("People going", "All"): 3,
    ("Reports published", "On time"): 2, ("Reports published", "Late"): 1,
    ("Actions done", "All"): 1,
}


def figures(record) -> dict:
    return {(family.label, figure.label): figure.count for family in record.families
            for figure in family.figures}


def past_year() -> Period:
    day = now().date()
    return Period(year_back(day), day)


def matched(listing, with_org, at) -> None:
    listing.status, listing.matched_with_id, listing.settled_at = \
        ListingStatus.MATCHED, with_org.id, at
    db.session.commit()


def going(event, at, *people, answer=Answer.GOING, waiting=False) -> None:
    db.session.add_all(Rsvp(event_id=event.id, occurrence_start=at, person_id=p.id,
                            answer=answer, waiting=waiting) for p in people)
    db.session.commit()


@pytest.fixture
def shared(world):
    """What org_a (Alpha Tenants) gave and received this past year, beside what does not
    count: ORG_FIGURES says what it comes to. The world brings one report on time (its
    member's, published eight days ago) and a booking asked for, not approved."""
    a, b, contact, other = world.org_a, world.org_b, world.contact, world.other_member
    moment = now().replace(second=0, microsecond=0)
    # Listings: org_a's offer taken by org_b, org_b's request met by org_a (given: 2); org_a's
    # request met by org_b (received: 1); matched over a year ago, and one closed: not counted.
    matched(make_listing(a, contact, "Chairs to lend"), b, moment - 5 * DAY)
    matched(make_listing(b, other, "Need a printer", kind=ListingKind.REQUEST,
                         category=Category.EQUIPMENT), a, moment - 3 * DAY)
    matched(make_listing(a, contact, "Need a minibus", kind=ListingKind.REQUEST,
                         category=Category.TRANSPORT), b, moment - 40 * DAY)
    matched(make_listing(a, contact, "Old projector"), b, moment - 400 * DAY)
    closed = make_listing(a, contact, "Tables")
    closed.status, closed.settled_at = ListingStatus.CLOSED, moment - 2 * DAY
    # Bookings: org_b's three hours in org_a's room (given); org_a's hour and a half in org_b's
    # hall (received); cancelled, still to come, and org_a's own booking of its room: none.
    make_booking(world.listing, b, other, -10, BookingStatus.APPROVED)
    make_booking(world.listing, b, other, -9, BookingStatus.CANCELLED)
    make_booking(world.listing, b, other, 5, BookingStatus.APPROVED)
    make_booking(world.listing, a, contact, -8, BookingStatus.APPROVED)
    hall = make_listing(b, other, "Youth club hall", bookable=True)
    received = make_booking(hall, a, contact, -20, BookingStatus.APPROVED)
    received.ends_at = received.starts_at + timedelta(minutes=90)
    # Events (besides the body meetings the reports below are from, org_a's: four held): a
    # one-off held twenty days ago (two going with a place; one waiting and a maybe
    # do not count); a weekly series of three held and one to come, one held cancelled; a
    # cancelled event; an event of org_b's.
    one_off = make_event(a, contact, "Tenants' AGM", starts_at=moment - 20 * DAY)
    going(one_off, one_off.starts_at, PersonFactory(), PersonFactory())
    going(one_off, one_off.starts_at, PersonFactory(), waiting=True)
    going(one_off, one_off.starts_at, PersonFactory(), answer=Answer.MAYBE)
    weekly = make_event(a, contact, "Repairs surgery", starts_at=moment - 27 * DAY,
                        repeats=("weekly", None, 5))
    going(weekly, weekly.starts_at + 7 * DAY, PersonFactory())
    calendar.cancel(weekly, "this", weekly.starts_at + 14 * DAY, "Snow.", contact)
    going(weekly, weekly.starts_at + 14 * DAY, PersonFactory())  # said before it was off
    called_off = make_event(a, contact, "Jumble sale", starts_at=moment - 6 * DAY)
    going(called_off, called_off.starts_at, PersonFactory())
    calendar.cancel(called_off, "all", None, "No hall.", contact)
    make_event(b, other, "Youth night", starts_at=moment - 4 * DAY)
    db.session.commit()
    # Reports: the world's on time; one on the fourteenth day, on time; one on the fifteenth,
    # late; a draft, and org_b's person's: not org_a's. Actions: one done, one dropped.
    fourteen = make_report(world.seat, world.member, a, days_ago=30)
    fourteen.published_at = fourteen.meeting_at + 14 * DAY
    fifteen = make_report(world.seat, world.member, a, days_ago=40)
    fifteen.published_at = fifteen.meeting_at + 15 * DAY
    make_report(world.seat, world.member, a, days_ago=50, published=False)
    make_report(world.seat, other, b, days_ago=12)
    db.session.add_all([
        Action(seat_id=world.seat.id, report_id=fifteen.id, what="Write to the council",
               owner="Mo", due_on=moment.date(), status=ActionStatus.DONE,
               closed_at=moment - 2 * DAY),
        Action(seat_id=world.seat.id, report_id=fifteen.id, what="Ask again", owner="Mo",
               due_on=moment.date(), status=ActionStatus.DROPPED, closed_at=moment - DAY)])
    db.session.commit()
    return world


def test_an_organisations_figures_are_counted_exactly(shared):
    assert figures(record_of("Alpha Tenants", past_year(), shared.org_a.id)) == ORG_FIGURES


def test_the_other_side_sees_the_same_things_the_other_way(shared):
    found = figures(record_of("Beta Youth Club", past_year(), shared.org_b.id))
    assert found[("Listings matched", "Given")] == 1  # the minibus org_a asked for
    assert found[("Listings matched", "Received")] == 2
    assert found[("Bookings", "Given")] == 1 and found[("Hours booked", "Given")] == 1.5
    assert found[("Bookings", "Received")] == 1 and found[("Hours booked", "Received")] == 3
    assert found[("Events held", "All")] == 2  # the youth night, and its report's meeting
    assert found[("Reports published", "On time")] == 1  # its contact's


def test_the_network_counts_each_thing_once(shared):
    assert figures(record_of("Network", past_year())) == {
        ("Listings matched", "All"): 3, ("Bookings", "All"): 2, ("Hours booked", "All"): 4.5,
        ("Events held", "All"): 10, ("People going", "All"): 3,
        ("Reports published", "On time"): 3, ("Reports published", "Late"): 1,
        ("Actions done", "All"): 1}


def test_someone_who_had_left_when_they_published_does_not_count_for_it(shared):
    membership = db.session.get(Membership, shared.member_membership.id)
    membership.left_at = now() - 20 * DAY  # after the late report, before the others
    db.session.commit()
    found = figures(record_of("Alpha", past_year(), shared.org_a.id))
    assert found[("Reports published", "On time")] == 0
    assert found[("Reports published", "Late")] == 1
    assert found[("Actions done", "All")] == 0  # done two days ago: they had left


def test_the_period_is_whole_days_in_the_borough_both_included(world):
    """1 August 2026 00:30 in London is 31 July 23:30 UTC (summer time)."""
    a, b = world.org_a, world.org_b
    matched(make_listing(a, world.contact, "Gazebo"), b,
            datetime(2026, 7, 31, 23, 30, tzinfo=UTC))
    matched(make_listing(a, world.contact, "Urn"), b,
            datetime(2026, 8, 31, 22, 59, tzinfo=UTC))  # 23:59 on the 31st in London
    matched(make_listing(a, world.contact, "Bunting"), b,
            datetime(2026, 8, 31, 23, 0, tzinfo=UTC))  # 1 September, midnight

    def given(first, last) -> int:
        record = record_of("A", Period(first, last), a.id)
        return figures(record)[("Listings matched", "Given")]

    from datetime import date
    assert given(date(2026, 8, 1), date(2026, 8, 31)) == 2
    assert given(date(2026, 7, 1), date(2026, 7, 31)) == 0
    assert given(date(2026, 8, 1), date(2026, 8, 1)) == 1
    assert given(date(2026, 9, 1), date(2026, 9, 30)) == 1


def test_the_quick_choices_and_the_default(app):
    found = dict(choices())
    assert found["The past 12 months"] == Period(datetime(2026, 1, 14).date(),
                                                 datetime(2027, 1, 13).date())
    assert found["This financial year"].first.isoformat() == "2026-04-01"
    assert found["Last financial year"].args == {"start": "2025-04-01", "end": "2026-03-31"}
    assert found["Last calendar year"].args == {"start": "2026-01-01", "end": "2026-12-31"}


# --- the pages -----------------------------------------------------------------------------------

def test_the_organisation_page_shows_the_figures_in_the_chart_and_the_table(shared, client,
                                                                          login):
    login(shared.contact)
    page = client.get(f"/organisations/{shared.org_a.id}/shared").get_data(as_text=True)
    assert "From 14 January 2026 to 13 January 2027" in page
    assert "<svg" in page and "Hours booked: 3 given, 1.5 received." in page
    assert "Events held: 8." in page
    assert '<tr><th scope="row"><span class="key k-received"></span>Received</th><td>1.5</td>' \
        in page
    assert "style=" not in page and "<script" not in page.split("</main>")[0].split("<main")[1]
    assert f'/organisations/{shared.org_a.id}/shared.csv?start=2026-01-14&amp;end=2027-01-13' \
        in page


def test_a_chosen_period_and_htmx_asking_for_the_results(shared, client, login):
    login(shared.coordinator)
    path = f"/organisations/{shared.org_a.id}/shared?start=2027-01-01&end=2027-01-13"
    page = client.get(path).get_data(as_text=True)
    assert "From 1 January 2027 to 13 January 2027" in page
    assert "Listings matched: 2 given, 0 received." in page  # the minibus was in December
    block = client.get(path, headers={"HX-Request": "true", "HX-Target": "results"})
    assert block.status_code == 200
    text = block.get_data(as_text=True)
    assert "<h1" not in text and "Listings matched: 2 given, 0 received." in text


@pytest.mark.parametrize("query", ["start=2027-01-13&end=2027-01-01", "start=2027-02-01",
                                   "start=2010-01-01", "end=not-a-day"])
def test_a_period_that_is_not_one_is_refused_beside_the_field(world, client, login, query):
    login(world.coordinator)
    response = client.get(f"/shared?{query}")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error"' in page and "here are the past 12 months" in page
    assert client.get(f"/shared.csv?{query}").status_code == 422


def test_the_csv(shared, client, login):
    login(shared.contact)
    response = client.get(f"/organisations/{shared.org_a.id}/shared.csv")
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=shared-alpha-tenants-2026-01-14-to-2027-01-13.csv"
    assert "no-store" in response.headers["Cache-Control"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Who", "From", "To", "What", "Which", "Number"]
    assert {(what, which): float(number) for who, first, last, what, which, number in rows[1:]
            } == ORG_FIGURES
    assert {tuple(row[:3]) for row in rows[1:]} == {
        ("Alpha Tenants", "2026-01-14", "2027-01-13")}
    assert b"\r\n" in data


def test_the_csv_guards_against_formulas_and_its_name_is_fixed_words(world, client, login):
    org = world.org_a
    org.name = "=HYPERLINK(\"http://evil\")\r\nx"
    db.session.commit()
    login(world.coordinator)
    response = client.get(f"/organisations/{org.id}/shared.csv")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert all(row[0].startswith("'=") for row in rows[1:])
    name = response.headers["Content-Disposition"]
    assert name == "attachment; filename=shared-hyperlink-http-evil-x-2026-01-14-to-2027-01-13.csv"
    for risky in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert cell(risky) == "'" + risky
    assert cell("Alpha") == "Alpha" and cell(3) == "3"


def test_the_network_csv(shared, client, login):
    login(shared.coordinator)
    response = client.get("/shared.csv?start=2026-04-01&end=2027-01-13")
    assert response.headers["Content-Disposition"] == \
        "attachment; filename=shared-network-2026-04-01-to-2027-01-13.csv"
    text = response.get_data().decode("utf-8-sig")
    assert "The whole network,2026-04-01,2027-01-13,Hours booked,All,4.5" in text
    assert text == csv_text(record_of("The whole network", Period(
        datetime(2026, 4, 1).date(), datetime(2027, 1, 13).date())))[1:]


@pytest.mark.parametrize(("role", "status"), [
    ("contact", 200), ("coordinator", 200), ("admin", 200), ("member", 403),
    ("other_member", 403), ("associate", 403)])
def test_who_sees_an_organisations_record(world, client, login, role, status):
    login(getattr(world, role))
    for path in (f"/organisations/{world.org_a.id}/shared",
                 f"/organisations/{world.org_a.id}/shared.csv"):
        assert client.get(path).status_code == status
    assert client.get("/shared").status_code == (200 if role in ("coordinator", "admin")
                                                  else 403)


def test_a_visitor_is_asked_to_log_in_and_a_hidden_organisation_is_not_there(world, client,
                                                                              login):
    for path in (f"/organisations/{world.org_a.id}/shared", "/shared.csv"):
        response = client.get(path)
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    applied = world.application.organisation
    login(world.contact)
    assert client.get(f"/organisations/{applied.id}/shared").status_code == 404
    assert client.get("/organisations/999999/shared.csv").status_code == 404


def test_the_organisation_page_links_to_the_record_for_those_who_may_see_it(world, client,
                                                                            login):
    page = f"/organisations/{world.org_a.id}-{world.org_a.slug}"
    link = f'href="/organisations/{world.org_a.id}/shared"'
    login(world.contact)
    assert link in client.get(page).get_data(as_text=True)
    client.post("/logout")
    login(world.member)
    assert link not in client.get(page).get_data(as_text=True)
    client.post("/logout")
    assert link not in client.get(page).get_data(as_text=True)


def test_queries_stay_few_however_much_was_shared(world, client, login, queries):
    login(world.contact)
    path = f"/organisations/{world.org_a.id}/shared?start=2017-01-13&end=2027-01-13"

    def grow(n):
        for i in range(n):
            matched(make_listing(world.org_a, world.contact, f"Thing {i}"), world.org_b,
                    now() - (i + 1) * DAY)
            make_booking(world.listing, world.org_b, world.other_member, -(i + 1),
                         BookingStatus.APPROVED)
            event = make_event(world.org_a, world.contact, f"Meeting {i}",
                               starts_at=now() - (i + 1) * DAY, repeats=("weekly", None, 3))
            going(event, event.starts_at, PersonFactory())
            make_report(world.seat, world.member, world.org_a, days_ago=i + 30)

    grow(3)
    with queries() as few:
        assert client.get(path).status_code == 200
    grow(20)
    with queries() as many:
        assert client.get(path).status_code == 200
    assert len(few) <= 10, few
    assert len(many) == len(few)
    for network in ("/shared", "/shared.csv"):
        client.post("/logout")
        login(world.coordinator)
        with queries() as statements:
            assert client.get(network).status_code == 200
        assert len(statements) <= 10


def test_coordinators_find_the_network_record_from_their_overview(world, client, login):
    login(world.coordinator)
    assert 'href="/shared"' in client.get("/coordinate").get_data(as_text=True)


def test_a_moved_occurrence_counts_where_it_was_moved_to(world):
    """A weekly series held three times (and once more, moved to next week: not yet held);
    an answer to a moved occurrence stays with it."""
    moment = now().replace(second=0, microsecond=0)
    weekly = make_event(world.org_b, world.other_member, "Homework club",
                        starts_at=moment - 28 * DAY, repeats=("weekly", None, 4))
    second, third = weekly.starts_at + 7 * DAY, weekly.starts_at + 14 * DAY
    going(weekly, second, PersonFactory(), PersonFactory())
    going(weekly, third, PersonFactory())
    calendar.edit_event(weekly, {"starts_at": moment + 7 * DAY,
                                 "ends_at": moment + 7 * DAY + timedelta(hours=2),
                                 "place": weekly.place}, [], None, "this", third,
                        world.other_member)
    db.session.commit()
    found = figures(record_of("Beta", past_year(), world.org_b.id))
    assert (found[("Events held", "All")], found[("People going", "All")]) == (3, 2)
    later = Period(past_year().first, (moment + 10 * DAY).date())
    assert figures(record_of("Beta", later, world.org_b.id))[("Events held", "All")] == 3


def test_the_fields_show_the_period_shown(world, client, login):
    login(world.coordinator)
    page = client.get("/shared").get_data(as_text=True)
    assert 'name="start" type="date" value="2026-01-14"' in page
    assert 'name="end" type="date" value="2027-01-13"' in page


def test_figures_are_written_as_people_read_them():
    from network.impact.figures import Figure

    assert [Figure("all", "All", n).shown for n in (0, 3, 1.5, 1.25, 2 / 3, 10.0)] == \
        ["0", "3", "1.5", "1.25", "0.67", "10"]
