"""The calendar in a real browser, with JavaScript on (htmx) and off, as the issue's "done
when" asks: an organisation's contact adds a fortnightly meeting and cancels one occurrence;
a member of another organisation answers "going" and the count goes up; the organiser sees the
answer; the member subscribes to their private feed, and a calendar library reads from it the
occurrences the site shows, the cancelled one cancelled. On a 360 px phone no calendar page
scrolls sideways, and axe finds nothing on them (at 1280 px too)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from network.demo import DEMO_PASSWORD
from tests.browser.conftest import (
    FLASK_COMPRESS_UNCLOSED_STATIC_FILE,
    VIEWPORTS,
    journeys,
    log_in,
    main_nav,
)

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

PHONE = {"width": 360, "height": 740}
ORGANISER = "pat@example.org"      # contact for Riverside Tenants' Federation
OTHER = "grace@example.org"        # member of Riverside Multi-Faith Forum
ORGANISATION = "Riverside Tenants' Federation"
FORTNIGHT = timedelta(days=14)
# "Thursday 3 December 2026, 19:00": how the site writes an occurrence.
SHOWN = re.compile(r"(\w+ \d{1,2} \w+ \d{4}), (\d{2}:\d{2})")

axe = Axe()
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                              "wcag22aa"]},
        "resultTypes": ["violations"]}


# --- helpers -------------------------------------------------------------------------------------

def borough(live_server) -> tuple[ZoneInfo, date]:
    from network.core.time import borough_zone, today

    with live_server.app.app_context():
        return borough_zone(), today()


def shown_moment(text: str, zone: ZoneInfo) -> datetime:
    found = SHOWN.search(text)
    assert found, f"no date and time in {text!r}"
    return datetime.strptime(" ".join(found.groups()), "%A %d %B %Y %H:%M").replace(tzinfo=zone)


def settled(page: Page) -> None:
    """htmx has finished: no request out, and what a boosted click brought is processed (htmx
    binds the new content's triggers when it settles, a moment after showing it)."""
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def no_sideways_scroll(page: Page, label: str) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, innerWidth]")
    assert scroll_width <= inner_width, f"{label} is {scroll_width} px wide on a phone"


def axe_clean(page: Page, label: str, new_context=None) -> None:
    """No axe violations on the page. Axe needs JavaScript: for a page seen without it, the
    same address is checked in a context with JavaScript and the same login (what was served
    is the same HTML; htmx changes nothing until it is used)."""
    if new_context is not None:
        origin = re.match(r"https?://[^/]+", page.url).group(0)
        context = new_context(viewport=page.viewport_size, base_url=origin,
                              storage_state=page.context.storage_state())
        seen, page = page, context.new_page()
        page.goto(seen.url)
    results = axe.run(page, options=WCAG)
    assert results.violations_count == 0, f"{label}:\n{results.generate_report()}"


def filter_by_organisation(page: Page, javascript: bool) -> None:
    """From an event's page to its organisation's, whose link to its events in the calendar
    is how one filters by it (the filter offers an organisation once one is chosen); then
    the agenda's filter: in place with htmx, a plain GET form without JavaScript."""
    page.locator("dl.facts").get_by_role("link", name=ORGANISATION).click()
    expect(page.get_by_role("heading", level=1, name=ORGANISATION)).to_be_visible()
    page.get_by_role("link", name="Its events in the calendar").click()
    expect(page.get_by_role("heading", level=1, name="Calendar")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]organisation=\d+"))
    expect(page.get_by_label("Organisation", exact=True)).to_have_value(re.compile(r"^\d+$"))
    settled(page)
    if javascript:
        page.evaluate("window.samePage = true")
    page.get_by_label("Kind", exact=True).select_option(label="Meeting")
    if not javascript:
        page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"[?&]kind=meeting"))
    expect(page).to_have_url(re.compile(r"[?&]organisation=\d+"))
    expect(page.locator("#results li.event").first).to_contain_text(ORGANISATION)
    expect(page.locator("#results li.event").filter(has_not_text=ORGANISATION)).to_have_count(0)
    if javascript:  # the results changed, the page did not
        assert page.evaluate("window.samePage === true")
        expect(page.locator("#announce")).to_have_text(re.compile(r"^\d+ events?$"))


