"""What was shared, as an organisation's contact finds it for a funder, on a phone, with
JavaScript on and off, on SQLite and PostgreSQL: Pat (the Tenants' Federation's contact) goes
from the organisation's page to its record, chooses a period, sees the figures in the chart's
words and the table, and downloads the CSV, which holds the same figures. The period ends a
month ago, so what other journeys share on the same server today does not change it; the
demo's past year (network/demo/impact.py) is all before it."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path
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
CONTACT = "pat@example.org"  # Riverside Tenants' Federation
FEDERATION = "Riverside Tenants' Federation"
# Between a year and a month ago: the hall lent three evenings of two hours, the urn and
# chairs borrowed for five, the fun day's volunteers found, the fun day held with six going.
EXPECTED = {
    ("Listings matched", "Given"): "0", ("Listings matched", "Received"): "1",
    ("Bookings", "Given"): "3", ("Bookings", "Received"): "1",
    ("Hours booked", "Given"): "6", ("Hours booked", "Received"): "5",
    ("Events held", "All"): "1", ("People going", "All"): "6",
    ("Reports published", "On time"): "0", ("Reports published", "Late"): "0",
    ("Actions done", "All"): "0",
}
axe = Axe()


@journeys
def test_a_contact_downloads_their_organisations_record(new_context, any_server, javascript):
    day = now().astimezone(ZoneInfo("Europe/London")).date()
    first, last = day - timedelta(days=365), day - timedelta(days=30)
    context = new_context(java_script_enabled=javascript, viewport=PHONE,
                          base_url=any_server.url, accept_downloads=True)
    page = context.new_page()
    log_in(page, CONTACT, DEMO_PASSWORD)
    page.goto("/organisations")
    page.get_by_role("link", name=FEDERATION).first.click()
    page.get_by_role("link", name=f"What {FEDERATION} gave and received").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"What {FEDERATION} shared")
    expect(page.get_by_role("link", name="The past 12 months")).to_have_attribute(
        "aria-current", "true")

    if javascript:
        page.evaluate("window.samePage = true")
    page.get_by_label("From").fill(first.isoformat())
    page.get_by_label("To").fill(last.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"/organisations/\d+/shared\?start={first.isoformat()}"
                                        rf"&end={last.isoformat()}$"))
    expect(page.locator("#period-heading")).to_contain_text(str(last.year))
    if javascript:
        assert page.evaluate("window.samePage === true")  # only the results were replaced
    table = page.locator("table.figures")
    expect(table.get_by_role("row", name="Events held")).to_contain_text("1")
    expect(table.get_by_role("row", name="People going")).to_contain_text("6")
    chart = page.locator("svg.chart title")
    expect(chart).to_contain_text("Bookings: 3 given, 1 received.")
    expect(chart).to_contain_text("Hours booked: 6 given, 5 received.")
    if javascript:
        results = axe.run(page, options=WCAG)
        assert results.violations_count == 0, results.generate_report()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures").click()
    found = download.value
    assert found.suggested_filename == (f"shared-riverside-tenants-federation-"
                                        f"{first.isoformat()}-to-{last.isoformat()}.csv")
    data = Path(found.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["Who", "From", "To", "What", "Which", "Number"]
    assert {(what, which): number for _who, _first, _last, what, which, number in rows[1:]} \
        == EXPECTED
    assert {row[0] for row in rows[1:]} == {FEDERATION}

