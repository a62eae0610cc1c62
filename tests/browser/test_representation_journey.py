"""A representative and the members they speak for, on a phone, with JavaScript on and off,
on SQLite and PostgreSQL: a member raises an item before the partnership's meeting; the
representative takes it; after the meeting she reports back, answering it, with two actions
and a question; the member is told, says they read it and answers the question; a month
later one action is done and one overdue, and the seat's accountability record shows both."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import select

from network.auth.models import Person
from network.calendar import services as calendar
from network.calendar.models import Event, EventKind
from network.core.audience import Audience
from network.core.time import now, today
from network.demo import DEMO_PASSWORD
from network.extensions import db
from network.members.models import Organisation
from network.representation.models import Action, Body, RaisedItem
from tests.browser.conftest import FLASK_COMPRESS_UNCLOSED_STATIC_FILE, journeys, log_in

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

PHONE = {"width": 360, "height": 740}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                              "wcag22aa"]}}
MEMBER = "ravi@example.org"  # Riverside Tenants' Federation: the whole network's seat speaks
REPRESENTATIVE = "grace@example.org"  # holds the partnership's voluntary sector seat
SEAT = "Voluntary and community sector seat"
axe = Axe()


def a_meeting_soon(app, title: str) -> int:
    """The partnership meets in an hour: the next meeting, before the monthly one."""
    with app.app_context():
        body = db.session.scalar(select(Body).where(Body.name.like("Riverside Strategic%")))
        forum = db.session.scalar(select(Organisation).where(
            Organisation.name == "Riverside Multi-Faith Forum"))
        grace = db.session.scalar(select(Person).where(Person.email == REPRESENTATIVE))
        start = now().replace(second=0, microsecond=0) + timedelta(hours=1)
        event = calendar.create_event(forum.id, grace, {
            "title": title, "kind": EventKind.MEETING, "body_id": body.id,
            "audience": Audience.PUBLIC, "starts_at": start,
            "ends_at": start + timedelta(hours=2), "place": "Town Hall"}, [], None)
        db.session.commit()
        return event.id


def time_passes(app, event_id: int, *, meeting_days_ago: int) -> None:
    """The meeting is now that many days past, and what was raised for it moves with it."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        shift = now() - timedelta(days=meeting_days_ago) - event.starts_at
        event.starts_at += shift
        event.ends_at += shift
        for item in db.session.scalars(select(RaisedItem).where(RaisedItem.event_id == event_id)):
            item.occurrence_start += shift
            item.meeting_at += shift
        db.session.commit()


def a_month_later(app, what: str) -> None:
    """The action due soon is now past its day."""
    with app.app_context():
        action = db.session.scalar(select(Action).where(Action.what == what))
        action.due_on = today() - timedelta(days=3)
        db.session.commit()


def figure(page: Page, group: str, label: str) -> int:
    """A number from the record's table: the row `label` in the group `group`."""
    rows = page.locator("table.figures tbody").filter(has=page.get_by_role(
        "rowheader", name=group, exact=True))
    return int(rows.get_by_role("row").filter(has=page.get_by_role(
        "rowheader", name=label, exact=True)).get_by_role("cell").inner_text())


