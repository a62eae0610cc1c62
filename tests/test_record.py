"""The accountability record (reports on time, late, overdue and due; items; actions) and the
reminders for overdue reports; on SQLite and PostgreSQL."""

from __future__ import annotations

import contextvars
import gzip
import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from network.auth.models import Person
from network.calendar import reads as calendar
from network.core.audience import Audience
from network.core.time import format_day, now, today
from network.extensions import db
from network.notify.models import Notification
from network.representation import services
from network.representation.models import (
    Action,
    ActionStatus,
    Body,
    ItemStatus,
    RaisedItem,
    Report,
    ReportReminder,
    ReportState,
    Selection,
    Term,
)
from network.representation.record import Standing, remind_overdue_reports, standing
from tests.factories import PersonFactory, make_body, make_event, make_seat

DAY = timedelta(days=1)


def text(response) -> str:
    return response.get_data(as_text=True)




@pytest.fixture
def seat(world):
    """A seat of its own (the world's has a report already) on a members' body, held by
    world.member for the past 100 days."""
    found = make_seat(make_body("Health and Wellbeing Board"), "Community seat")
    db.session.add(Term(seat_id=found.id, holder_id=world.member.id,
                        selection=Selection.ELECTED, starts_on=today() - 100 * DAY,
                        ends_on=today() + 600 * DAY))
    db.session.commit()
    return found


def meeting(world, seat, held_ago: timedelta, *, audience=Audience.MEMBERS):
    """A meeting of the seat's body held that long ago."""
    return make_event(world.org_a, world.member, "Board meeting", starts_at=now() - held_ago,
                      body_id=seat.body_id, audience=audience)


def report(world, seat, event, *, published_after: timedelta | None,
           audience=Audience.MEMBERS) -> Report:
    """The seat's report from a one-off meeting: published that long after it, or a draft."""
    found = Report(seat_id=seat.id, event_id=event.id,
                   occurrence_start=event.starts_at, meeting_at=event.starts_at,
                   author_id=world.member.id, summary="What happened.", audience=audience)
    if published_after is not None:
        found.state, found.published_at = ReportState.PUBLISHED, event.starts_at + published_after
    db.session.add(found)
    db.session.commit()
    return found


# --- standings -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("published_after", "held_ago", "expected"), [
    (timedelta(days=3), 40 * DAY, Standing.ON_TIME),
    (timedelta(days=14), 40 * DAY, Standing.ON_TIME),  # the fourteenth day is in time
    (timedelta(days=14, minutes=1), 40 * DAY, Standing.LATE),
    (None, timedelta(days=14, minutes=1), Standing.OVERDUE),
    (None, 14 * DAY, Standing.DUE),
    (None, 2 * DAY, Standing.DUE),
])
def test_a_reports_standing_counts_fourteen_days_from_its_meeting(app, published_after,
                                                                   held_ago, expected):
    moment = now()
    held = moment - held_ago
    found = None
    if published_after is not None:
        found = Report(meeting_at=held, state=ReportState.PUBLISHED,
                       published_at=held + published_after)
    assert standing(held, found, moment) == expected


def test_a_draft_is_overdue_like_no_report_at_all(app):
    moment = now()
    draft = Report(meeting_at=moment - 20 * DAY, state=ReportState.DRAFT)
    assert standing(moment - 20 * DAY, draft, moment) == Standing.OVERDUE


def meeting_rows(page: str) -> list[list[str]]:
    """The seat record's meetings table: the text of each cell, row by row."""
    table = page.split('id="meetings-heading"')[1]
    rows = re.findall(r"<tr><td>(.*?)</tr>", table, re.S)
    return [[unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r"<td>(.*?)</td>", "<td>" + row, re.S)] for row in rows]


