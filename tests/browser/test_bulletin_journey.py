"""The home page of what is new and the weekly bulletin in a real browser, with JavaScript on
and off: Ravi logs in to what is new for him and follows a line to the thing; the bulletin
he chose reaches the SMTP server as text and HTML; its page prints on two sides of A4."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from network.demo import DEMO_PASSWORD
from tests.browser.conftest import FLASK_COMPRESS_UNCLOSED_STATIC_FILE, journeys, log_in

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

PHONE = {"width": 360, "height": 740}
RAVI = "ravi@example.org"


@journeys
def test_ravi_lands_on_what_is_new_and_follows_a_line(new_context, any_server, javascript):
    ravi = new_context(java_script_enabled=javascript, viewport=PHONE,
                       base_url=any_server.url).new_page()
    log_in(ravi, RAVI, DEMO_PASSWORD)  # lands on "/"
    main = ravi.locator("main")
    expect(main).to_contain_text("What is new for you")
    for heading in ("Threads you watch with unread posts", "Listings that fit your organisations",
                    "New reports from your representatives", "Booking requests to answer",
                    "Questions to answer", "This week"):
        expect(ravi.get_by_role("heading", name=heading)).to_be_visible()
    question = "Which of our groups would send someone to the youth working group?"
    ravi.get_by_role("link", name=question).click()
    expect(ravi).to_have_url(re.compile(r"/reports/\d+#q\d+$"))
    expect(ravi.locator("li[id^=q]").filter(has_text=question)).to_be_visible()
    ravi.goto("/")
    ravi.get_by_role("link", name="Your seats, organisations and account").click()
    expect(ravi).to_have_url(re.compile(r"/dashboard$"))


def test_the_bulletin_arrives_as_text_and_html(new_context, live_server, mailbox):
    from network.bulletin import services

    ravi = new_context().new_page()
    log_in(ravi, RAVI, DEMO_PASSWORD)
    ravi.goto("/account/notifications")
    expect(ravi.get_by_label(re.compile(r"^The weekly bulletin"))).to_be_checked()  # the demo's
    with live_server.app.app_context():
        result = services.send(force=True)
        number = result.issue.number
    assert result.sent + result.already >= 2
    live_server.deliver_mail()
    message = mailbox.last_to(RAVI)
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "THE COMING FORTNIGHT" in text and "<h2 id=\"b-events\">" in html
    assert f"{live_server.url}/bulletin/{number}" in text


@pytest.mark.parametrize("who", ["visitor", RAVI])
def test_the_bulletin_prints_on_two_sides_of_a4(new_context, live_server, who):
    page = new_context().new_page()
    if who != "visitor":
        log_in(page, who, DEMO_PASSWORD)
    page.goto("/bulletin")
    expect(page.get_by_role("heading", level=1, name="The weekly bulletin")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("main form")).to_have_count(0)
    # The header's search box is no use on paper (its class outweighed print's `form`).
    expect(page.get_by_role("search")).to_be_hidden()
    for hidden in page.locator(".no-print").all():
        expect(hidden).to_be_hidden()
    # A printout is the public edition: the board, the forum, members' events left out.
    members_only = page.locator(".bulletin .members-only")
    assert who == "visitor" or members_only.count() > 0
    for hidden in members_only.all():
        expect(hidden).to_be_hidden()
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    print(f"\n  /bulletin as {who}: {pages} side(s) of A4")
    assert 1 <= pages <= 2, pages


@pytest.fixture(scope="module")
def full_server(chromium, smtp_server, tmp_path_factory):
    """The demo borough with a very busy fortnight: more of everything than an issue shows."""
    from datetime import timedelta

    from sqlalchemy import select

    from network.auth.models import Person
    from network.board.models import ListingKind
    from network.calendar.models import EventKind
    from network.core.audience import Audience
    from network.core.time import now
    from network.extensions import db
    from network.forum.models import Category
    from network.members.models import Organisation
    from network.representation.models import Question, Seat
    from tests.browser.conftest import serve
    from tests.factories import make_event, make_listing, make_report, make_thread

    tmpdir = tmp_path_factory.mktemp("full-bulletin")
    for live in serve(f"sqlite:///{tmpdir}/full.db", smtp_server):
        with live.app.app_context():
            pat = db.session.scalar(select(Person).where(Person.email == "pat@example.org"))
            org = db.session.scalar(select(Organisation).order_by(Organisation.id).limit(1))
            seat = db.session.scalar(select(Seat).order_by(Seat.id).limit(1))
            category = db.session.scalar(select(Category).order_by(Category.id).limit(1))
            long = " with a title as long as people write them, and then some more words"
            for i in range(30):
                make_event(org, pat, f"Public event {i}{long}", audience=Audience.PUBLIC,
                           starts_at=now() + timedelta(days=1 + i % 13, hours=i % 7),
                           place="The community centre on the far side of the estate, hall 2")
                make_event(org, pat, f"Consultation {i}{long}", kind=EventKind.CONSULTATION,
                           audience=Audience.PUBLIC, starts_at=now() + timedelta(days=1),
                           closes_at=now() + timedelta(days=2 + i % 10))
                make_listing(org, pat, f"Offer {i}{long}")
                make_listing(org, pat, f"Request {i}{long}", kind=ListingKind.REQUEST)
                report = make_report(seat, pat, org, days_ago=1 + i % 5,
                                     audience=Audience.PUBLIC)
                db.session.add(Question(report_id=report.id, text=f"Question {i}{long}",
                                        respond_by=now().date() + timedelta(days=3)))
                make_thread(category, pat, f"Busy thread {i}{long}", ["One.", "Two."])
            db.session.commit()
        yield live


@pytest.mark.parametrize("who", ["visitor", RAVI])
def test_a_full_issue_still_prints_on_two_sides_of_a4(new_context, full_server, who):
    page = new_context(base_url=full_server.url).new_page()
    if who != "visitor":
        log_in(page, who, DEMO_PASSWORD)
    page.goto("/bulletin")
    expect(page.locator("main")).to_contain_text("Public event")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    print(f"\n  a full /bulletin as {who}: {pages} side(s) of A4")
    assert pages <= 2, pages