@journeys
def test_an_item_raised_is_answered_in_a_report_and_its_actions_followed(new_context,
                                                                         any_server,
                                                                         javascript):
    run = uuid4().hex[:6]
    meeting_title = f"Partnership special meeting {run}"
    item_title = f"Will the youth centre stay open in the holidays? ({run})"
    done_action, late_action = f"Publish the holiday timetable {run}", f"Visit the centre {run}"
    event_id = a_meeting_soon(any_server.app, meeting_title)
    with any_server.app.app_context():
        borough_today = today()

    def day(n: int) -> str:
        return (borough_today + timedelta(days=n)).isoformat()

    member = new_context(java_script_enabled=javascript, viewport=PHONE,
                         base_url=any_server.url).new_page()
    log_in(member, MEMBER, DEMO_PASSWORD)
    member.get_by_role("link", name="Representatives").first.click()
    seat = member.locator("section.panel").filter(
        has=member.get_by_role("heading", name=re.compile(SEAT)))
    seat.get_by_role("link", name="Raise an item").click()
    member.get_by_label("What do you want raised?").fill(item_title)
    member.get_by_label("More about it").fill("Our tenants' children have nowhere to go.")
    member.get_by_role("button", name="Raise it").click()
    item = member.locator("li.post").filter(has_text=item_title)
    expect(item).to_contain_text("Raised")
    expect(item).to_contain_text("for the meeting on")
    expect(member).to_have_url(re.compile(r"/seats/\d+#i\d+$"))  # the page opens at it
    expect(item).to_be_in_viewport()
    seat_page = member.url.split("#")[0]

    rep = new_context(java_script_enabled=javascript, viewport=PHONE,
                      base_url=any_server.url).new_page()
    log_in(rep, REPRESENTATIVE, DEMO_PASSWORD)
    rep.goto("/notifications")
    expect(rep.locator("main")).to_contain_text(f"Ravi Shah raised “{item_title}”")
    rep.goto(seat_page)
    rep.locator("li.post").filter(has_text=item_title).get_by_role(
        "link", name="Answer or mark it").click()
    rep.get_by_label("What became of it").select_option(label="Taken to the meeting")
    rep.get_by_role("button", name="Save and tell them").click()
    marked = rep.locator("li.post").filter(has_text=item_title)
    expect(marked).to_contain_text("Taken to the meeting")
    expect(rep).to_have_url(re.compile(r"/seats/\d+#i\d+$"))  # not the top of the seat's page
    expect(marked).to_be_in_viewport()

    time_passes(any_server.app, event_id, meeting_days_ago=2)
    rep.get_by_role("link", name="Write a report back").click()
    meetings = rep.get_by_label("Which meeting?")
    meetings.select_option(meetings.locator("option", has_text=meeting_title)
                           .get_attribute("value"))
    rep.get_by_role("button", name="Start the report").click()
    rep.get_by_label("In short").fill("The board heard from the youth service.")
    rep.get_by_label("What was decided").fill("- The centre opens three days a week in "
                                              "the holidays.")
    rep.get_by_label("What I said on our behalf").fill("I raised the tenants' question.")
    rep.get_by_label(f"Answer to “{item_title}”").fill("Yes, three days a week.")
    rep.get_by_label("Who can read it").select_option(label="Everyone (public)")
    rep.get_by_role("button", name="Save the draft").click()
    expect(rep.locator(".badge").filter(has_text="Draft")).to_be_visible()
    for what, owner, due in ((done_action, "Youth service", 10), (late_action, "Grace", 20)):
        rep.get_by_text("Add an action").click()
        rep.get_by_label("What is to be done").fill(what)
        rep.get_by_label("Who does it").fill(owner)
        rep.get_by_label("By when").fill(day(due))
        rep.get_by_role("button", name="Add the action").click()
        expect(rep.locator("#actions")).to_contain_text(what)
    rep.get_by_text("Ask the members a question").click()
    rep.get_by_label("Question to the members").fill(f"Which groups could volunteer? {run}")
    rep.get_by_label("Respond by").fill(day(-1))
    rep.get_by_role("button", name="Add the question").click()
    expect(rep.locator("#respond_by-error")).to_contain_text("after today, and within a year")
    rep.get_by_label("Respond by").fill(day(7))
    rep.get_by_role("button", name="Add the question").click()
    expect(rep.locator("#questions")).to_contain_text("Which groups could volunteer?")
    rep.get_by_role("button", name="Publish and tell the members it speaks for").click()
    expect(rep.locator(".flash").first).to_contain_text("Published:")
    report_url = rep.url.split("#")[0]
    rep.emulate_media(media="print")  # on A4, for groups without internet: no forms, no menus
    expect(rep.get_by_role("heading", name="What was decided")).to_be_visible()
    expect(rep.locator("details").first).to_be_hidden()
    expect(rep.get_by_role("navigation", name="Main")).to_be_hidden()
    rep.emulate_media(media="screen")
    if javascript:
        results = axe.run(rep, options=WCAG)
        assert results.violations_count == 0, results.generate_report()

    member.goto("/notifications")
    notices = member.locator("main")
    expect(notices).to_contain_text(f"“{item_title}” is answered in the report")
    expect(notices).to_contain_text("Report back from Riverside Strategic Partnership")
    member.goto(report_url)
    expect(member.locator("li.post").filter(has_text=item_title)).to_contain_text(
        "Yes, three days a week.")
    member.get_by_role("button", name="I have read it").click()
    expect(member.locator("#read")).to_contain_text("You have said you read it")
    member.get_by_label("Is it an answer to a question?").select_option(
        label=f"Which groups could volunteer? {run}")
    member.get_by_label("Your response").fill("The Federation can send two people.")
    member.get_by_role("button", name="Send").click()
    expect(member.locator("#responses")).to_contain_text("The Federation can send two people.")
    expect(member.locator("#responses")).to_contain_text("answering “Which groups")

    rep.goto(report_url)
    expect(rep.locator("#read")).to_contain_text("1 person has said they read it")
    rep.goto(seat_page)
    rep.get_by_role("link", name="Its record: reports, items and actions").click()
    before = {label: figure(rep, "Actions", label) for label in ("Done", "Overdue")}
    rep.goto(report_url)
    rep.get_by_role("link", name=done_action).click()
    rep.get_by_label("Status").select_option(label="Done")
    rep.get_by_label("What has happened").fill("Published on the council's site.")
    rep.get_by_role("button", name="Save").click()
    expect(rep.locator("main")).to_contain_text("Published on the council's site.")
    a_month_later(any_server.app, late_action)
    rep.goto(report_url)
    expect(rep.locator("li").filter(has_text=late_action)).to_contain_text("Overdue")
    rep.get_by_role("link", name="Dashboard").click()  # her seat's card says so too
    card = rep.locator("li").filter(has=rep.get_by_role("heading", name=re.compile(SEAT)))
    expect(card).to_contain_text("past their day")
    if javascript:
        results = axe.run(rep, options=WCAG)
        assert results.violations_count == 0, results.generate_report()
    card.get_by_role("link", name=late_action).click()
    expect(rep.get_by_role("heading", level=1)).to_contain_text(late_action)
    rep.goto(seat_page)
    rep.get_by_role("link", name="Its record: reports, items and actions").click()
    assert figure(rep, "Actions", "Done") == before["Done"] + 1
    assert figure(rep, "Actions", "Overdue") == before["Overdue"] + 1
    expect(rep.locator("table.meetings")).to_contain_text("On time")
    if javascript:
        results = axe.run(rep, options=WCAG)
        assert results.violations_count == 0, results.generate_report()