def test_the_seat_record_lists_each_meeting_of_the_term_with_its_standing(client, world, login_as,
                                                                          seat):
    on_time = meeting(world, seat, 60 * DAY)
    report(world, seat, on_time, published_after=5 * DAY)
    late = meeting(world, seat, 50 * DAY)
    report(world, seat, late, published_after=20 * DAY)
    meeting(world, seat, 30 * DAY)  # no report
    drafted = meeting(world, seat, 20 * DAY)
    report(world, seat, drafted, published_after=None)
    meeting(world, seat, 5 * DAY)  # still due
    meeting(world, seat, 150 * DAY)  # before the term began (100 days ago)
    make_event(world.org_a, world.member, "Another board", starts_at=now() - 10 * DAY,
               body_id=make_body("Another board").id)
    login_as(world.other_member)
    rows = meeting_rows(text(client.get(f"/seats/{seat.id}/accountability")))
    assert [(row[1], row[2], row[3]) for row in rows] == [
        ("None yet", "–", f"Due by {format_day(now() + 9 * DAY)}"),
        ("None yet", "–", "Overdue"),  # a draft others cannot see
        ("None yet", "–", "Overdue"),
        ("Report", "20", "Late"),
        ("Report", "5", "On time"),
    ]
    assert [row[0] for row in rows] == [format_day(now() - days * DAY)
                                        for days in (5, 20, 30, 50, 60)]
    login_as(world.member)  # the holder sees the draft
    assert meeting_rows(text(client.get(f"/seats/{seat.id}/accountability")))[1][1] \
        == "Draft"


def figures_in_table(section: str) -> dict[str, int]:
    table = section.split("<table", 1)[1].split("</table>", 1)[0]
    groups = re.split(r'<th scope="rowgroup"[^>]*>', table)[1:]
    found = {}
    for group in groups:
        name = group.split("<", 1)[0]
        for label, count in re.findall(r'<th scope="row">(?:<span[^>]*></span>)?([^<]+)</th>'
                                       r"<td>(\d+)</td>", group):
            found[f"{name}: {unescape(label)}"] = int(count)
    return found


def figures_in_chart(section: str) -> tuple[dict[str, int], dict[str, float]]:
    """The chart's title, read as figures, and its bars' widths by row and segment."""
    svg = section.split("<svg", 1)[1].split("</svg>", 1)[0]
    title = unescape(re.search(r"<title[^>]*>(.*?)</title>", svg, re.S).group(1))
    said = {}
    for group, listed in re.findall(r"(Reports|Actions): ([^.]+)\.", title):
        for count, label in re.findall(r"(\d+) ([a-z ]+)", listed):
            said[f"{group}: {label.capitalize()}"] = int(count)
    widths = {}
    for key, y, width in re.findall(r'<rect class="k-(\w+)" x="[\d.]+" y="(\d+)" '
                                    r'width="([\d.]+)"', svg):
        group = "Reports" if y == "4" else "Actions"
        widths[f"{group}: {key}"] = float(width)
    return said, widths


def test_the_chart_and_the_table_show_the_same_figures(client, world, login_as, seat):
    report(world, seat, meeting(world, seat, 60 * DAY), published_after=5 * DAY)
    report(world, seat, meeting(world, seat, 55 * DAY), published_after=6 * DAY)
    report(world, seat, meeting(world, seat, 50 * DAY), published_after=30 * DAY)
    meeting(world, seat, 30 * DAY)
    meeting(world, seat, 3 * DAY)
    longer = make_seat(db.session.get(Body, seat.body_id), "Faith groups seat")
    db.session.add(Term(seat_id=longer.id, holder_id=world.other_member.id,
                        selection=Selection.ELECTED, starts_on=today() - 200 * DAY,
                        ends_on=today() + 100 * DAY))
    db.session.commit()
    meeting(world, seat, 150 * DAY)  # in the longer term only
    first = db.session.scalar(select(Report).where(Report.seat_id == seat.id).limit(1))
    for status, due, closed in ((ActionStatus.OPEN, today() + 9 * DAY, None),
                                (ActionStatus.OPEN, today() - DAY, None),
                                (ActionStatus.IN_PROGRESS, today() - 9 * DAY, None),
                                (ActionStatus.DONE, today(), now() - DAY),
                                (ActionStatus.DONE, today(), now() - 2 * DAY),
                                (ActionStatus.DROPPED, today(), now() - DAY),
                                (ActionStatus.DONE, today(), now() - 200 * DAY)):  # before
        db.session.add(Action(seat_id=seat.id, report_id=first.id, what="Ask", owner="Us",
                              due_on=due, status=status, closed_at=closed))
    for status, raised in ((ItemStatus.OPEN, now()), (ItemStatus.ANSWERED, now() - 9 * DAY),
                           (ItemStatus.NOT_TAKEN, now() - 9 * DAY),
                           (ItemStatus.TAKEN, now() - 3 * DAY),
                           (ItemStatus.ANSWERED, now() - 300 * DAY)):  # before the term
        db.session.add(RaisedItem(seat_id=seat.id, author_id=world.contact.id,
                                  title="A question", status=status, created_at=raised))
    db.session.commit()
    login_as(world.contact)
    page = text(client.get(f"/bodies/{seat.body_id}/accountability"))
    section = page.split(f'id="s{seat.id}"', 1)[1]
    table = figures_in_table(section)
    assert table == {
        "Reports: On time": 2, "Reports: Late": 1, "Reports: Overdue": 1, "Reports: Due": 1,
        "Items raised: Raised": 4, "Items raised: Answered or not taken": 2,
        "Items raised: Still open": 2,
        "Actions: Open": 1, "Actions: Overdue": 2, "Actions: Done": 2, "Actions: Dropped": 1}
    said, widths = figures_in_chart(section)
    assert said == {k: v for k, v in table.items() if not k.startswith("Items")}
    for group, total in (("Reports", 5), ("Actions", 6)):
        for key in ("on_time", "late", "overdue", "due") if group == "Reports" else (
                "open", "overdue", "done", "dropped"):
            label = {"on_time": "On time"}.get(key, key.capitalize())
            assert widths[f"{group}: {key}"] == pytest.approx(
                200 * table[f"{group}: {label}"] / total, abs=0.1)
    seat_page = text(client.get(f"/seats/{seat.id}/accountability"))
    assert figures_in_table(seat_page.split("<h1", 1)[1]) == table
    longer_figures = figures_in_table(page.split(f'id="s{longer.id}"', 1)[1])
    assert longer_figures["Reports: Overdue"] == 5  # its own four, and the one before ours