# --- the journey ---------------------------------------------------------------------------------

@journeys
def test_a_fortnightly_meeting_is_added_cancelled_once_answered_and_subscribed_to(
        new_context, any_server, javascript):
    """On SQLite and on PostgreSQL (any_server), with JavaScript on and off."""
    live_server = any_server
    zone, today = borough(live_server)
    title = f"Repairs working group {uuid4().hex[:6]}"
    first_day = today + timedelta(days=8)  # beyond the notice period: no short-notice mark
    days = [first_day + n * FORTNIGHT for n in range(6)]

    # The organiser adds the meeting: 19:00, every two weeks, six times.
    pat = new_context(java_script_enabled=javascript, viewport=PHONE,
                      base_url=live_server.url).new_page()
    log_in(pat, ORGANISER, DEMO_PASSWORD)
    main_nav(pat).get_by_role("link", name="Calendar").click()
    pat.get_by_role("link", name="Add an event").click()
    expect(pat.get_by_role("heading", level=1, name="Add an event")).to_be_visible()
    settled(pat)
    expect(pat.get_by_label("Whose event is it?")).to_have_value(re.compile(r"^\d+$"))
    pat.get_by_label("Title", exact=True).fill(title)
    pat.get_by_label("What kind of event?").select_option(label="Meeting")
    pat.get_by_label("What it is about").fill("Damp, lifts and the **repairs backlog**.")
    pat.get_by_label("Date", exact=True).fill(first_day.isoformat())
    pat.get_by_label("Starts at").fill("19:00")
    pat.get_by_label("Ends at").fill("20:30")
    # How a series ends is asked only once it repeats (CSS alone, so without JavaScript too).
    expect(pat.get_by_label("Until", exact=True)).to_be_hidden()
    pat.get_by_label("Repeats").select_option(label="Every two weeks")
    expect(pat.get_by_label("Number of times")).to_be_hidden()
    pat.get_by_label("Until", exact=True).select_option(label="A number of times")
    pat.get_by_label("Number of times").fill("6")
    pat.get_by_label("Place", exact=True).fill("Northbank Community Centre, committee room")
    pat.get_by_label("Step-free access").check()
    pat.get_by_role("button", name="Add the event").click()

    expect(pat.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(pat.get_by_role("status")).to_contain_text("is in the calendar")
    expect(pat.locator("dl.facts")).to_contain_text("Every two weeks")
    expect(pat.locator(".marks")).not_to_contain_text("Short notice")
    series_url = pat.url
    other_dates = pat.locator("ul.dates > li")
    expect(other_dates).to_have_count(5)

    # The organiser opens the second occurrence and cancels it alone.
    other_dates.first.get_by_role("link").click()
    expect(pat).to_have_url(re.compile(r"\?at=\d{8}T\d{6}Z$"))
    expect(pat.locator("dl.facts")).to_contain_text(f"{days[1].day} ")
    pat.get_by_role("link", name="Cancel", exact=True).click()
    expect(pat.get_by_role("heading", level=1)).to_contain_text(f"Cancel “{title}”")
    pat.get_by_label("Cancel", exact=True).select_option(label="Only this occurrence")
    pat.get_by_label(re.compile(r"^Why")).fill("The centre is closed for the election.")
    pat.get_by_role("button", name="Cancel it").click()
    expect(pat.get_by_role("status")).to_contain_text("Cancelled")
    expect(pat.locator(".marks")).to_contain_text("Cancelled")
    expect(pat.locator("main")).to_contain_text("The centre is closed for the election.")
    cancelled_url = pat.url

    # The agenda shows that occurrence cancelled (in words, and struck through), not the others.
    filter_by_organisation(pat, javascript)
    ours = pat.locator("#results li.event").filter(has_text=title)
    expect(ours).to_have_count(2)  # four weeks: the first two
    expect(ours.nth(0)).not_to_contain_text("Cancelled")
    expect(ours.nth(0)).not_to_have_class(re.compile(r"\bcancelled\b"))
    expect(ours.nth(1)).to_contain_text("Cancelled")
    expect(ours.nth(1)).to_have_class(re.compile(r"\bcancelled\b"))
    struck = ours.nth(1).get_by_role("link", name=title).evaluate(
        "link => getComputedStyle(link).textDecorationLine")
    assert "line-through" in struck
    no_sideways_scroll(pat, "the agenda")
    axe_clean(pat, "the agenda at 360 px", None if javascript else new_context)
    settled(pat)
    pat.get_by_role("link", name="Later").click()
    expect(pat.locator("#results h2")).to_contain_text(
        f"{(today + timedelta(days=28)).day} ")
    expect(ours).to_have_count(2)  # the third and fourth
    expect(ours.filter(has_text="Cancelled")).to_have_count(0)
    # A filter changed now keeps the weeks shown (the window travels with the results).
    settled(pat)
    later = (today + timedelta(days=28)).isoformat()
    pat.get_by_label("Kind", exact=True).select_option(label="Meeting")
    if not javascript:
        pat.get_by_role("button", name="Show").click()
    expect(pat).to_have_url(re.compile(rf"kind=meeting.*start={later}|start={later}.*kind=meeting"))
    expect(ours).to_have_count(2)

    # The month with the cancelled occurrence, on a phone: a list of days, marked.
    pat.goto(f"/calendar/month?month={days[1]:%Y-%m}")
    expect(pat.locator("table.month li").filter(has_text=title).filter(
        has_text="Cancelled")).to_have_count(1)
    no_sideways_scroll(pat, "the month")
    axe_clean(pat, "the month at 360 px", None if javascript else new_context)
    pat.goto(cancelled_url)
    no_sideways_scroll(pat, "the cancelled occurrence")
    axe_clean(pat, "the cancelled occurrence at 360 px", None if javascript else new_context)

    # A member of another organisation answers "going" to the first occurrence.
    grace = new_context(java_script_enabled=javascript, viewport=PHONE,
                      base_url=live_server.url).new_page()
    log_in(grace, OTHER, DEMO_PASSWORD)
    main_nav(grace).get_by_role("link", name="Calendar").click()
    grace.locator("#results li.event").filter(has_text=title).first.get_by_role(
        "link", name=title).click()
    expect(grace.get_by_role("heading", level=1, name=title)).to_be_visible()
    first_url = grace.url
    expect(grace.locator("#going")).to_have_text("0 going")
    settled(grace)
    grace.get_by_role("button", name="Going", exact=True).click()
    expect(grace.locator("#going")).to_have_text("1 going")
    expect(grace.locator("#rsvp")).to_contain_text("Your answer: Going.")
    expect(grace.get_by_role("button", name="Going", exact=True)).to_have_attribute(
        "aria-pressed", "true")
    if javascript:  # in place, and a screen reader hears it
        expect(grace).to_have_url(first_url)
        expect(grace.locator("#announce")).to_have_text("Your answer is saved.")
    else:
        expect(grace.get_by_role("status")).to_contain_text("Your answer is saved.")
    no_sideways_scroll(grace, "the event")
    axe_clean(grace, "the event at 360 px", None if javascript else new_context)

    # The organiser sees her answer; another member does not see the list.
    pat.goto(first_url)
    expect(pat.locator("#going")).to_have_text("1 going")
    expect(pat.locator("#rsvp ul.answers")).to_contain_text("Grace Mensah: going")
    expect(grace.locator("#rsvp ul.answers")).to_have_count(0)

    # What the site shows of the series: its dates, and which are cancelled.
    grace.goto(series_url)
    on_site = {shown_moment(grace.locator("dl.facts dd").first.inner_text(), zone): False}
    for item in grace.locator("ul.dates > li").all():
        text = item.inner_text()
        on_site[shown_moment(text, zone)] = "Cancelled" in text
    assert sorted(on_site) == [datetime.combine(day, time(19, 0), zone) for day in days]
    assert [on_site[moment] for moment in sorted(on_site)] == [False, True] + [False] * 4

    # She subscribes: the private feed's address, from the page, read by a calendar library.
    main_nav(grace).get_by_role("link", name="Calendar").click()
    grace.get_by_role("link", name="Your own calendar feed").click()
    expect(grace.get_by_role("heading", level=1, name="Your calendar feed")).to_be_visible()
    address = grace.get_by_label("Your feed’s address").input_value()
    assert address.startswith(live_server.url + "/calendar/feed/")
    no_sideways_scroll(grace, "the feed page")
    response = grace.request.get(address)
    assert response.ok and response.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.body())
    window = (datetime.combine(today, time(0), zone),
              datetime.combine(today + timedelta(days=120), time(0), zone))
    expanded = [one for one in recurring_ical_events.of(calendar).between(*window)
                if str(one["SUMMARY"]) == title]
    in_feed = {one["DTSTART"].dt.astimezone(zone): str(one.get("STATUS", "")) == "CANCELLED"
               for one in expanded}
    assert all(moment.time() == time(19, 0) for moment in in_feed)  # across clock changes too
    shown = {moment for moment, cancelled in on_site.items() if not cancelled}
    assert {moment for moment, cancelled in in_feed.items() if not cancelled} == shown
    cancelled_moment = datetime.combine(days[1], time(19, 0), zone)
    assert in_feed.get(cancelled_moment, True), "the cancelled occurrence is in the feed as on"