LANDMARKS = {"runOnly": {"type": "rule", "values": [
    "landmark-unique", "landmark-one-main", "landmark-no-duplicate-banner",
    "landmark-no-duplicate-contentinfo", "landmark-no-duplicate-main",
    "landmark-banner-is-top-level", "landmark-contentinfo-is-top-level",
    "landmark-main-is-top-level", "landmark-complementary-is-top-level"]}}


def test_every_record_page_names_each_landmark_once(new_context, live_server):
    """axe's landmark rules (best practice, which the WCAG walk does not run) and WCAG on the
    record of every body and seat of the demo, as a coordinator sees them all: a seat's table
    of meetings was scrolled in a region named as the section around it."""
    from network.representation.models import Seat

    with live_server.app.app_context():
        paths = [f"/bodies/{body_id}/accountability" for body_id in db.session.scalars(
            select(Body.id).where(Body.archived_at.is_(None)))]
        paths += [f"/seats/{seat_id}/accountability" for seat_id in db.session.scalars(
            select(Seat.id))]
    page = new_context(viewport=PHONE).new_page()
    log_in(page, "coordinator@example.org", DEMO_PASSWORD)
    found = []
    for path in paths:
        assert page.goto(path).status == 200, path
        for options in (LANDMARKS, WCAG):
            results = axe.run(page, options=options)
            if results.violations_count:
                found.append(f"{path}: {results.generate_report()}")
    assert len(paths) > 4 and not found, "\n".join(found)