def test_a_seat_with_nothing_yet_draws_empty_bars(client, world, login_as):
    seat = make_seat(make_body("New board"), "Faith groups seat")
    login_as(world.member)
    page = text(client.get(f"/seats/{seat.id}/accountability"))
    assert page.count('<rect class="k-none"') == 2
    assert "Nobody holds this seat now. This record covers the past 12 months, since " in page
    assert "Reports: 0 on time, 0 late, 0 overdue, 0 due." in page


class Landmarks(HTMLParser):
    """A page's landmarks, (role, accessible name), as a screen reader lists them: the
    elements that are landmarks by their tag or role, named by aria-label or by the text of
    the elements aria-labelledby names."""

    ROLES = {"banner", "complementary", "contentinfo", "form", "main", "navigation", "region",
             "search"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
            "source", "track", "wbr"}
    SECTIONING = {"article", "aside", "main", "nav", "section"}

    def __init__(self, page: str) -> None:
        super().__init__()
        self.open: list[list] = []  # [tag, id, text parts] of each element still open
        self.texts: dict[str, str] = {}
        self.found: list[tuple[str, dict]] = []
        self.feed(page)

    def role(self, tag: str, a: dict) -> str | None:
        if a.get("role"):
            return a["role"] if a["role"] in self.ROLES else None
        named = "aria-label" in a or "aria-labelledby" in a
        inside = any(element[0] in self.SECTIONING for element in self.open)
        return {"main": "main", "nav": "navigation", "aside": "complementary",
                "header": None if inside else "banner",
                "footer": None if inside else "contentinfo",
                "section": "region" if named else None,
                "form": "form" if named else None}.get(tag)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (role := self.role(tag, a)) is not None:
            self.found.append((role, a))
        if tag not in self.VOID:
            self.open.append([tag, a.get("id"), []])

    def handle_startendtag(self, tag, attrs):
        if (role := self.role(tag, dict(attrs))) is not None:
            self.found.append((role, dict(attrs)))

    def handle_data(self, data):
        for element in self.open:
            element[2].append(data)

    def handle_endtag(self, tag):
        while self.open:
            name, ident, parts = self.open.pop()
            if ident:
                self.texts[ident] = " ".join("".join(parts).split())
            if name == tag:
                break

    def named(self) -> list[tuple[str, str]]:
        return [(role, a.get("aria-label") or " ".join(
            self.texts.get(ident, "") for ident in a.get("aria-labelledby", "").split()))
            for role, a in self.found]