# --- the waiting list -----------------------------------------------------------------------------

@pytest.mark.parametrize("javascript", [pytest.param(True, id="js"),
                                        pytest.param(False, id="no-js")])
def test_waiting_for_a_place_says_where_one_stands_and_then_that_one_has_a_place(
        new_context, live_server, javascript):
    from network.auth.models import Person
    from network.calendar import attendance
    from network.calendar.models import Answer
    from network.extensions import db
    from network.members.models import Organisation
    from tests.factories import make_event

    title = f"First aid for volunteers {uuid4().hex[:6]}"
    with live_server.app.app_context():
        federation = db.session.scalar(db.select(Organisation).where(
            Organisation.name == ORGANISATION))
        pat_row = db.session.scalar(db.select(Person).where(Person.email == ORGANISER))
        event = make_event(federation, pat_row, title, capacity=1)
        attendance.answer(event, event.starts_at, pat_row, Answer.GOING)
        db.session.commit()
        path = f"/calendar/e/{event.id}-{event.slug}"

    grace = new_context(java_script_enabled=javascript, viewport=PHONE).new_page()
    log_in(grace, OTHER, DEMO_PASSWORD)
    grace.goto(path)
    expect(grace.locator("#going")).to_have_text("1 going · 1 place · full")
    settled(grace)
    grace.get_by_role("button", name="Wait for a place").click()
    expect(grace.locator("#going")).to_have_text("1 going · 1 place · full, 1 waiting")
    expect(grace.locator("#rsvp .panel")).to_have_text(
        "You are on the waiting list (number 1). You will be told if a place comes free.")
    expect(grace.get_by_role("button", name="Wait for a place")).to_have_attribute(
        "aria-pressed", "true")
    expect(grace.get_by_role("button", name="Going", exact=True)).to_have_count(0)
    if javascript:  # the panel is what is heard, and where focus is
        expect(grace.locator("#announce")).to_have_text(
            "You are on the waiting list (number 1). You will be told if a place comes free.")
        expect(grace.locator("#rsvp .panel")).to_be_focused()
    else:
        expect(grace.get_by_role("status")).to_have_text("Your answer is saved.")
    expect(grace.locator("main").get_by_text("waiting list")).to_have_count(1)  # said once
    axe_clean(grace, "waiting for a place", None if javascript else new_context)

    # The organiser gives up her place: it is Grace's, and the page says so.
    pat = new_context(java_script_enabled=javascript, viewport=PHONE).new_page()
    log_in(pat, ORGANISER, DEMO_PASSWORD)
    pat.goto(path)
    settled(pat)
    expect(pat.locator("#rsvp .panel")).to_have_text(
        "Your answer: Going. You have a place. If you change your answer, your place goes to "
        "the next person waiting.")
    pat.get_by_role("button", name="Can't go").click()
    expect(pat.locator("#rsvp .panel")).to_have_text("Your answer: Can't go.")
    grace.goto(path)
    expect(grace.locator("#rsvp .panel")).to_have_text("Your answer: Going. You have a place.")
    expect(grace.locator("#going")).to_have_text("1 going · 1 place · full")
    expect(grace.get_by_role("button", name="Going", exact=True)).to_have_attribute(
        "aria-pressed", "true")


