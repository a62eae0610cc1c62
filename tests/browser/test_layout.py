"""The layout on a phone (360 px): no page scrolls sideways, for anyone; notifications that
wrap stay lined up with their badge; and a first visit asks for nothing that is not there."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from network.core.time import today
from network.demo import DEMO_PASSWORD
from tests.browser.conftest import FLASK_COMPRESS_UNCLOSED_STATIC_FILE, VIEWPORTS, log_in
from tests.browser.test_accessibility import PHONE_WIDTH, ROLES_WALKED
from tests.urls import DEMO_PEOPLE, NOT_PAGES, endpoints, url

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

PHONE = {"width": 360, "height": 740}

def test_no_page_scrolls_sideways_on_a_phone_whoever_looks(new_context, live_server, w):
    # A long web address, email or word wraps (the demo's applicant gives a long website).
    # The axe walk at 360 px checks its own roles' pages for width as it goes.
    app = live_server.app
    pages = {endpoint: url(app, endpoint, w) for endpoint, methods in endpoints(app).items()
             if "GET" in methods and endpoint not in NOT_PAGES}
    # other_member's pages are a member's of another organisation: the member's walk shows them;
    # the coordinator's are the admin's with fewer controls: the admin's walk (at this width, in
    # test_accessibility) shows them.
    roles = {role: email for role, email in DEMO_PEOPLE.items()
             if role not in (*ROLES_WALKED, "other_member", "coordinator")}
    assert PHONE["width"] == PHONE_WIDTH and "member" in roles
    wide, seen = [], 0
    for role, email in roles.items():
        page = new_context(viewport=PHONE).new_page()
        if email:
            log_in(page, email, DEMO_PASSWORD)
        for endpoint, path in sorted(pages.items()):
            response = page.goto(path)
            assert response is not None and response.status < 500, f"{path} as {role}"
            scroll_width, inner_width = page.evaluate(
                "[document.documentElement.scrollWidth, innerWidth]")
            seen += 1
            if scroll_width > inner_width:
                wide.append(f"{path} ({endpoint}) as {role}: {scroll_width} px")
    assert seen >= len(pages) * len(roles)
    assert not wide, "Pages wider than a 360 px phone:\n" + "\n".join(wide)


# Where each line of the subject starts (the text after the badge), and where the badge is.
LINES = """element => {
  const box = element.getBoundingClientRect();
  const text = [...element.childNodes].filter(n => n.nodeType === 3 && n.data.trim()).pop();
  const range = document.createRange();
  range.selectNodeContents(text);
  const lines = {};
  for (const rect of range.getClientRects()) {
    const top = Math.round(rect.top - box.top);
    lines[top] = lines[top] || {left: Infinity, bottom: 0};
    lines[top].left = Math.min(lines[top].left, rect.left - box.left);
    lines[top].bottom = Math.max(lines[top].bottom, rect.bottom - box.top);
  }
  const tops = Object.keys(lines).map(Number).sort((a, b) => a - b);
  const badge = element.querySelector('.badge').getBoundingClientRect();
  return {starts: tops.map(top => lines[top].left), first: [tops[0], lines[tops[0]].bottom],
          badge: [badge.left - box.left, (badge.top + badge.bottom) / 2 - box.top],
          align: getComputedStyle(element).textAlign};
}"""


def test_a_notification_that_wraps_starts_each_line_at_the_left_with_its_badge(
        new_context, live_server):
    from network.auth.models import Person
    from network.extensions import db
    from network.notify.models import Delivery, Notification

    subject = ("Grace Mensah mentioned you in “Borrowing the Millfield hall for a Saturday?” "
               "and asked who holds the keys")
    with live_server.app.app_context():
        ravi = db.session.scalar(db.select(Person).where(Person.email == "ravi@example.org"))
        db.session.add(Notification(person_id=ravi.id, kind="forum.mention", subject=subject,
                                    url="/forum", delivery=Delivery.IN_APP))
        db.session.commit()
    page = new_context(viewport=PHONE).new_page()
    log_in(page, "ravi@example.org", DEMO_PASSWORD)
    page.goto("/notifications")
    button = page.get_by_role("button", name=subject)
    expect(button).to_be_visible()
    found = button.evaluate(LINES)
    assert len(found["starts"]) >= 3, f"the subject should wrap at 360 px: {found}"
    assert found["align"] in ("start", "left")
    assert all(start < 2 for start in found["starts"][1:]), found  # not centred
    badge_left, badge_middle = found["badge"]
    first_top, first_bottom = found["first"]
    assert badge_left < 2, found  # the badge starts the first line
    assert first_top <= badge_middle <= first_bottom, found  # and sits on it


def test_a_notifications_reason_shows_under_it_line_by_line_and_never_widens_the_page(
        new_context, live_server):
    from network.auth.models import Person
    from network.extensions import db
    from network.notify.models import Delivery, Notification
    from tests.browser.test_accessibility import violations

    reason = "Room flooded.\nSee the new date: " + "x" * 10_000
    with live_server.app.app_context():
        ravi = db.session.scalar(db.select(Person).where(Person.email == "ravi@example.org"))
        db.session.add(Notification(person_id=ravi.id, kind="calendar.changed",
                                    subject="Cancelled: “Coffee morning”", detail=reason,
                                    url="/calendar", delivery=Delivery.IN_APP))
        db.session.commit()
    page = new_context(viewport=PHONE).new_page()
    log_in(page, "ravi@example.org", DEMO_PASSWORD)
    page.goto("/notifications")
    detail = page.locator(".notifications .detail").first
    expect(detail).to_be_visible()
    assert detail.inner_text().startswith("Room flooded.\nSee the new date: xxx")
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert violations(page, "/notifications with a reason") == []


def test_a_first_visit_asks_for_nothing_missing_not_even_a_favicon(new_context, live_server):
    # Browsers ask for /favicon.ico unless the page names an icon: it answered 404 (an error
    # in the console) on every first visit. The icon is a data: URL, so it costs no request.
    page = new_context(viewport=PHONE).new_page()
    failed = []
    page.on("response", lambda response: response.status >= 400 and failed.append(
        f"{response.status} {response.url}"))
    first = len(live_server.paths)
    page.goto("/")
    page.get_by_role("link", name="See all member organisations").click()
    expect(page.get_by_role("heading", level=1, name="Member organisations")).to_be_visible()
    page.goto("/memorandum")
    assert not failed
    assert "/favicon.ico" not in live_server.paths[first:]
    assert page.evaluate("document.querySelector('link[rel=icon]').href").startswith(
        "data:image/svg+xml,")


# --- the calendar: filters and the month's grid --------------------------------------------------

# For each select of the calendar's filters: its width, the width of the form's content box,
# and the width each choice needs to be shown whole (a select holding it alone, at its own
# size: Chromium's measure, arrow and padding included).
SELECT_WIDTHS = """() => [...document.querySelectorAll('#calendar-filters select')].map(select => {
  const form = select.form, style = getComputedStyle(form);
  const room = form.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const need = [...select.options].map(option => {
    const alone = document.createElement('select');
    alone.append(new Option(option.text));
    select.parentElement.append(alone);
    Object.assign(alone.style, {width: 'auto', minWidth: '0', maxWidth: 'none',
                                position: 'absolute'});
    const width = alone.getBoundingClientRect().width;
    alone.remove();
    return [option.text, width];
  });
  return {name: select.name, width: select.getBoundingClientRect().width, room, need,
          shown: select.options[select.selectedIndex].text};
})"""


@pytest.mark.parametrize("viewport", VIEWPORTS)
@pytest.mark.parametrize("path", ["/calendar", "/calendar/week", "/calendar/month"])
def test_the_calendar_filters_show_their_whole_text(new_context, live_server, viewport, path):
    # At 360 px the selects were 140 px wide, and "Any organisation" read "Any organis".
    page = new_context(viewport=viewport).new_page()
    log_in(page, "pat@example.org", DEMO_PASSWORD)  # "Only mine" too
    page.goto(path)
    cut = []
    for select in page.evaluate(SELECT_WIDTHS):
        for text, need in select["need"]:
            # A name longer than the phone is wide shows as much as the whole width can.
            whole = need <= select["width"] + 0.5 or (
                text != select["shown"] and select["width"] >= select["room"] - 0.5)
            if not whole:
                cut.append(f"{select['name']}: “{text}” needs {need:.0f} px, has "
                           f"{select['width']:.0f} of {select['room']:.0f}")
    assert not cut, f"{path} at {viewport['width']} px:\n" + "\n".join(cut)
    if viewport["width"] >= 1280:  # room for the demo's longest names
        assert all(need <= select["width"] + 0.5 for select in page.evaluate(SELECT_WIDTHS)
                   for _text, need in select["need"])


# How many lines each event's link in the month's grid takes.
LINK_LINES = """() => [...document.querySelectorAll('table.month li a')].map(link =>
  [link.textContent, new Set([...link.getClientRects()].map(r => Math.round(r.top))).size])"""


def test_the_month_uses_the_width_of_a_wide_screen(new_context, live_server):
    # At 1280 px the grid was 736 px wide, and titles wrapped to four or five lines.
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(page, "pat@example.org", DEMO_PASSWORD)
    with live_server.app.app_context():
        following = (today().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    lines = []
    for month in ("", f"?month={following}"):
        # This month and the next: on the last days of a month the demo's season is in the next.
        page.goto("/calendar/month" + month)
        grid = page.locator("table.month").bounding_box()
        assert grid["width"] >= 0.9 * 1280, f"the month's grid is {grid['width']:.0f} px wide"
        lines += page.evaluate(LINK_LINES)
    assert len(lines) >= 5
    assert [title for title, count in lines if count > 3] == [], lines
    # Two short titles on one day sat 21 px apart: each link, even of one short line, is a
    # finger's 24 px (WCAG 2.5.8).
    heights = page.locator("table.month li a").evaluate_all(
        "links => links.map(link => { link.textContent = '18:00 Tea';"
        " return link.getBoundingClientRect().height; })")
    assert heights and min(heights) >= 24, heights
    # The lists beside it stay a readable width.
    page.goto("/calendar")
    assert page.locator("#results .events").first.bounding_box()["width"] <= 800