def test_every_landmark_on_a_record_page_has_a_name_of_its_own(client, world, login_as, seat):
    """axe's landmark-unique: the seat's meetings table scrolled in a region named as the
    section around it; a body's seats may share a title."""
    twin = make_seat(db.session.get(Body, seat.body_id), seat.title)
    for held_ago in (40 * DAY, 20 * DAY):
        meeting(world, seat, held_ago)
    login_as(world.member)
    for path in (f"/seats/{seat.id}/accountability", f"/seats/{twin.id}/accountability",
                 f"/bodies/{seat.body_id}/accountability"):
        page = text(client.get(path))
        assert "<table" in page
        landmarks = Landmarks(page).named()
        assert ("main", "") in landmarks and ("navigation", "Main") in landmarks
        assert len(set(landmarks)) == len(landmarks), (path, landmarks)


# --- who sees it ---------------------------------------------------------------------------------

def test_a_members_bodys_record_asks_visitors_to_log_in(client, world, login_as, seat):
    for path in (f"/bodies/{seat.body_id}/accountability",
                 f"/seats/{seat.id}/accountability"):
        assert client.get(path).location.startswith("/login?next=")  # members: log in
    login_as(world.associate)
    for path in (f"/bodies/{seat.body_id}/accountability",
                 f"/seats/{seat.id}/accountability"):
        assert client.get(path).status_code == 200


def test_a_public_bodys_record_is_for_everyone_and_links_only_reports_they_may_read(
        client, world, login_as):
    seat = make_seat(make_body("Open forum", audience=Audience.PUBLIC), "Residents' seat")
    db.session.add(Term(seat_id=seat.id, holder_id=world.member.id, selection=Selection.ELECTED,
                        starts_on=today() - 90 * DAY, ends_on=today() + 300 * DAY))
    db.session.commit()
    for_all = report(world, seat, meeting(world, seat, 60 * DAY, audience=Audience.PUBLIC),
                     published_after=3 * DAY, audience=Audience.PUBLIC)
    for_members = report(world, seat, meeting(world, seat, 40 * DAY, audience=Audience.PUBLIC),
                         published_after=3 * DAY)
    assert client.get(f"/bodies/{seat.body_id}/accountability").status_code == 200
    page = text(client.get(f"/seats/{seat.id}/accountability"))
    assert f'href="/reports/{for_all.id}"' in page
    assert f'href="/reports/{for_members.id}"' not in page
    assert "Published (members only)" in page
    login_as(world.associate)
    page = text(client.get(f"/seats/{seat.id}/accountability"))
    assert f'href="/reports/{for_members.id}"' in page
    assert "Published (members only)" not in page


def test_an_archived_seat_keeps_its_record_an_archived_body_is_for_coordinators(client, world,
                                                                                login_as):
    seat = make_seat(world.body, "Old seat")
    seat.archived_at = now()
    archived = make_body("Old board", audience=Audience.PUBLIC, archived_at=now())
    db.session.commit()
    login_as(world.member)
    assert client.get(f"/seats/{seat.id}/accountability").status_code == 200
    assert client.get(f"/bodies/{archived.id}/accountability").status_code == 404
    login_as(world.coordinator)
    assert client.get(f"/seats/{seat.id}/accountability").status_code == 200
    assert client.get(f"/bodies/{archived.id}/accountability").status_code == 200


# --- cost ----------------------------------------------------------------------------------------