# --- every calendar page, clean at both widths ---------------------------------------------------

@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_calendar_pages_fit_the_screen_and_pass_axe(new_context, live_server, viewport):
    """The demo's calendar pages as its organiser sees them, including a cancelled and a moved
    occurrence, the week, the form sent back with its problems, and the feed page."""
    zone, today = borough(live_server)
    page = new_context(viewport=viewport).new_page()
    log_in(page, ORGANISER, DEMO_PASSWORD)
    checked = []

    def look(label: str) -> None:
        settled(page)
        if viewport["width"] == 360:
            no_sideways_scroll(page, label)
        axe_clean(page, f"{label} at {viewport['width']} px")
        checked.append(label)

    page.goto("/calendar")
    look("the agenda")
    page.get_by_role("link", name="Week", exact=True).click()
    expect(page.get_by_role("link", name="Week", exact=True)).to_have_attribute(
        "aria-current", "page")
    look("the week")
    page.get_by_role("link", name="Month", exact=True).click()
    expect(page.locator("table.month th")).to_have_count(7)
    look("the month")
    # One organisation's events: its page links to them, the filter offering it and "any".
    page.goto("/calendar")
    page.get_by_role("link", name="Federation open meeting").first.click()
    page.locator("dl.facts").get_by_role("link", name=ORGANISATION).click()
    page.get_by_role("link", name="Its events in the calendar").click()
    expect(page.get_by_label("Organisation", exact=True)).to_have_value(re.compile(r"^\d+$"))
    look("an organisation's events")
    # The Federation's meeting: one occurrence moved (the demo), and the series' page.
    page.goto("/calendar")
    page.get_by_role("link", name="Federation open meeting").first.click()
    expect(page.get_by_role("heading", level=1, name="Federation open meeting")).to_be_visible()
    look("an event in a series")
    moved = page.locator("ul.dates > li").filter(has_text="Moved")
    expect(moved).to_have_count(1)
    moved.get_by_role("link").click()
    expect(page.locator("dl.facts")).to_contain_text("Moved from")
    look("a moved occurrence")
    page.get_by_role("link", name="Change").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change “Federation")
    look("the event form, filled")
    page.get_by_role("link", name="Back to the event").click()
    expect(page.get_by_role("heading", level=1, name="Federation open meeting")).to_be_visible()
    page.get_by_role("link", name="Cancel", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel “Federation")
    look("the cancel form")
    page.goto("/calendar/new")
    page.get_by_label("All day").check()
    expect(page.get_by_label("Starts at")).to_be_hidden()  # all day: no times asked
    page.get_by_role("button", name="Add the event").click()
    expect(page.get_by_role("alert")).to_contain_text("problem")
    look("the event form, sent back")
    page.goto("/calendar/feed")
    expect(page.get_by_label("Your feed’s address")).to_have_attribute("readonly", "")
    look("the feed page")
    assert len(checked) == 10


# --- no inline style, whatever the page holds ----------------------------------------------------

def test_htmx_never_writes_an_inline_style_when_it_swaps_a_page_or_the_results(
        new_context, live_server):
    """An element with an id that has a style of its own (a text box resized with its handle,
    a browser extension's mark) was given that style again by htmx when it settled the new
    content (its attributesToSettle held "style"): setAttribute("style") under our CSP is a
    console error, "Applying inline style violates ... default-src 'self'". new_context fails
    the test on any such error."""
    page = new_context(viewport=PHONE).new_page()
    log_in(page, ORGANISER, DEMO_PASSWORD)
    page.goto("/calendar/new")
    settled(page)
    # What the resize handle does: a style set through CSSOM (which CSP allows).
    page.locator("#description").evaluate("box => { box.style.height = '20rem'; }")
    page.get_by_role("button", name="Add the event").click()
    expect(page.get_by_role("alert")).to_contain_text("problem")
    settled(page)

    page.goto("/calendar/week")
    settled(page)
    page.locator("#results [id]").evaluate_all(
        "found => found.forEach(element => { element.style.outline = '2px solid'; })")
    page.get_by_label("Kind", exact=True).select_option(label="Meeting")
    expect(page).to_have_url(re.compile(r"[?&]kind=meeting"))
    settled(page)
    assert page.locator("[style]").count() == 0


# --- logging in on the way to a file ----------------------------------------------------------

def test_logging_in_on_the_way_to_a_members_ics_downloads_it(new_context, live_server):
    """A members' event's .ics asks a visitor to log in; the form (boosted by htmx, before)
    swapped the calendar file into the login page as if it were HTML. Now the browser loads
    `next` itself, and the file downloads."""
    from network.auth.models import Person
    from network.extensions import db
    from network.members.models import Organisation
    from tests.factories import make_event

    title = f"Members' planning meeting {uuid4().hex[:6]}"
    with live_server.app.app_context():
        federation = db.session.scalar(db.select(Organisation).where(
            Organisation.name == ORGANISATION))
        pat_row = db.session.scalar(db.select(Person).where(Person.email == ORGANISER))
        event = make_event(federation, pat_row, title)  # for members
        path = f"/calendar/e/{event.id}.ics"

    page = new_context(viewport=PHONE).new_page()
    page.goto(path)
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    settled(page)
    page.get_by_label("Email address").fill(OTHER)
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    with page.expect_download() as download:
        page.get_by_role("button", name="Log in").click()
    saved = download.value.path()
    calendar = icalendar.Calendar.from_ical(saved.read_bytes())
    assert [str(one["SUMMARY"]) for one in calendar.walk("VEVENT")] == [title]


# --- paging with the keyboard -------------------------------------------------------------------

@pytest.mark.parametrize(("path", "link", "heading"), [
    ("/calendar/week", "Next week", re.compile(r"^Week of ")),
    ("/calendar/month", "Next month", re.compile(r"^\w+ \d{4}$")),
    ("/calendar", "Later", re.compile(r" – ")),
])
def test_paging_with_the_keyboard_takes_focus_to_the_new_results_heading_in_view(
        new_context, live_server, path, link, heading):
    """Enter on Next week (Next month, Later) replaces the results in place: focus went to
    the page's body with the link, and a phone stayed scrolled to the bottom, the new heading
    off screen. Now focus is on the new results' heading, in view, and their count is
    announced; a filter changed keeps its own focus."""
    page = new_context(viewport=PHONE).new_page()
    page.goto(path)
    settled(page)
    before = page.locator("#results h2").inner_text()
    page.get_by_role("link", name=link, exact=True).focus()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.keyboard.press("Enter")
    new_heading = page.locator("#results h2")
    expect(new_heading).not_to_have_text(before)
    expect(new_heading).to_have_text(heading)
    settled(page)
    expect(new_heading).to_be_focused()
    expect(new_heading).to_be_in_viewport()
    expect(page.locator("#announce")).to_have_text(re.compile(r"^\d+ events?$"))

    kind = page.get_by_label("Kind", exact=True)
    kind.focus()
    kind.select_option(label="Meeting")
    expect(page).to_have_url(re.compile(r"[?&]kind=meeting"))
    settled(page)
    expect(kind).to_be_focused()
