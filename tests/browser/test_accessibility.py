"""axe-core on every page, at 360 px and 1280 px, as a visitor and as an admin: no violations
of WCAG 2.0, 2.1 and 2.2 A and AA. Colour contrast is checked in the dark scheme too. Each page
is loaded once, at 360 px, where the walk also checks that it is no wider than the phone
(tests/browser/test_layout.py walks the other roles); axe runs there, then again with the
window widened to 1280 px.

Axe is injected with page.evaluate, which the pages' Content-Security-Policy does not apply to,
so the contexts keep the CSP (no bypass_csp).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from network.core.i18n import languages
from network.demo import DEMO_PASSWORD
from tests.browser.conftest import FLASK_COMPRESS_UNCLOSED_STATIC_FILE, VIEWPORTS, log_in
from tests.test_page_weight import IN_OTHER_LANGUAGES
from tests.urls import DEMO_PEOPLE, EVENT_STATES, NOT_PAGES, demo_event_pages, endpoints, url

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ALL_RULES = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
CONTRAST = {"runOnly": {"type": "rule", "values": ["color-contrast"]},
            "resultTypes": ["violations"]}
# Not a WCAG rule (axe's best practice), checked where a page has landmarks of the same kind:
# the account's language form and the footer's are both forms with a name.
UNIQUE_LANDMARKS = {"runOnly": {"type": "rule", "values": ["landmark-unique"]},
                    "resultTypes": ["violations"]}
PAGES_OF_FORM_LANDMARKS = {"auth.account"}
# Addresses that only send the browser on to a page checked under its own name: a post's
# stable address, "first unread" and the reply address lead to the thread, the addresses of
# refused forms (status, decline, move, rename) to their page; restoring is offered for
# hidden posts only (its form is the hide form's twin), and the demo hides none; an answer's
# address leads back to the event's answers, a listing's reply and settle addresses to it,
# and its booking address to its bookings.
ONLY_REDIRECT = {"forum.post", "forum.first_unread", "forum.reply_page",
                 "forum.restore_post", "members.change_status", "coordination.decline",
                 "forum.move_thread", "forum.rename_thread", "calendar.rsvp",
                 "board.reply_page", "board.settle", "board.book_page"}

# Who walks every page, at PHONE (test_layout: the rest of the roles at that width).
ROLES_WALKED = ("visitor", "admin")
PHONE = VIEWPORTS[0].values[0]
PHONE_WIDTH = PHONE["width"]

axe = Axe()


# --- running axe ---------------------------------------------------------------------------------

def violations(page: Page, label: str, *, inject: bool = True) -> list[str]:
    """Axe's findings on the page as it is now, light scheme then dark; [] when clean.
    inject=False: axe is in the page already (run at another width)."""
    found = []
    page.emulate_media(color_scheme="light")
    results = axe.run(page, options=ALL_RULES) if inject else AxeResults(
        page.evaluate("options => axe.run(document, options)", ALL_RULES))
    if results.violations_count:
        found.append(f"{label}, light: {ids(results)}\n{results.generate_report()}")
    # Axe is in the page now: only the colours change with the scheme.
    page.emulate_media(color_scheme="dark")
    dark = AxeResults(page.evaluate("options => axe.run(document, options)", CONTRAST))
    if dark.violations_count:
        found.append(f"{label}, dark: {ids(dark)}\n{dark.generate_report()}")
    return found


def at_both_widths(page: Page, label: str) -> list[str]:
    """Axe at the phone's width the page was loaded at, then at the desktop's (the window
    widened: the same layout as loading it there), then back to the phone's."""
    phone, desktop = (viewport.values[0] for viewport in VIEWPORTS)
    found = violations(page, f"{label} at {phone['width']} px")
    page.set_viewport_size(desktop)
    found += violations(page, f"{label} at {desktop['width']} px", inject=False)
    page.set_viewport_size(phone)
    return found


def landmarks_named_apart(page: Page, label: str) -> list[str]:
    results = axe.run(page, options=UNIQUE_LANDMARKS)
    return [f"{label}: {ids(results)}\n{results.generate_report()}"] \
        if results.violations_count else []


def ids(results) -> str:
    return ", ".join(v["id"] for v in results.response["violations"])


def report(found: list[str]) -> str:
    return "axe violations:\n\n" + "\n\n".join(found)


def get_pages(live_server, w) -> dict[str, str]:
    """Every page in the URL map: endpoint -> URL."""
    app = live_server.app
    return {endpoint: url(app, endpoint, w)
            for endpoint, methods in sorted(endpoints(app).items())
            if "GET" in methods and endpoint not in NOT_PAGES}


def check(page: Page, path: str, label: str) -> list[str] | None:
    """Axe on a page at both widths; None if it redirected elsewhere (to log in, or away
    from /login)."""
    response = page.goto(path)
    assert response is not None and response.status < 500, f"{label}: {response}"
    if urlsplit(page.url).path != urlsplit(path).path:
        return None
    return at_both_widths(page, label)


def wider_than_screen(page: Page, label: str) -> list[str]:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, innerWidth]")
    return [f"{label}: {scroll_width} px"] if scroll_width > inner_width else []


# --- the tests -----------------------------------------------------------------------------------

