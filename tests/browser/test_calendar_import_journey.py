"""A calendar brought in, in a real browser, with JavaScript on and off: a coordinator opens
"Calendars brought in" from the calendar, uploads the council's .ics file, sees it imported;
"Import now" again adds nothing (no event twice); the agenda shows its events marked "From:"
it, and an event's page links to the source's website and offers no answers. The sources
page fits a 360 px phone and axe finds nothing on it."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from network.demo import DEMO_PASSWORD
from tests.browser.conftest import FLASK_COMPRESS_UNCLOSED_STATIC_FILE, log_in, main_nav

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

PHONE = {"width": 360, "height": 740}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                              "wcag22aa"]},
        "resultTypes": ["violations"]}


def council_file(live_server, title: str) -> bytes:
    from network.core.time import today

    with live_server.app.app_context():
        day = today() + timedelta(days=2)
    return "\r\n".join((
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Council//EN", "BEGIN:VEVENT",
        f"UID:{title}@council.example.org", "DTSTAMP:20260101T000000Z", f"SUMMARY:{title}",
        f"DTSTART;TZID=Europe/London:{day:%Y%m%d}T180000",
        f"DTEND;TZID=Europe/London:{day:%Y%m%d}T200000", "LOCATION:Town Hall",
        "END:VEVENT", "END:VCALENDAR", "")).encode()


@pytest.mark.parametrize("javascript", [pytest.param(True, id="js"),
                                        pytest.param(False, id="no-js")])
def test_a_coordinator_brings_in_the_councils_file_and_imports_it_again(
        new_context, live_server, javascript):
    code = uuid4().hex[:6]
    name, title = f"Council dates {code}", f"Licensing committee {code}"
    page = new_context(java_script_enabled=javascript, viewport=PHONE,
                       base_url=live_server.url).new_page()
    log_in(page, "coordinator@example.org", DEMO_PASSWORD)
    main_nav(page).get_by_role("link", name="Calendar").click()
    page.get_by_role("link", name="Calendars brought in").click()
    expect(page.get_by_role("heading", level=1, name="Calendars brought in")).to_be_visible()
    page.get_by_label("Name").fill(name)
    page.get_by_label("Or an .ics file").set_input_files(
        files=[{"name": "council.ics", "mimeType": "text/calendar",
                "buffer": council_file(live_server, title)}])
    page.get_by_label("Its website (optional)").fill("https://council.example.org")
    page.get_by_label("Who can see its events?").select_option(label="Everyone (public)")
    page.get_by_label("Which organisation do they show as?").select_option(
        label="Riverside Tenants' Federation")
    page.get_by_role("button", name="Bring it in").click()
    expect(page.locator(".flash")).to_contain_text(f"“{name}” is brought in: 1 added")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")

    entry = page.locator("li", has_text=name)
    entry.get_by_role("button", name="Import now").click()
    expect(page.locator(".flash")).to_contain_text("0 added, 0 changed, 0 removed")

    page.goto("/calendar")
    item = page.locator("li.event", has_text=title)
    expect(item).to_have_count(1)
    expect(item).to_contain_text(f"From: {name}")
    item.get_by_role("link", name=title).click()
    expect(page.get_by_role("link", name=name)).to_have_attribute(
        "href", "https://council.example.org")
    expect(page.get_by_role("heading", name="Who is coming")).to_have_count(0)
    expect(page.get_by_role("link", name="Change")).to_have_count(0)

    if javascript:  # axe needs JavaScript
        page.goto("/calendar/sources")
        results = Axe().run(page, options=WCAG)
        assert results.violations_count == 0, results.generate_report()
    page.goto("/calendar/sources")
    page.locator("li", has_text=name).get_by_role("button", name="Remove").click()
    expect(page.locator(".flash")).to_contain_text(re.compile("is removed"))
    page.goto("/calendar")
    expect(page.locator("li.event", has_text=title)).to_have_count(0)
