"""A new group's whole journey, in a real browser, with JavaScript on (htmx) and off, on a phone
and a desktop: apply, be approved, set up the account, log out and in, change the name."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from playwright.sync_api import Page, expect

from network.demo import DEMO_PASSWORD
from tests.browser.conftest import (
    FLASK_COMPRESS_UNCLOSED_STATIC_FILE,
    VIEWPORTS,
    log_in,
    main_nav,
)

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

JAVASCRIPT = [pytest.param(True, id="js"), pytest.param(False, id="no-js")]

MEMORANDUM = "We have read the memorandum of understanding and agree to it"
MEMORANDUM_ERROR = ("To join, your organisation needs to agree to the memorandum of "
                    "understanding.")
NEW_PASSWORD = "plum orchard lantern"


def application_for(run: str) -> dict[str, str]:
    return {
        "name": f"Southside Seed Library {run}",
        "description": "We lend seeds in spring and collect them again in autumn.",
        "contribution": "Seed-saving workshops, and a potting shed to share.",
        "governing": "Constitution adopted at our first open meeting, 2024",
        "contact_name": "Nia Campbell",
        "email": f"seeds-{run}@example.org",
    }


def fill_application(page: Page, typed: dict[str, str], *, agree: bool) -> None:
    page.get_by_label("Name of the organisation").fill(typed["name"])
    page.get_by_label("What kind of organisation is it?").select_option(label="Community group")
    page.get_by_label("Neighbourhood area").select_option(label="Northbank")
    page.get_by_role("group", name="Themes you work on").get_by_label("Environment").check()
    page.get_by_label("What the organisation does").fill(typed["description"])
    page.get_by_label("What you bring to the table").fill(typed["contribution"])
    page.get_by_label("Governing document or mandate").fill(typed["governing"])
    page.get_by_label("Your name").fill(typed["contact_name"])
    page.get_by_label("Your email address").fill(typed["email"])
    if agree:
        page.get_by_label(MEMORANDUM).check()


def heading(page: Page, name: str | re.Pattern):
    return page.get_by_role("heading", level=1, name=name)


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_a_new_group_applies_is_approved_and_sets_up_its_account(
        new_context, live_server, mailbox, javascript, viewport):
    run = uuid4().hex[:8]
    typed = application_for(run)
    org = typed["name"]

    # A visitor finds the way in from the home page and applies.
    applicant = new_context(java_script_enabled=javascript, viewport=viewport).new_page()
    boosted: list[str] = []  # requests htmx made for hx-boost: links and forms, JS on only
    applicant.on("request", lambda request: request.headers.get("hx-boosted")
                 and boosted.append(f"{request.method} {request.url}"))
    applicant.goto("/")
    expect(heading(applicant, "Riverside Partnership Network")).to_be_visible()
    applicant.get_by_role("link", name="Apply to join", exact=True).click()
    expect(heading(applicant, "Apply to join")).to_be_visible()
    fill_application(applicant, typed, agree=True)
    applicant.get_by_role("button", name="Send the application").click()
    expect(heading(applicant, "Application sent")).to_be_visible()
    expect(applicant.get_by_text(f"We have the application from {org}.")).to_be_visible()

    # A coordinator, on their own device, finds the application and approves it.
    coordinator = new_context(java_script_enabled=javascript, viewport=viewport).new_page()
    log_in(coordinator, "coordinator@example.org", DEMO_PASSWORD)
    main_nav(coordinator).get_by_role("link", name="Coordinate").click()
    expect(heading(coordinator, "Coordinate")).to_be_visible()
    coordinator.get_by_role("main").get_by_role("link", name="Applications", exact=True).click()
    expect(heading(coordinator, "Applications")).to_be_visible()
    coordinator.get_by_role("link", name=org, exact=True).click()
    expect(heading(coordinator, f"Application from {org}")).to_be_visible()
    expect(coordinator.get_by_text(f"{typed['contact_name']}, {typed['email']}")).to_be_visible()
    coordinator.get_by_role("button", name=f"Approve {org}").click()
    expect(coordinator.get_by_role("status")).to_contain_text(
        f"{org} is approved. We have emailed {typed['email']} an invitation.")
    expect(heading(coordinator, "Applications")).to_be_visible()

    # The invitation arrives; the applicant opens it and sets up their account.
    live_server.deliver_mail()
    invitation = mailbox.link(typed["email"], "/invitations/")
    applicant.goto(invitation)
    expect(heading(applicant, "Welcome to Riverside Partnership Network")).to_be_visible()
    expect(applicant.get_by_text(f"You are joining as part of {org}.")).to_be_visible()
    name = applicant.get_by_label("Your name")
    expect(name).to_have_value(typed["contact_name"])
    name.fill("Nia C.")
    applicant.get_by_label("Choose a password").fill(NEW_PASSWORD)
    applicant.get_by_label("Type the password again").fill(NEW_PASSWORD)
    applicant.get_by_role("button", name="Set up my account").click()
    expect(heading(applicant, "Hello, Nia C.")).to_be_visible()
    expect(applicant).to_have_url(re.compile(r"/dashboard$"))
    expect(applicant.get_by_role("status")).to_contain_text(
        f"Welcome, Nia C.. You are now in {org}.")
    expect(applicant.get_by_role("link", name=org, exact=True)).to_be_visible()
    expect(applicant.get_by_text("You are a contact for this organisation.")).to_be_visible()

    # Log out, and back in with the new password.
    main_nav(applicant).get_by_role("button", name="Log out").click()
    expect(applicant.get_by_role("status")).to_contain_text("You have logged out.")
    expect(main_nav(applicant).get_by_role("link", name="Log in")).to_be_visible()
    main_nav(applicant).get_by_role("link", name="Log in").click()
    expect(heading(applicant, "Log in")).to_be_visible()
    applicant.get_by_label("Email address").fill(typed["email"])
    applicant.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    applicant.get_by_role("button", name="Log in").click()
    expect(heading(applicant, "Hello, Nia C.")).to_be_visible()

    # Change the name on the account page.
    main_nav(applicant).get_by_role("link", name="Account").click()
    expect(heading(applicant, "Your account")).to_be_visible()
    applicant.get_by_label("Your name").fill("Nia Campbell-Reyes")
    applicant.get_by_role("button", name="Save", exact=True).click()
    expect(applicant.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(applicant.get_by_label("Your name")).to_have_value("Nia Campbell-Reyes")
    main_nav(applicant).get_by_role("link", name="Dashboard").click()
    expect(heading(applicant, "Hello, Nia Campbell-Reyes")).to_be_visible()

    # With JavaScript, htmx carried the links and forms; without, the browser did.
    if javascript:
        assert any(r.startswith("POST ") for r in boosted), boosted
        assert any(r.startswith("GET ") for r in boosted), boosted
    else:
        assert not boosted


@pytest.mark.parametrize("javascript", JAVASCRIPT)
def test_an_application_without_the_memorandum_keeps_what_was_typed(new_context, javascript):
    typed = application_for(uuid4().hex[:8])
    page = new_context(java_script_enabled=javascript,
                       viewport={"width": 360, "height": 740}).new_page()
    page.goto("/join")
    fill_application(page, typed, agree=False)
    page.get_by_role("button", name="Send the application").click()

    agree = page.get_by_label(MEMORANDUM)
    expect(page.get_by_role("alert")).to_contain_text(MEMORANDUM_ERROR)
    expect(page.locator(".field").filter(has=agree)).to_contain_text(MEMORANDUM_ERROR)
    expect(agree).to_have_attribute("aria-invalid", "true")
    expect(agree).to_have_accessible_description(re.compile(re.escape(MEMORANDUM_ERROR)))
    expect(agree).not_to_be_checked()
    expect(heading(page, "Apply to join")).to_be_visible()

    expect(page.get_by_label("Name of the organisation")).to_have_value(typed["name"])
    expect(page.get_by_label("What kind of organisation is it?")).to_have_value(
        "community_group")
    expect(page.get_by_label("Neighbourhood area").locator("option:checked")).to_have_text(
        "Northbank")
    expect(page.get_by_role("group", name="Themes you work on")
           .get_by_label("Environment")).to_be_checked()
    expect(page.get_by_label("What the organisation does")).to_have_value(typed["description"])
    expect(page.get_by_label("What you bring to the table")).to_have_value(
        typed["contribution"])
    expect(page.get_by_label("Governing document or mandate")).to_have_value(typed["governing"])
    expect(page.get_by_label("Your name")).to_have_value(typed["contact_name"])
    expect(page.get_by_label("Your email address")).to_have_value(typed["email"])


def test_filtering_the_directory_in_place_announces_the_count_once(new_context):
    """With htmx the results change under the filters: a screen reader hears how many match,
    not every card read out again."""
    page = new_context(viewport={"width": 360, "height": 740}).new_page()
    page.goto("/organisations")
    assert page.locator("#results").get_attribute("aria-live") is None
    page.get_by_label("Area").select_option(label="Northbank")
    expect(page).to_have_url(re.compile(r"area=\d+"))
    count = page.locator("#results p.meta").first
    expect(count).to_have_text(re.compile(r"^\d+ organisations?$"))
    expect(page.locator("#announce")).to_have_text(count.inner_text())
    expect(page.locator("[aria-live]")).to_have_count(1)