def test_every_page_has_no_axe_violations(new_context, live_server, w):
    pages = get_pages(live_server, w)
    walkers = {}
    for role in ROLES_WALKED:
        walkers[role] = new_context(viewport=PHONE).new_page()
        if DEMO_PEOPLE[role]:
            log_in(walkers[role], DEMO_PEOPLE[role], DEMO_PASSWORD)

    found: list[str] = []
    wide: list[str] = []
    checked: set[str] = set()
    for role, page in walkers.items():
        for endpoint, path in pages.items():
            label = f"{path} ({endpoint}) as {role}"
            result = check(page, path, label)
            # where it went, redirected or not: it is a page too
            wide.extend(wider_than_screen(page, label))
            if result is not None:
                checked.add(endpoint)
                found.extend(result)
    unchecked = sorted(set(pages) - checked - ONLY_REDIRECT)
    assert not unchecked, f"Pages no one could open: {unchecked}"
    assert not found, report(found)
    assert not wide, f"Pages wider than a {PHONE['width']} px phone:\n" + "\n".join(wide)


@pytest.fixture(scope="module")
def event_pages(live_server) -> dict[str, str]:
    with live_server.app.app_context():
        return demo_event_pages()


def test_an_event_of_every_kind_has_no_axe_violations(new_context, event_pages):
    """The walk above opens one event; what an event page shows depends on its state (answers
    off or on, places, a waiting list, cancelled, moved, closing, past, members only)."""
    assert set(event_pages) == set(EVENT_STATES)
    visitor = new_context(viewport=PHONE).new_page()
    admin = new_context(viewport=PHONE).new_page()  # organises every event; waits for one
    log_in(admin, "admin@example.org", DEMO_PASSWORD)
    found: list[str] = []
    checked: set[str] = set()
    for role, page in (("visitor", visitor), ("admin", admin)):
        for state, path in event_pages.items():
            result = check(page, path, f"{path} ({state}) as {role}")
            if result is not None:
                checked.add(state)
                found.extend(result)
    assert checked == set(EVENT_STATES)
    assert not found, report(found)


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_error_pages_and_forms_with_errors_have_no_axe_violations(new_context, viewport):
    width = viewport["width"]
    found: list[str] = []
    visitor = new_context(viewport=viewport).new_page()

    response = visitor.goto("/no-such-page")
    assert response is not None and response.status == 404
    found += violations(visitor, "/no-such-page (404) as visitor")

    visitor.goto("/login")
    visitor.get_by_role("button", name="Log in").click()
    expect(visitor.get_by_role("alert")).to_contain_text("Give an email address.")
    found += violations(visitor, "/login sent empty, as visitor")

    visitor.goto("/join")
    visitor.get_by_role("button", name="Send the application").click()
    expect(visitor.get_by_role("alert")).to_contain_text("problems")
    found += violations(visitor, "/join sent empty, as visitor")

    admin = new_context(viewport=viewport).new_page()
    log_in(admin, "admin@example.org", DEMO_PASSWORD)
    response = admin.goto("/no-such-page")
    assert response is not None and response.status == 404
    found += violations(admin, "/no-such-page (404) as admin")

    admin.goto("/account")
    found += landmarks_named_apart(admin, "/account as admin")
    admin.get_by_label("Your name").fill("")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.get_by_role("alert")).to_contain_text("This is needed.")
    found += violations(admin, "/account sent with no name, as admin")

    assert not found, f"At {width} px: " + report(found)


def test_pages_in_other_languages_have_no_axe_violations_and_fit_a_phone(
        new_context, live_server, w):
    """A sample of pages (tests/test_page_weight.py's) in each language besides English,
    chosen with the footer's switch: axe, and at 360 px no page wider than the phone."""
    app = live_server.app
    with app.test_request_context():
        codes = [code for code in languages() if code != app.config["BABEL_DEFAULT_LOCALE"]]
    assert codes
    english = app.config["BABEL_DEFAULT_LOCALE"]
    found, wide = [], []
    for code in codes:
        visitor = new_context(viewport=PHONE).new_page()
        visitor.goto("/")
        admin = new_context(viewport=PHONE).new_page()
        log_in(admin, "admin@example.org", DEMO_PASSWORD)
        for role, page in (("visitor", visitor), ("admin", admin)):
            page.locator(f'footer form.languages button[value="{code}"]').click()
            expect(page.locator("html")).to_have_attribute("lang", code.replace("_", "-"))
            try:
                walk_in_language(page, app, w, role, code, found, wide)
            finally:  # the admin's choice is saved on their account: English for other tests
                page.locator(f'footer form.languages button[value="{english}"]').click()
                expect(page.locator("html")).to_have_attribute("lang",
                                                               english.replace("_", "-"))
    assert not found, report(found)
    assert not wide, "Pages wider than the screen:\n" + "\n".join(wide)


def walk_in_language(page: Page, app, w, role: str, code: str, found: list[str],
                     wide: list[str]) -> None:
    for endpoint in IN_OTHER_LANGUAGES[role]:
        path = url(app, endpoint, w)
        result = check(page, path, f"{path} ({endpoint}) as {role} in {code}")
        assert result is not None, f"{path} as {role} in {code} went elsewhere"
        found.extend(result)
        if endpoint in PAGES_OF_FORM_LANDMARKS:
            found.extend(landmarks_named_apart(page, f"{path} as {role} in {code}"))
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, innerWidth]")
        if scroll_width > inner_width:
            wide.append(f"{path} as {role} in {code}: {scroll_width} px")