@pytest.fixture
def busy_body(world):
    """A body with 10 seats held for 3 years and a meeting every month, each reported by
    each seat (one in four late), with items and actions."""
    start = now() - timedelta(days=3 * 365)
    body = make_body("Busy board")
    event = make_event(world.org_a, world.member, "Monthly board", starts_at=start,
                       body_id=body.id, repeats=("monthly_date", None, 37))
    held = [m for m in calendar.occurrences_of([event], start - DAY, now()) if
            m.starts_at < now()]
    seats = [make_seat(body, f"Seat {n:02d}") for n in range(10)]
    for number, seat in enumerate(seats):
        db.session.add(Term(seat_id=seat.id, holder_id=PersonFactory().id,
                            deputy_id=PersonFactory().id, selection=Selection.ELECTED,
                            starts_on=start.date(), ends_on=today() + 365 * DAY))
        for n, found in enumerate(held[:-1]):
            late = (n + number) % 4 == 0
            db.session.add(Report(
                seat_id=seat.id, event_id=event.id, occurrence_start=found.original_start,
                meeting_at=found.starts_at, author_id=world.member.id,
                summary="What happened. " * 40, state=ReportState.PUBLISHED,
                published_at=found.starts_at + (20 if late else 6) * DAY))
        db.session.flush()
        some_report = db.session.scalar(select(Report.id).where(Report.seat_id == seat.id)
                                        .limit(1))
        for n in range(12):
            db.session.add(RaisedItem(seat_id=seat.id, author_id=world.contact.id,
                                      title=f"Item {n}", status=list(ItemStatus)[n % 4]))
            db.session.add(Action(seat_id=seat.id, report_id=some_report, what="Do it",
                                  owner="Us", due_on=today() + (n - 6) * DAY,
                                  status=list(ActionStatus)[n % 4],
                                  closed_at=now() if list(ActionStatus)[n % 4].closed
                                  else None))
    db.session.commit()
    return SimpleNamespace(seat=seats[0], meetings_held=len(held))


