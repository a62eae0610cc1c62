"""CSRF, headers, cookies, no change on GET, inert user content, error pages."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from network.auth.models import Person
from network.extensions import db
from tests.factories import PASSWORD, ApplicationFactory, PersonFactory, dated
from tests.urls import endpoints, url


def body(response) -> str:
    return response.get_data(as_text=True)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def csrf_app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


# --- CSRF --------------------------------------------------------------------------------------

def test_a_post_without_its_token_is_refused_and_changes_nothing(csrf_app):
    from tests.factories import build_world

    world = build_world()
    client = csrf_app.test_client()
    assert client.post("/login", data={"email": world.member.email,
                                       "password": PASSWORD}).status_code == 400
    token = csrf_token(body(client.get("/login")))
    assert client.post("/login", data={"email": world.member.email, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 303
    refused = client.post("/account", data={"display_name": "Hijacked"})
    assert refused.status_code == 400
    assert "Something in that request was not right" in body(refused)
    assert world.member.display_name == "Mo Member"
    forged = client.post("/account", data={"display_name": "Hijacked",
                                           "csrf_token": "forged" + token[6:]})
    assert forged.status_code == 400
    assert world.member.display_name == "Mo Member"


def test_htmx_sends_the_token_as_a_header(csrf_app):
    from tests.factories import build_world

    world = build_world()
    client = csrf_app.test_client()
    token = csrf_token(body(client.get("/login")))
    client.post("/login", data={"email": world.member.email, "password": PASSWORD,
                                "csrf_token": token})
    page = body(client.get("/dashboard"))
    header_token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', page).group(1)
    # As the boosted page sends it (a form filling one element is answered with HX-Location).
    response = client.post("/account", data={"display_name": "Via htmx"},
                           headers={"HX-Request": "true", "HX-Boosted": "true",
                                    "X-CSRFToken": header_token})
    assert response.status_code == 303
    assert world.member.display_name == "Via htmx"


def test_nothing_from_before_login_survives_into_the_session(csrf_app):
    """Session fixation: the session a visitor had (and its CSRF secret) is replaced."""
    from tests.factories import build_world

    world = build_world()
    client = csrf_app.test_client()
    before = csrf_token(body(client.get("/login")))
    cookie_before = client.get_cookie("network_session").value
    client.post("/login", data={"email": world.member.email, "password": PASSWORD,
                                "csrf_token": before})
    assert client.get_cookie("network_session").value != cookie_before
    stale = client.post("/account", data={"display_name": "Stale", "csrf_token": before})
    assert stale.status_code == 400


def test_visitors_pages_set_no_cookie(client, world):
    for path in ("/", "/organisations", "/memorandum"):
        assert "Set-Cookie" not in client.get(path).headers, path


# --- no state change on GET --------------------------------------------------------------------

# Reading a thread moves the reader's own read marker, and looking at one's home page notes
# the visit ("since my last visit"): bookkeeping of what they were shown, not a change anyone
# asked for, and the only writes a GET may make.
READ_MARKERS = {"forum_thread_read", "home_visit"}


def snapshot() -> dict[str, list]:
    db.session.rollback()
    with db.engine.connect() as conn:
        return {table.name: sorted(map(repr, conn.execute(sa.select(table))))
                for table in db.metadata.sorted_tables if table.name not in READ_MARKERS}


@pytest.mark.parametrize("role", ["visitor", "contact", "coordinator"])
def test_no_get_changes_anything(app, client, world, login, role):
    if role != "visitor":
        login(getattr(world, role))
    before = snapshot()
    for endpoint, methods in endpoints(app).items():
        if "GET" in methods:
            response = client.get(url(app, endpoint, world))
            assert response.status_code < 500, endpoint
    assert snapshot() == before


# --- headers and cookies -----------------------------------------------------------------------

def test_every_page_carries_the_security_headers(client, world):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    error = client.get("/no-such-page")
    assert error.status_code == 404 and "Content-Security-Policy" in error.headers


def test_pages_have_no_inline_script_or_style(client, world, login):
    login(world.coordinator)
    for path in ("/", "/organisations", "/dashboard", "/coordinate/people", "/join"):
        page = body(client.get(path))
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path
        assert "<style" not in page and " style=" not in page, path
        assert not re.search(r"\son[a-z]+=", page), path


def test_no_script_of_ours_writes_an_inline_style(client):
    """Under the CSP a style attribute set by script is refused with a console error. htmx
    settles the attributes it is told to: "style" among them copied an element's own style
    (a text box resized by hand) onto the new content with setAttribute; its indicator
    styles would be a <style> element. site.js writes none either."""
    import json
    from pathlib import Path

    page = body(client.get("/"))
    config = json.loads(re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', page)[1])
    assert config["includeIndicatorStyles"] is False
    assert "style" not in [name.lower() for name in config["attributesToSettle"]]
    script = (Path(__file__).parents[1] / "static/js/site.js").read_text()
    assert not re.search(r"\.style\b|cssText|setAttribute\(\s*[\"']style|insertRule|<style",
                         script)


def test_session_cookies_are_secure_httponly_and_lax(client, world):
    response = client.post("/login", data={"email": world.member.email, "password": PASSWORD,
                                           "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 2
    for cookie in cookies:
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_static_files_are_cached_for_a_year_only_with_a_version(client, world):
    page = body(client.get("/"))
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]{12})"', page).group(1)
    js = re.search(r'src="(/static/js/bundle\.js\?v=[0-9a-f]{12})"', page).group(1)
    for path in (css, js):
        with client.get(path) as response:
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/css/site.css") as unversioned:
        assert "immutable" not in unversioned.headers.get("Cache-Control", "")
    assert client.get("/", headers={"Accept-Encoding": "gzip"}).headers.get(
        "Content-Encoding") == "gzip"


def test_logged_in_pages_are_not_stored_by_caches(client, world, login):
    login(world.member)
    assert client.get("/dashboard").headers["Cache-Control"] == "no-store"


def test_a_huge_request_is_refused(client, world):
    response = client.post("/join", data={"description": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413


# --- user content renders inert ----------------------------------------------------------------

PAYLOADS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "<svg/onload=alert('xss-3')>",
    "[click](javascript:alert('xss-4'))",
    "<a href=\"javascript:alert('xss-5')\">x</a>",
    "<div hx-get=\"/xss-6\" hx-trigger=\"load\">x</div>",
    "<style>body{display:none}</style><p style=\"color:red\">xss-7</p>",
    "\"><script>alert('xss-8')</script>",
    "<iframe src=\"https://evil.example/xss-9\"></iframe>",
    "{{ 7*7 }}xss-10",
    "<a href=\"data:text/html,<script>alert(11)</script>\">xss-11</a>",
    "<form action=\"https://evil.example/xss-12\"><button>x</button></form>",
]


class Inspector(HTMLParser):
    """Collects what would run or load: scripts, handlers, unsafe URLs, styles, htmx."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not (attributes.get("src") or "").startswith("/static/"):
            self.problems.append(f"script {attrs}")
        if tag in ("iframe", "object", "embed", "style", "base"):
            self.problems.append(f"<{tag}>")
        if tag == "form" and (attributes.get("action") or "/").startswith(("http", "//")):
            self.problems.append(f"form to {attributes['action']}")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag} {name}={value}")
            # The site's own icon is a data: image (no request); an image runs no script.
            icon = tag == "link" and attributes.get("rel") == "icon" and \
                value.startswith("data:image/")
            if name in ("href", "src", "action") and value.startswith(("javascript:", "data:")) \
                    and not icon:
                self.problems.append(f"{tag} {name}={value}")
            acting = name.removeprefix("data-").startswith(
                ("hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete", "hx-trigger",
                 "hx-on", "hx-vals", "hx-headers", "hx-include", "hx-target", "hx-swap"))
            # Payload 6 aims htmx at /xss-6; a slug made from a payload ("…-xss-8-…") is ours.
            if acting and ("/xss-" in value or value.startswith("xss")):
                self.problems.append(f"{tag} {name}={value}")


