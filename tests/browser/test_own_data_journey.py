"""One's own data in a real browser, with JavaScript on (htmx) and off, on SQLite and
PostgreSQL (issue 24's "Done when"): Ravi downloads his data and finds his posts and answers in
it; he closes his account, cannot log in again, and his posts in the demo forum read "a former
member" to another member; the privacy page is in the footer.

Closing Ravi cannot be undone, and the other journeys log in as him: each run has a demo
borough of its own (`own_server`), not the shared live server.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from network.demo import DEMO_PASSWORD
from tests.browser.conftest import (
    FLASK_COMPRESS_UNCLOSED_STATIC_FILE,
    JOURNEY_MODES,
    LiveServer,
    empty_postgres_database,
    log_in,
    main_nav,
    serve,
)

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

PHONE = {"width": 360, "height": 740}
RAVI = "ravi@example.org"
HIS_POST = "And street lighting on the Riverside estate."  # network/demo/forum.py
HIS_THREAD = "What should we raise at the March board?"
HIS_EVENT = "Federation open meeting"  # he is going (network/demo/calendar.py)


@pytest.fixture
def own_server(request, chromium, smtp_server, tmp_path) -> Iterator[LiveServer]:
    """A fresh demo borough on each database, for one journey that closes an account."""
    if request.param == "sqlite":
        yield from serve(f"sqlite:///{tmp_path}/own_data.db", smtp_server)
        return
    yield from serve(empty_postgres_database("own_data"), smtp_server)


def csv_rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    """A CSV file of the archive as a spreadsheet reads it (UTF-8 with a byte order mark)."""
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


@pytest.mark.parametrize(("own_server", "javascript"), JOURNEY_MODES, indirect=["own_server"])
def test_ravi_downloads_his_data_then_closes_his_account(new_context, own_server, tmp_path,
                                                        javascript):
    ravi = new_context(java_script_enabled=javascript, viewport=PHONE,
                       base_url=own_server.url, accept_downloads=True).new_page()

    # The privacy page is in the footer, for visitors too.
    ravi.goto("/login")
    ravi.locator("footer").get_by_role("link", name="Privacy").click()
    expect(ravi.get_by_role("heading", level=1, name="Privacy")).to_be_visible()
    expect(ravi.locator("main")).to_contain_text("Download my data")

    # His archive: asked for on the account page, taken once from a page of its own.
    log_in(ravi, RAVI, DEMO_PASSWORD)
    main_nav(ravi).get_by_role("link", name="Account").click()
    expect(ravi.get_by_role("heading", level=1, name="Your account")).to_be_visible()
    ravi.get_by_role("button", name="Download my data").click()
    expect(ravi.get_by_role("heading", level=1, name="Your archive is ready")).to_be_visible()
    with ravi.expect_download() as taken:
        ravi.get_by_role("button", name="Download the archive").click()
    download = taken.value
    assert re.fullmatch(r"network-data-\d{4}-\d{2}-\d{2}\.zip", download.suggested_filename)
    download.save_as(tmp_path / "archive.zip")
    with zipfile.ZipFile(tmp_path / "archive.zip") as archive:
        assert "README.txt" in archive.namelist()
        posts = csv_rows(archive, "posts.csv")
        assert any(row["body"] == HIS_POST and row["thread_title"] == HIS_THREAD
                   for row in posts)
        answers = csv_rows(archive, "answers.csv")
        assert any(row["event_title"] == HIS_EVENT and row["answer"] == "going"
                   for row in answers)

    # Closing: a wrong password is told beside its field, and changes nothing.
    ravi.get_by_role("link", name="Back to your account").click()
    ravi.get_by_role("link", name="Close your account").click()
    expect(ravi.get_by_role("heading", level=1, name="Close your account")).to_be_visible()
    ravi.get_by_label("Your password").fill("not-my-password")
    ravi.get_by_label("I understand that this cannot be undone").check()
    ravi.get_by_role("button", name="Close my account").click()
    expect(ravi.locator("main").get_by_text("That is not your current password.").first
           ).to_be_visible()
    ravi.get_by_label("Your password").fill(DEMO_PASSWORD)
    ravi.get_by_label("I understand that this cannot be undone").check()
    ravi.get_by_role("button", name="Close my account").click()
    expect(ravi.get_by_role("heading", level=1, name="Your account is closed")).to_be_visible()

    # He cannot log in again.
    ravi.goto("/login")
    ravi.get_by_label("Email address").fill(RAVI)
    ravi.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    ravi.get_by_role("button", name="Log in").click()
    expect(ravi.locator("main").get_by_text(
        "That email address and password do not match an account here.").first).to_be_visible()
    expect(ravi).to_have_url(re.compile(r"/login$"))

    # To another member, his post in the demo forum reads "a former member".
    pat = new_context(java_script_enabled=javascript, viewport=PHONE,
                      base_url=own_server.url).new_page()
    log_in(pat, "pat@example.org", DEMO_PASSWORD)
    main_nav(pat).get_by_role("link", name="Forum").click()
    pat.get_by_role("link", name="The strategic partnership").click()
    pat.get_by_role("link", name=HIS_THREAD).click()
    his = pat.locator("li.post").filter(has_text=HIS_POST)
    expect(his).to_contain_text("a former member")
    expect(pat.locator("main")).not_to_contain_text("Ravi Shah")