@pytest.mark.parametrize("who", ["member", "coordinator"])
def test_a_busy_bodys_record_is_light_and_cheap(client, world, login_as, busy_body, queries,
                                                who):
    login_as(getattr(world, who))
    seat = busy_body.seat
    for path, budget in ((f"/bodies/{seat.body_id}/accountability", 14 * 1024),
                         (f"/seats/{seat.id}/accountability", 14 * 1024)):
        with queries() as statements:
            response = client.get(path, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200
        assert len(statements) <= 10, "\n".join(statements)
        sent = response.get_data()
        assert len(sent) <= budget, (path, len(sent))
        page = gzip.decompress(sent).decode() if sent[:2] == b"\x1f\x8b" else sent.decode()
        assert page.count("<svg") == (10 if "bodies" in path else 1)
    seat_page = page
    # Every monthly meeting of the three years (36 or 37, by the day of the month it is).
    assert seat_page.count("<tr><td>") == busy_body.meetings_held


# --- reminders -----------------------------------------------------------------------------------

def reminders_to(person: Person) -> list[Notification]:
    db.session.rollback()
    return list(db.session.scalars(select(Notification).where(
        Notification.person_id == person.id, Notification.kind == "representation.reminder")))


def test_the_holder_then_the_coordinators_are_reminded_of_an_overdue_report_once(app, world,
                                                                               seat):
    deputy = PersonFactory(display_name="Dee Deputy")
    term = seat.current_term
    term.deputy_id = deputy.id
    db.session.commit()
    held = meeting(world, seat, 40 * DAY).starts_at
    assert remind_overdue_reports(held + 14 * DAY) == 0  # fourteen days: not overdue yet
    assert remind_overdue_reports(held + 15 * DAY) == 2  # the holder and the deputy
    db.session.commit()
    [told] = reminders_to(world.member)
    assert told.subject == (f"Your report from Health and Wellbeing Board, {format_day(held)}, "
                            "is overdue")
    assert told.url == services.seat_path(seat)
    assert len(reminders_to(deputy)) == 1 and reminders_to(world.coordinator) == []
    assert remind_overdue_reports(held + 16 * DAY) == 0  # once
    assert remind_overdue_reports(held + 21 * DAY) == 0
    assert remind_overdue_reports(held + 22 * DAY) == 2  # every coordinator (and the admin)
    db.session.commit()
    [told] = reminders_to(world.coordinator)
    assert told.subject == ("The report for “Community seat” from Health and Wellbeing Board, "
                            f"{format_day(held)}, is overdue")
    assert len(reminders_to(world.admin)) == 1 and len(reminders_to(world.member)) == 1
    assert remind_overdue_reports(held + 30 * DAY) == 0
    assert remind_overdue_reports() == 0
    db.session.commit()
    assert {r.stage for r in db.session.scalars(select(ReportReminder))} == {1, 2}


def test_nobody_is_reminded_of_a_published_report_a_draft_is_not_enough(app, world, seat):
    published = meeting(world, seat, 30 * DAY)
    report(world, seat, published, published_after=20 * DAY)  # late, but there
    drafted = meeting(world, seat, 25 * DAY)
    report(world, seat, drafted, published_after=None)
    assert remind_overdue_reports() == 1 + 2  # the draft: the holder, then the coordinators
    db.session.commit()
    [told] = reminders_to(world.member)
    assert format_day(drafted.starts_at) in told.subject


def test_no_reminder_for_a_seat_nobody_holds_or_a_meeting_before_the_term(app, world, seat):
    meeting(world, make_seat(make_body("Empty board"), "Empty seat"), 30 * DAY)
    cancelled = meeting(world, seat, 30 * DAY)
    cancelled.cancelled_at = now()
    db.session.commit()
    assert remind_overdue_reports() == 0
    longer = make_seat(db.session.get(Body, seat.body_id), "Faith groups seat")
    db.session.add(Term(seat_id=longer.id, holder_id=world.other_member.id,
                        selection=Selection.ELECTED, starts_on=today() - 200 * DAY,
                        ends_on=today() + 100 * DAY))
    db.session.commit()
    meeting(world, seat, 120 * DAY)  # before our term (100 days ago), in the longer one
    assert remind_overdue_reports() == 1 + 2  # its holder, then the coordinators
    db.session.commit()
    assert reminders_to(world.member) == []
    assert len(reminders_to(world.other_member)) == 1


def test_flask_representation_remind_sends_and_saves_the_reminders(app, world, seat):
    meeting(world, seat, 16 * DAY)

    def remind():
        db.session.rollback()  # the test's reads end before the command writes
        result = contextvars.Context().run(app.test_cli_runner().invoke,
                                           args=["representation", "remind"])
        assert result.exit_code == 0, result.exception
        return result.output.strip()

    assert remind() == "Told 1 people of overdue reports."
    assert len(reminders_to(world.member)) == 1
    assert remind() == "Told 0 people of overdue reports."


def test_a_vacant_seat_owes_no_report(client, world, login_as):
    """Nobody holds it: its body's meetings are not counted against it as overdue or due;
    the reports it has from the past year still are."""
    seat = make_seat(world.body, "Vacant seat")
    reported, unreported = (make_event(world.org_a, world.member, title, body_id=world.body.id,
                                       starts_at=now() - days * DAY)
                            for title, days in (("Reported", 40), ("Not reported", 30)))
    db.session.add(Report(seat_id=seat.id, event_id=reported.id,
                          occurrence_start=reported.starts_at, meeting_at=reported.starts_at,
                          author_id=world.coordinator.id, summary="From the chair.",
                          state=ReportState.PUBLISHED,
                          published_at=reported.starts_at + 3 * DAY))
    db.session.commit()
    login_as(world.member)
    page = text(client.get(f"/seats/{seat.id}/accountability"))
    assert (f"Nobody holds this seat now. This record covers the past 12 months, since "
            f"{format_day(now() - 365 * DAY)}: no report is expected until someone holds it.") \
        in page
    assert page.count("<tr><td>") == 1 and "Overdue</td>" not in page
    assert unreported.title not in page


# --- a holder's dashboard ------------------------------------------------------------------------

def test_a_holders_dashboard_says_what_waits_on_their_seats(client, world, login_as, seat):
    started = meeting(world, seat, 40 * DAY)
    draft = report(world, seat, started, published_after=None)  # overdue, started
    meeting(world, seat, 20 * DAY)  # overdue, not started
    due = meeting(world, seat, 3 * DAY)  # due
    for status in (ItemStatus.OPEN, ItemStatus.OPEN, ItemStatus.TAKEN):
        db.session.add(RaisedItem(seat_id=seat.id, author_id=world.contact.id,
                                  title="A question", status=status))
    term = db.session.scalar(select(Term).where(Term.seat_id == seat.id))
    term.deputy_id = world.other_member.id
    db.session.commit()
    login_as(world.member)
    page = text(client.get("/dashboard"))
    assert "Your seats" in page
    card = page.split(f'id="seat-{seat.id}"', 1)[1].split("</li>", 1)[0]
    assert "Health and Wellbeing Board: Community seat" in card
    assert f"You hold it until {format_day(today() + 600 * DAY)}." in card
    assert "2 items raised are waiting for you to mark them" in card
    assert (f"Overdue</span> Your report from the meeting on {format_day(started.starts_at)} "
            f"was due by {format_day(started.starts_at + 14 * DAY)}. 1 other report is "
            "overdue too.") in card
    assert f'href="/reports/{draft.id}/edit">Finish the report back' in card
    held = page.split(f'id="seat-{world.seat.id}"', 1)[1].split("</li>", 1)[0]
    assert "Every meeting held this term has its report back." in held  # the world's seat
    assert "No item raised is waiting for you." not in held  # the world's item is open

    client.post(f"/reports/{draft.id}/edit", data={
        "summary": "Done.", "audience": "members", "version": str(draft.version)})
    client.post(f"/reports/{draft.id}/publish")
    login_as(world.other_member)  # the deputy
    card = text(client.get("/dashboard")).split(f'id="seat-{seat.id}"', 1)[1]
    assert f"You are its deputy until {format_day(today() + 600 * DAY)}." in card
    assert f'href="/seats/{seat.id}/reports/new">Write the report back' in card
    assert f"the meeting on {format_day(due.starts_at)}" not in card  # the overdue one first
    login_as(world.contact)  # holds nothing
    assert "Your seat" not in text(client.get("/dashboard"))


def test_a_holders_dashboard_lists_the_seats_overdue_actions(client, world, login_as, seat):
    agreed = report(world, seat, meeting(world, seat, 30 * DAY), published_after=3 * DAY)

    def action(what: str, due_in: int, status=ActionStatus.OPEN) -> Action:
        found = Action(seat_id=seat.id, report_id=agreed.id, what=what, owner="Council",
                       due_on=today() + due_in * DAY, status=status)
        db.session.add(found)
        db.session.commit()
        return found

    late = action("Write to the clinic", -7)
    going = action("Chase the commissioners", -2, ActionStatus.IN_PROGRESS)
    action("Book the hall", 0)  # due today: not yet overdue
    action("Send the survey", -10, ActionStatus.DONE)
    action("Ask about parking", -3, ActionStatus.DROPPED)
    login_as(world.member)

    def card(seat_id: int) -> str:
        page = text(client.get("/dashboard"))
        return page.split(f'id="seat-{seat_id}"', 1)[1].split('<li id="seat-', 1)[0].split(
            "</section>", 1)[0]

    shown = card(seat.id)
    assert "Overdue</span> 2 actions agreed are past their day:" in shown
    assert re.search(rf'href="/actions/{late.id}">Write to the clinic</a> <span class="meta">'
                     rf"Council, due {format_day(today() - 7 * DAY)}</span>.*"
                     rf'href="/actions/{going.id}">Chase the commissioners</a>', shown, re.S)
    for words in ("Book the hall", "Send the survey", "Ask about parking", "more on the seat"):
        assert words not in shown
    for days in (20, 15, 12):
        action(f"Older one {days}", -days)
    shown = card(seat.id)
    assert "5 actions agreed are past their day:" in shown
    assert re.search(r"Older one 20.*Older one 15.*Older one 12", shown, re.S)
    assert "Write to the clinic" not in shown and "Chase the commissioners" not in shown
    assert f'href="/seats/{seat.id}#actions">2 more on the seat’s page</a>' in shown
    assert 'id="actions"' in text(client.get(f"/seats/{seat.id}"))
    assert "agreed" not in card(world.seat.id)  # the world's action is due in 20 days


def test_the_record_says_what_a_member_can_do_next(client, world, login_as, seat):
    login_as(world.contact)  # in an organisation the world's seat speaks for
    page = text(client.get(f"/seats/{world.seat.id}/accountability"))
    steps = page.split('id="next-heading"', 1)[1]
    assert f'href="/seats/{world.seat.id}/items">Raise an item</a> for the representative' in steps
    assert "respond to it on its page (the representative is told)" in steps
    assert 'href="mailto:coordinators@example.org"' in steps
    assert ("When a report is not published 14 days after its meeting, the holder and deputy "
            "are reminded; after 21 days the coordinators are told") in steps
    body_page = text(client.get(f"/bodies/{world.body.id}/accountability"))
    assert "What you can do" in body_page and "after 21 days" in body_page
    login_as(world.associate)  # reads, raises nothing
    steps = text(client.get(f"/seats/{world.seat.id}/accountability"))
    assert "Raise an item</a>" not in steps and "the seat’s page</a>." in steps