def assert_inert(html: str, where: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    assert not inspector.problems, f"{where}: {inspector.problems}"
    assert "49xss-10" not in html, f"{where}: template injection"


def test_payloads_in_every_field_that_renders_user_text_are_inert(client, world, login):
    corpus = "\n\n".join(PAYLOADS)
    org = world.org_a
    org.name = PAYLOADS[0] + " tenants"
    org.description = corpus
    org.contribution = corpus
    org.governing_document = PAYLOADS[7]
    org.registered_number = PAYLOADS[1][:40]
    org.website = "javascript:alert('xss-13')"
    org.phone = PAYLOADS[2][:40]
    org.public_email = "\"><script>@x.org"
    world.contact.display_name = PAYLOADS[1][:80]
    world.contact.show_email_to_members = True
    world.north.name = PAYLOADS[2][:80]
    world.housing.name = PAYLOADS[7][:80]
    application = ApplicationFactory(organisation__description=corpus,
                                     organisation__name=PAYLOADS[5][:120],
                                     contact_name=PAYLOADS[0][:80], message=corpus)
    db.session.commit()
    login(world.coordinator)
    client.post(f"/coordinate/applications/{application.id}/decline",
                data={"reason": PAYLOADS[3]})
    client.post(f"/coordinate/people/{world.member.id}/suspend", data={"reason": PAYLOADS[6]})
    pages = ["/", "/organisations", f"/organisations/{org.id}-{org.slug}",
             f"/organisations/{org.id}/edit", f"/organisations/{org.id}/people",
             "/coordinate/applications", f"/coordinate/applications/{application.id}",
             "/coordinate/people", f"/coordinate/people/{world.contact.id}",
             f"/coordinate/people/{world.member.id}", "/coordinate/audit",
             "/coordinate/areas", "/coordinate/themes", "/dashboard"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert_inert(body(response), path)
    directory_fragment = client.get("/organisations", headers={"HX-Request": "true",
                                                               "HX-Target": "results"})
    assert_inert(body(directory_fragment), "directory fragment")


def test_payloads_in_the_forum_are_inert(client, world, login):
    from tests.factories import first_post, make_thread

    corpus = "\n\n".join(PAYLOADS)
    world.member.display_name = PAYLOADS[1][:80]
    world.category.name = PAYLOADS[2][:80]
    world.category.description = PAYLOADS[0]
    db.session.commit()
    thread = make_thread(world.category, world.member, PAYLOADS[7][:120], [corpus, corpus],
                         authors=[world.member, world.coordinator])
    post = first_post(thread)
    # Quoted, edited, flagged, hidden and mentioned: every way the text travels.
    member, contact = client, client.application.test_client()
    coordinator = client.application.test_client()
    login(world.member)
    login(world.contact, c=contact)
    login(world.coordinator, c=coordinator)
    member.post(f"/forum/p/{post.id}/edit", data={"body": corpus + "\n\nedited",
                                                  "version": post.version})
    coordinator.post(f"/forum/t/{thread.id}/reply", data={
        "body": "@" + PAYLOADS[1][:80] + "\n\n" + corpus, "submission": "x" * 20, "page": "1"})
    contact.post(f"/forum/p/{post.id}/flag", data={"reason": PAYLOADS[0]})
    assert "xss-1" in body(coordinator.get("/forum/moderation"))
    coordinator.post(f"/forum/p/{post.id}/hide", data={"reason": PAYLOADS[4]})
    pages = ["/forum", f"/forum/c/{world.category.id}", f"/forum/t/{thread.id}",
             f"/forum/t/{thread.id}?quote={post.id}", "/notifications"]
    for who, c in (("coordinator", coordinator), ("member", member)):
        for path in pages:
            response = c.get(path, follow_redirects=True)
            assert response.status_code == 200, path
            assert_inert(body(response), f"{path} as {who}")
    for path in (f"/forum/p/{post.id}/history", f"/forum/p/{post.id}/restore",
                 f"/forum/t/{thread.id}/manage", "/forum/moderation", "/forum/categories",
                 "/coordinate/audit"):
        response = coordinator.get(path)
        assert response.status_code == 200, path
        assert_inert(body(response), path)
    assert "xss-5" in body(member.get("/notifications"))  # the hiding reason reached them


def test_rendered_markdown_is_wrapped_so_htmx_ignores_it(client, world):
    page = body(client.get(f"/organisations/{world.org_a.id}-{world.org_a.slug}"))
    assert '<div class="prose" hx-disable><p>We do good work.</p>' in page


# --- errors ------------------------------------------------------------------------------------

def test_error_pages_are_friendly(client, world, login):
    missing = client.get("/organisations/424242-nothing")
    assert missing.status_code == 404 and "Page not found" in body(missing)
    login(world.member)
    forbidden = client.get("/coordinate/audit")
    assert forbidden.status_code == 403 and "You may not do that" in body(forbidden)
    wrong_method = client.get("/logout")
    assert wrong_method.status_code == 405


def test_an_unexpected_error_shows_a_kind_500_page_and_rolls_back(make_app):
    app = make_app(PROPAGATE_TEST_ERRORS=False)

    def explode():
        db.session.add(PersonFactory.build(email="half-written@example.org"))
        db.session.flush()
        raise RuntimeError("boom")

    app.add_url_rule("/explode", "explode", explode)
    with app.app_context():
        response = app.test_client().get("/explode")
        assert response.status_code == 500
        assert "Something went wrong on our side" in body(response)
        assert db.session.scalar(sa.select(Person).where(
            Person.email == "half-written@example.org")) is None


def test_healthz_checks_the_database(client, world, tmp_path):
    from network import create_app
    from network.config import TestConfig

    ok = client.get("/healthz")
    assert ok.status_code == 200 and ok.get_json() == {"status": "ok", "database": "ok"}
    broken = create_app(TestConfig(f"sqlite:///{tmp_path}/missing/dir/x.db"))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"


def test_payloads_in_the_calendar_are_inert(client, world, login):
    """Every calendar field that shows someone's text: title, description, place, link,
    access note, cancel reason, a moved occurrence's note, a paper's title, the names of
    those answering and of organisations, areas and themes; on every page that shows them."""
    from network.calendar.attendance import answer
    from network.calendar.models import Answer, OccurrenceChange
    from network.calendar.reads import occurrences_of
    from network.core.audience import Audience
    from tests.factories import attach_paper, make_event

    corpus = "\n\n".join(PAYLOADS)
    world.org_a.name = PAYLOADS[0] + " tenants"
    world.other_member.display_name = PAYLOADS[1][:80]
    world.north.name = PAYLOADS[2][:80]
    world.housing.name = PAYLOADS[7][:80]
    db.session.commit()
    event = make_event(world.org_a, world.contact, PAYLOADS[7][:120],
                       repeats=("weekly", None, 4), audience=Audience.PUBLIC,
                       description=corpus, place=PAYLOADS[1][:200],
                       online_link="javascript:alert('xss-13')",
                       access_note=PAYLOADS[2][:300], area_id=world.north.id,
                       themes=[world.housing])
    first, second = occurrences_of([event], event.starts_at, event.starts_at +
                                   timedelta(days=10))
    db.session.add(OccurrenceChange(event_id=event.id, original_start=second.original_start,
                                    starts_at=second.starts_at + timedelta(hours=1),
                                    ends_at=second.ends_at + timedelta(hours=1),
                                    place=PAYLOADS[5][:200], note=PAYLOADS[6][:500]))
    answer(event, first.original_start, world.other_member, Answer.GOING)
    attach_paper(event, world.contact, PAYLOADS[0][:120], b"Agenda\n",
                 filename="agenda.txt")
    db.session.commit()
    login(world.contact)
    client.post(f"/calendar/e/{event.id}/cancel?at={first.key}",
                data={"scope": "this", "reason": PAYLOADS[4]})
    at = f"?at={second.key}"
    pages = ["/", "/calendar", "/calendar/month", "/calendar/week",
             f"/calendar?start={event.starts_at.date().isoformat()}",
             f"/calendar/e/{event.id}-{event.slug}", f"/calendar/e/{event.id}-{event.slug}{at}",
             f"/calendar/e/{event.id}-{event.slug}?at={first.key}",
             f"/calendar/e/{event.id}/edit{at}", f"/calendar/e/{event.id}/cancel{at}",
             f"/calendar/e/{event.id}/papers", "/calendar/feed",
             f"/organisations/{world.org_a.id}-{world.org_a.slug}"]
    other = client.application.test_client()
    login(world.other_member, c=other)
    for who, c in (("organiser", client), ("other member", other)):
        for path in pages:
            if who == "other member" and ("/edit" in path or "/cancel" in path or
                                          "/papers" in path):
                continue
            response = c.get(path, follow_redirects=True)
            assert response.status_code == 200, f"{path} as {who}"
            assert_inert(body(response), f"{path} as {who}")
    assert "xss-5" in body(other.get("/notifications"))  # the reason reached them
    assert_inert(body(other.get("/notifications")), "notifications")
    coordinator = client.application.test_client()
    login(world.coordinator, c=coordinator)
    assert_inert(body(coordinator.get("/coordinate/audit")), "audit")
    page = body(client.get(f"/calendar/e/{event.id}-{event.slug}{at}"))
    assert "xss-7" in page and "xss-6" in page  # shown, as text


def test_payloads_on_the_sharing_board_are_inert(client, world, login):
    """A listing's title and details, an area's and an organisation's names, messages and a
    hiding reason, on every page that shows them."""
    from network.board import services as board
    from network.board.models import Conversation
    from tests.factories import make_listing

    corpus = "\n\n".join(PAYLOADS)
    world.org_b.name = PAYLOADS[0] + " club"
    world.north.name = PAYLOADS[2][:80]
    world.other_member.display_name = PAYLOADS[1][:80]
    db.session.commit()
    listing = make_listing(world.org_b, world.other_member, PAYLOADS[7][:120],
                           description=corpus, area_id=world.north.id)
    board.reply(listing, world.org_a.id, world.contact, corpus)
    db.session.commit()
    conversation = db.session.scalar(sa.select(Conversation.id).where(
        Conversation.listing_id == listing.id))
    login(world.coordinator)
    client.post(f"/board/l/{listing.id}/hide", data={"reason": PAYLOADS[4]})
    pages = ["/board", f"/board/l/{listing.id}-{listing.slug}", f"/board/c/{conversation}",
             f"/board/l/{listing.id}/edit", f"/organisations/{world.org_b.id}-{world.org_b.slug}",
             "/board/new?kind=offer&category=rooms&title=" + PAYLOADS[0], "/coordinate/audit"]
    owner = client.application.test_client()
    login(world.other_member, c=owner)
    for who, c in (("coordinator", client), ("owner", owner)):
        for path in pages:
            if who == "owner" and path == "/coordinate/audit":
                continue
            response = c.get(path, follow_redirects=True)
            assert response.status_code == 200, f"{path} as {who}"
            assert_inert(body(response), f"{path} as {who}")
    assert "xss-5" in body(owner.get("/notifications"))  # the hiding reason reached them
    assert_inert(body(owner.get("/notifications")), "notifications")


def test_payloads_in_bookings_are_inert(client, world, login):
    """A bookable listing's title, a booking's purpose, note and reasons, and the booking
    organisation's name, on the calendar, the booking's page and the notices."""
    from network.board.models import Booking
    from network.core.time import today
    from tests.factories import make_listing

    world.org_b.name = PAYLOADS[0][:100] + " club"
    db.session.commit()
    listing = make_listing(world.org_a, world.contact, PAYLOADS[7][:120], bookable=True,
                           description="\n\n".join(PAYLOADS))
    login(world.other_member)
    day = (today() + timedelta(days=9)).isoformat()
    assert client.post(f"/board/l/{listing.id}/book", data={
        "organisation": str(world.org_b.id), "day": day, "starts": "18:00", "ends": "20:00",
        "purpose": PAYLOADS[3][:120], "note": "\n".join(PAYLOADS)[:1000], "to_calendar": "y",
        "submission": "x" * 22}).status_code == 303
    booking = db.session.scalar(sa.select(Booking).where(Booking.listing_id == listing.id))
    owner = client.application.test_client()
    login(world.contact, c=owner)
    assert owner.post(f"/board/b/{booking.id}/answer", data={"answer": "approve"}
                      ).status_code == 303
    assert client.post(f"/board/b/{booking.id}/cancel", data={"why": PAYLOADS[4]}
                       ).status_code == 303
    refused = client.post(f"/board/l/{listing.id}/book", data={
        "organisation": str(world.org_b.id), "day": PAYLOADS[5][:50], "starts": PAYLOADS[6],
        "ends": "x", "purpose": PAYLOADS[2][:120]})
    assert refused.status_code == 422
    assert_inert(body(refused), "a refused booking")
    for who, c in (("booker", client), ("owner", owner)):
        for path in (f"/board/l/{listing.id}/bookings?start={day}", f"/board/b/{booking.id}",
                     "/notifications", f"/board/l/{listing.id}-{listing.slug}"):
            response = c.get(path)
            assert response.status_code == 200, f"{path} as {who}"
            assert_inert(body(response), f"{path} as {who}")
    assert "xss-" in body(owner.get(f"/board/b/{booking.id}"))  # shown, as text


def test_payloads_in_bodies_and_seats_are_inert(client, world, login):
    """A body's name, description and meeting pattern, a seat's title and description, an
    area's name, a holder's name and a vote's note, on the pages that show them."""
    from network.core.audience import Audience
    from network.core.time import today
    from network.representation import services as representation
    from network.representation.models import Selection
    from tests.factories import make_body, make_seat

    world.member.display_name = PAYLOADS[1][:80]
    world.north.name = PAYLOADS[2][:80]
    db.session.commit()
    board = make_body(PAYLOADS[0][:120], audience=Audience.PUBLIC,
                     description="\n\n".join(PAYLOADS), meets=PAYLOADS[3][:200])
    seat = make_seat(board, PAYLOADS[7][:120], areas=[world.north])
    seat.description = PAYLOADS[4][:500]
    representation.add_term(seat, {"holder_id": world.member.id, "deputy_id": None,
                                   "selection": Selection.ELECTED,
                                   "selection_note": PAYLOADS[5][:500],
                                   "starts_on": today() - timedelta(days=1),
                                   "ends_on": today() + timedelta(days=9)},
                            world.coordinator)
    db.session.commit()
    pages = ["/bodies", f"/bodies/{board.id}-{board.slug}", f"/bodies/{board.id}/edit",
             f"/seats/{seat.id}/edit", f"/seats/{seat.id}/terms/new"]
    login(world.coordinator)
    for path in pages:
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert_inert(body(response), path)
    member = client.application.test_client()
    login(world.member, c=member)
    for path in ("/representatives", "/notifications"):
        assert_inert(body(member.get(path)), path)
    assert "xss-" in body(member.get("/representatives"))  # shown, as text


def test_payloads_in_items_reports_actions_and_responses_are_inert(client, world, login):
    """An item raised and the answer to it, a report's three texts, an action's what and who
    and its update's note, a question, a response and the reason it was hidden: on every page
    that shows them, to every kind of reader, and in the plain-text download."""
    corpus = "\n\n".join(PAYLOADS)
    seat, report = world.seat, world.report
    contact = client.application.test_client()
    login(world.contact, c=contact)
    assert contact.post(f"/seats/{seat.id}/items", data={
        "title": PAYLOADS[0][:200], "body": corpus, "organisation": str(world.org_a.id),
        "submission": "x" * 22}).status_code == 303
    member = client.application.test_client()
    login(world.member, c=member)
    from network.representation.models import Action, RaisedItem, Response

    item = db.session.scalar(sa.select(RaisedItem).where(RaisedItem.body == corpus))
    assert member.post(f"/items/{item.id}/answer", data={
        "status": "answered", "reply": corpus}).status_code == 303
    assert member.post(f"/reports/{report.id}/edit", data={
        "summary": PAYLOADS[1], "decisions": corpus, "said": corpus, "audience": "members",
        "version": str(report.version)}).status_code == 303
    assert member.post(f"/reports/{report.id}/actions", data={
        "what": PAYLOADS[2][:300], "owner": PAYLOADS[3][:120],
        "due_on": dated("{iso+300}")}).status_code == 303
    action = db.session.scalar(sa.select(Action).where(Action.owner == PAYLOADS[3][:120]))
    assert member.post(f"/actions/{action.id}", data={
        "status": "in_progress", "note": PAYLOADS[4][:500]}).status_code == 303
    assert member.post(f"/reports/{report.id}/questions", data={
        "text": PAYLOADS[5][:500], "respond_by": dated("{iso+100}")}).status_code == 303
    assert contact.post(f"/reports/{report.id}/responses", data={
        "body": corpus, "submission": "y" * 22}).status_code == 303
    response = db.session.scalar(sa.select(Response).where(Response.body == corpus))
    coordinator = client.application.test_client()
    login(world.coordinator, c=coordinator)
    assert coordinator.post(f"/report-responses/{response.id}/hide", data={
        "reason": PAYLOADS[6]}).status_code == 303
    pages = [f"/seats/{seat.id}", f"/items/{item.id}/answer", f"/reports/{report.id}",
             f"/reports/{report.id}/edit", f"/actions/{action.id}",
             f"/report-responses/{response.id}/hide", f"/seats/{seat.id}/accountability",
             f"/bodies/{seat.body_id}/accountability", "/representatives", "/notifications"]
    for who, reader in (("contact", contact), ("member", member),
                        ("coordinator", coordinator)):
        for path in pages:
            page = reader.get(path)
            if page.status_code == 200:
                assert_inert(body(page), f"{path} as {who}")
    assert "xss-" in body(contact.get(f"/reports/{report.id}"))  # shown, as text
    plain = contact.get(f"/reports/{report.id}.txt")
    assert plain.mimetype == "text/plain" and "xss-1" in body(plain)
