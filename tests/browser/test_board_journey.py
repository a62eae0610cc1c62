"""The sharing board as two groups use it, on a phone, with JavaScript on and off, on SQLite
and PostgreSQL: group A offers a hall; group B, asking for a room, sees A's offer while
writing (a long description too), replies instead of posting; they agree in their private
conversation. The hall can be booked: B asks for Tuesday evening and puts it in the calendar,
A approves, the board counts the booking as something shared, and a second booking for an
overlapping time is refused beside its field; A closes the hall to new bookings and B's
stands, and B's form, open meanwhile, comes back saying it takes none now. Matches found
while typing say so when looking fails."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from network.core.time import now
from network.demo import DEMO_PASSWORD
from tests.browser.conftest import FLASK_COMPRESS_UNCLOSED_STATIC_FILE, journeys, log_in

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

PHONE = {"width": 360, "height": 740}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                              "wcag22aa"]}}
OFFERING = "pat@example.org"    # Riverside Tenants' Federation
ASKING = "meilin@example.org"   # Eastgate Chinese Women's Guild
axe = Axe()


@journeys
def test_an_offer_is_found_while_a_request_is_written_and_shared(new_context, any_server,
                                                                   javascript):
    hall = f"Church hall {uuid4().hex[:6]}"
    a = new_context(java_script_enabled=javascript, viewport=PHONE,
                    base_url=any_server.url).new_page()
    log_in(a, OFFERING, DEMO_PASSWORD)
    a.get_by_role("link", name="Sharing").click()
    a.get_by_role("link", name="Offer or ask for something").click()
    a.get_by_label("Is it an offer or a request?").select_option("offer")
    a.get_by_label("What kind of thing").select_option(label="Rooms and premises")
    a.get_by_label("Title").fill(f"{hall}, with a kitchen")
    a.get_by_label("Details").fill("Tuesday mornings are free. Tea urn included.")
    a.get_by_label("Members can book it").check()
    a.get_by_label("Bookable from").fill("09:00")
    a.get_by_label("Bookable until").fill("22:00")
    a.get_by_role("button", name="Post it").click()
    expect(a.get_by_role("heading", level=1)).to_have_text(f"{hall}, with a kitchen")

    b = new_context(java_script_enabled=javascript, viewport=PHONE,
                    base_url=any_server.url).new_page()
    log_in(b, ASKING, DEMO_PASSWORD)
    b.goto("/board/new")
    b.get_by_label("Is it an offer or a request?").select_option("request")
    b.get_by_label("What kind of thing").select_option(label="Rooms and premises")
    b.get_by_label("Title").fill("A kitchen for our cooking class")
    # Longer than a GET address can carry (414 from gunicorn): matches are posted.
    details = ("Tuesday mornings, a kitchen and tables for twelve. " * 120)[:5000]
    matches = b.locator("#matches")
    if javascript:  # found as it is typed, the page not reloaded
        b.evaluate("window.samePage = true")
        # The last look-up (the one that carries the details) must have been swapped in
        # before a match is clicked, or its swap can move the link from under the click.
        with b.expect_response(lambda answer: answer.request.method == "POST"
                               and "tables%20for%20twelve" in (answer.request.post_data or "")):
            b.get_by_label("Details").fill(details)
        expect(matches).not_to_have_class(re.compile(r"htmx-(request|swapping|settling)"))
    else:
        b.get_by_label("Details").fill(details)
        b.get_by_role("button", name="Look for matches first").click()
        expect(b.get_by_label("Title")).to_have_value("A kitchen for our cooking class")
    expect(matches.get_by_role("link", name=f"{hall}, with a kitchen")).to_be_visible()
    if javascript:
        assert b.evaluate("window.samePage === true")
    results = axe.run(b, options=WCAG) if javascript else None
    assert results is None or results.violations_count == 0, results.generate_report()
    matches.get_by_role("link", name=f"{hall}, with a kitchen").click()
    b.get_by_label("Your message").fill("Could we cook there on Tuesday mornings?")
    b.get_by_role("button", name="Send").click()
    expect(b.locator("ol.messages")).to_contain_text("Tuesday mornings?")
    conversation = b.url.split("#")[0]
    private = b.locator("p.meta").filter(has_text="only their people and the coordinators")
    expect(private).to_be_visible()

    a.goto("/notifications")  # the notice opens the conversation at the new message
    a.get_by_role("button", name=re.compile(f"wrote about “{hall}")).first.click()
    expect(a).to_have_url(re.compile(re.escape(conversation) + r"#m\d+$"))
    a.get_by_label("Your message").fill("Yes: from 9 till 12. See you then.")
    a.get_by_role("button", name="Send").click()
    expect(a.locator("ol.messages")).to_contain_text("See you then.")
    today = now().astimezone(ZoneInfo("Europe/London")).date()  # the borough's day
    tuesday = today + timedelta(days=7 + (1 - today.weekday()) % 7)

    b.goto(conversation)
    b.get_by_role("link", name=re.compile("^Back to")).click()
    b.get_by_role("link", name="See when it is free and book it").click()
    b.get_by_label("Day", exact=True).fill(tuesday.isoformat())
    b.get_by_label("From", exact=True).fill("18:00")
    b.get_by_label("Until", exact=True).fill("21:00")
    b.get_by_label("What it is for").fill("Cooking class")
    b.get_by_label("Put it in the shared calendar when it is approved").check()
    b.get_by_role("button", name="Ask for this time").click()
    expect(b.get_by_text("Waiting for an answer")).to_be_visible()
    booking = b.url.split("#")[0]
    if javascript:
        results = axe.run(b, options=WCAG)
        assert results.violations_count == 0, results.generate_report()

    shared = shared_this_year(a)
    a.go_back()
    a.get_by_role("link", name=re.compile("^Back to")).click()
    expect(a.get_by_text("1 request waiting for your answer")).to_be_visible()
    a.get_by_role("link", name="See its bookings").click()
    waiting = a.locator("#waiting")
    expect(waiting).to_contain_text("Cooking class")
    if javascript:
        results = axe.run(a, options=WCAG)
        assert results.violations_count == 0, results.generate_report()
    waiting.get_by_role("button", name="Approve").click()
    expect(a.get_by_text("Approved: Eastgate Chinese Women's Guild")).to_be_visible()
    expect(a.locator("#slots")).to_contain_text("18:00–21:00")
    width = a.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the bookings are {width} px wide on a phone"

    b.reload()  # the booking's page, as B left it
    expect(b.locator(".marks")).to_have_text("Booked")
    b.get_by_role("link", name="Cooking class").click()  # the event in the shared calendar
    expect(b.get_by_role("heading", level=1)).to_have_text("Cooking class")
    expect(b.locator("main")).to_contain_text(f"{hall}, with a kitchen")
    b.go_back()
    b.get_by_role("link", name=re.compile("^All bookings of")).click()
    b.get_by_label("Day", exact=True).fill(tuesday.isoformat())
    b.get_by_label("From", exact=True).fill("20:00")
    b.get_by_label("Until", exact=True).fill("22:00")
    b.get_by_label("What it is for").fill("Washing up")
    b.get_by_role("button", name="Ask for this time").click()
    expect(b.locator("#starts-error")).to_contain_text("That time is taken")
    expect(b.get_by_label("What it is for")).to_have_value("Washing up")

    assert shared_this_year(a) == shared + 1  # each booking by another group is shared
    width = a.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the board is {width} px wide on a phone"
    a.go_back()
    a.get_by_role("link", name=re.compile("^Back to")).click()
    expect(a.get_by_label("With which organisation")).to_have_count(0)  # never "matched"
    a.get_by_role("button", name="Close it: no new bookings").click()
    expect(a.get_by_text("Closed: it is off the board and takes no new bookings")).to_be_visible()
    a.goto("/board")
    expect(a.locator("#results")).not_to_contain_text(hall)
    # B's form was open before A closed it: asked now, it comes back saying so.
    b.get_by_label("From", exact=True).fill("09:00")
    b.get_by_label("Until", exact=True).fill("11:00")
    b.get_by_label("What it is for").fill("Tea and planning")
    b.get_by_role("button", name="Ask for this time").click()
    expect(b.locator("#book .flash.error")).to_have_text("It is not taking bookings now.")
    expect(b.get_by_label("What it is for")).to_have_value("Tea and planning")
    b.goto(booking)  # approved before it was closed: it stands
    expect(b.locator(".marks")).to_have_text("Booked")


def shared_this_year(page) -> int:
    """The board's count of what was shared this year."""
    page.goto("/board")
    lede = page.locator("p.lede strong").inner_text()
    return int(re.match(r"(\d+) things? shared this year", lede).group(1))


