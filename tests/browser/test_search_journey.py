"""Search as people use it, on a phone, with JavaScript on and off, on SQLite and PostgreSQL:
Ravi remembers someone offered a minibus, types the start of the word in the box at the top
of the page and finds the listing; on the search page he looks for what the council said about
the renewal fund, the results filling in as he types (JavaScript) or when he sends the form
(none), and the address keeps his search. A visitor finds only what is public."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from network.demo import DEMO_PASSWORD
from tests.browser.conftest import FLASK_COMPRESS_UNCLOSED_STATIC_FILE, journeys, log_in

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

PHONE = {"width": 360, "height": 740}


@journeys
def test_a_member_finds_the_minibus_and_a_report_back(new_context, any_server, javascript):
    page = new_context(java_script_enabled=javascript, viewport=PHONE,
                       base_url=any_server.url).new_page()
    log_in(page, "ravi@example.org", DEMO_PASSWORD)
    box = page.get_by_role("search").get_by_label("Search the network")
    box.fill("minib")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=minib$"))
    results = page.locator("#results")
    listing = results.get_by_role("link", name=re.compile(r"^Minibus and driver"))
    expect(listing).to_be_visible()
    expect(results.locator("mark").first).to_have_text(re.compile(r"^minibu", re.I))

    query = page.get_by_label("Search for")
    if javascript:  # the results change as the words are typed; the page stays
        page.evaluate("window.samePage = true")
        with page.expect_response(lambda answer: re.search(r"q=renewal(\+|%20)fund",
                                                            answer.url) is not None):
            query.fill("renewal fund")
        expect(results).not_to_have_class(re.compile(r"htmx-(request|swapping|settling)"))
    else:
        query.fill("renewal fund")
        page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"q=renewal(\+|%20)fund"))
    found = results.get_by_role("link", name=re.compile(r"Voluntary and community sector seat"))
    expect(found.first).to_be_visible()
    expect(results.get_by_text(re.compile(r"\d+ results?"))).to_be_visible()
    if javascript:
        assert page.evaluate("window.samePage === true")
    found.first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report")

    page.goto("/search?q=minibus+-driver+zzzz")
    expect(page.locator("#results")).to_contain_text("Nothing found")


def test_a_visitor_finds_only_what_is_public(new_context, any_server):
    page = new_context(viewport=PHONE, base_url=any_server.url).new_page()
    page.goto("/")
    box = page.get_by_role("search").get_by_label("Search the network")
    box.fill("minibus")
    box.press("Enter")
    results = page.locator("#results")
    expect(results.get_by_role("link", name="Riverside Tenants' Federation")).to_be_visible()
    expect(results.get_by_role("link", name=re.compile(r"^Minibus"))).to_have_count(0)
    page.goto("/search?q=renewal")
    seat = re.compile(r"Voluntary and community sector seat")
    expect(results.get_by_role("link", name=seat).first).to_be_visible()