def test_the_matches_found_while_typing_say_so_when_looking_fails(new_context, live_server):
    """A request in Eastgate sees the Northbank hall, below anything nearer. When looking
    fails (a server refusing the request, the network down), the panel keeps what it found
    and says so; the next look that works clears it."""
    page = new_context(viewport=PHONE).new_page()
    log_in(page, ASKING, DEMO_PASSWORD)
    page.goto("/board/new")
    page.get_by_label("Is it an offer or a request?").select_option("request")
    page.get_by_label("What kind of thing").select_option(label="Rooms and premises")
    page.get_by_label("Area").select_option(label="Eastgate")
    page.get_by_label("Title").fill("A hall for meetings")
    matches = page.locator("#matches")
    hall = matches.get_by_role("link", name="Community hall for meetings, up to 40 people")
    expect(hall).to_be_visible()
    expect(matches).to_contain_text("Northbank")

    def refuse(route):
        if route.request.method == "POST":
            route.fulfill(status=414, body="Request-URI Too Long")
        else:
            route.continue_()

    page.route("**/board/new", refuse)
    page.get_by_label("Title").fill("A hall for our meetings")
    failed = matches.get_by_role("alert")
    expect(failed).to_contain_text("Matches could not be looked for just now")
    expect(hall).to_be_visible()  # what it showed is kept
    page.unroute("**/board/new", refuse)
    page.get_by_label("Title").fill("A hall for our weekly meetings")
    expect(failed).to_have_count(0)
    expect(hall).to_be_visible()
