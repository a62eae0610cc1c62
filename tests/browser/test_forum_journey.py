"""The forum in a real browser, with JavaScript on (htmx) and off: a member replies, quoting
and mentioning; a coordinator hides the reply; the author hears by email and on the site."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest
from playwright.sync_api import expect

from network.demo import DEMO_PASSWORD
from tests.browser.conftest import FLASK_COMPRESS_UNCLOSED_STATIC_FILE, log_in, main_nav

pytestmark = [pytest.mark.browser, FLASK_COMPRESS_UNCLOSED_STATIC_FILE]

PHONE = {"width": 360, "height": 740}
THREAD = "Borrowing the Millfield hall for a Saturday?"


@pytest.mark.parametrize("javascript", [pytest.param(True, id="js"),
                                        pytest.param(False, id="no-js")])
def test_a_reply_is_posted_moderated_and_its_author_told(
        new_context, live_server, mailbox, javascript):
    words = f"We could share the hall on the 14th ({uuid4().hex[:6]})"
    pat = new_context(java_script_enabled=javascript, viewport=PHONE).new_page()
    log_in(pat, "pat@example.org", DEMO_PASSWORD)
    main_nav(pat).get_by_role("link", name="Forum").click()
    expect(pat.get_by_role("heading", level=1, name="Forum")).to_be_visible()
    pat.get_by_role("link", name="Premises and equipment").click()
    pat.get_by_role("link", name=THREAD).click()
    expect(pat.get_by_role("heading", level=1, name=THREAD)).to_be_visible()
    thread_url = pat.url.split("#")[0]

    box = pat.get_by_label("Your reply")
    if javascript:
        # A draft survives a reload (a dropped connection, a bus going under a bridge), once
        # the page's script is watching the box (a slow phone may take a moment).
        expect(pat.locator("#reply form[data-draft-ready]")).to_have_count(1)
        box.fill("Half a thought")
        pat.reload()
        expect(pat.get_by_label("Your reply")).to_have_value("Half a thought")
        # Quoting puts the post in the box, after what was typed.
        pat.locator("li.post").filter(has_text="heating takes an hour").get_by_role(
            "link", name="Quote").click()
        expect(box).to_have_value(re.compile(r"^Half a thought\n\n> \*\*Grace Mensah\*\*"))
    box.fill(f"{words}, @Jordan Ellis.")
    count_before = pat.locator("#reply-count").inner_text()
    pat.get_by_role("button", name="Post reply").click()
    mine = pat.locator("li.post").filter(has_text=words)
    expect(mine).to_be_visible()
    if javascript:  # in place: the same page, a clear box, the count moved on
        expect(pat).to_have_url(thread_url)
        expect(pat.get_by_label("Your reply")).to_have_value("")
        expect(pat.locator("#reply-count")).not_to_have_text(count_before)
        # A screen reader hears what happened, and is taken to the new post.
        expect(pat.locator("#announce")).to_have_text("Your reply is posted.")
        expect(mine).to_be_focused()
        # Editing it in place comes back the same way.
        mine.get_by_role("link", name="Edit").click()
        pat.get_by_label("Your message").fill(f"{words}, @Jordan Ellis. (Edited.)")
        pat.get_by_role("button", name="Save").click()
        expect(mine).to_contain_text("(Edited.)")
        expect(pat.locator("#announce")).to_have_text("Your post is saved.")
        expect(mine).to_be_focused()
        pat.reload()
        expect(pat.get_by_label("Your reply")).to_have_value("")  # the draft went with it
    else:
        expect(pat).to_have_url(re.compile(r"#p\d+$"))
    # Her own reply is not news to her, on the next visit either.
    pat.goto(thread_url)
    expect(mine).not_to_have_class(re.compile(r"\bunread\b"))
    expect(mine.get_by_text("New", exact=True)).to_have_count(0)

    # A coordinator hides it, with a reason.
    coordinator = new_context(java_script_enabled=javascript, viewport=PHONE).new_page()
    log_in(coordinator, "coordinator@example.org", DEMO_PASSWORD)
    coordinator.goto(thread_url)
    coordinator.locator("li.post").filter(has_text=words).get_by_role("link",
                                                                      name="Hide").click()
    expect(coordinator.get_by_role("heading", level=1)).to_contain_text("Hide a post")
    coordinator.get_by_role("button", name="Hide the post").click()
    expect(coordinator.get_by_role("alert")).to_contain_text("This is needed.")
    coordinator.get_by_label("Reason for hiding").fill("Please agree dates with Dev first")
    coordinator.get_by_role("button", name="Hide the post").click()
    expect(coordinator.get_by_role("status")).to_contain_text("The post is hidden")

    # Pat hears by email, and on the site; Jordan heard of the mention.
    live_server.deliver_mail()
    hidden = mailbox.last_to("pat@example.org")
    assert "hid your post" in hidden["Subject"]
    assert "Please agree dates with Dev first" in mailbox.body(hidden)  # the reason, in the text
    assert "mentioned you" in mailbox.last_to("jordan@example.org")["Subject"]
    pat.goto("/dashboard")
    main_nav(pat).get_by_role("link", name=re.compile(r"^Notifications")).click()
    expect(pat.get_by_text("Please agree dates with Dev first").first).to_be_visible()
    pat.get_by_role("button", name=re.compile("hid your post")).first.click()
    expect(pat.get_by_role("heading", level=1, name=THREAD)).to_be_visible()
    expect(pat.locator("li.post").filter(has_text=words)).to_contain_text(
        "Hidden by a coordinator: Please agree dates with Dev first")


def test_a_new_members_post_waits_and_the_coordinator_approves_it(new_context, live_server,
                                                                  mailbox):
    coordinator = new_context(viewport={"width": 1280, "height": 900}).new_page()
    log_in(coordinator, "coordinator@example.org", DEMO_PASSWORD)
    main_nav(coordinator).get_by_role("link", name="Coordinate").click()
    coordinator.get_by_role("link", name="Forum moderation").click()
    held = coordinator.locator("li").filter(has_text="hear from young people directly")
    expect(held).to_be_visible()
    held.get_by_role("button", name="Approve").click()
    expect(coordinator.get_by_role("status")).to_contain_text("Approved")
    live_server.deliver_mail()
    assert "is approved" in mailbox.last_to("kezia@example.org")["Subject"]


def test_a_refused_reply_without_javascript_opens_at_its_message(new_context):
    # Without JavaScript the refused reply is a new page: it must open at the form and its
    # message, not at the top of a long thread; reloading its address leads back to the thread.
    pat = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    log_in(pat, "pat@example.org", DEMO_PASSWORD)
    main_nav(pat).get_by_role("link", name="Forum").click()
    pat.get_by_role("link", name="Premises and equipment").click()
    pat.get_by_role("link", name=THREAD).click()
    # the thread loaded (a click does not wait for the page it leads to)
    expect(pat.get_by_role("heading", level=1, name=THREAD)).to_be_visible()
    assert pat.evaluate("document.documentElement.scrollHeight") > 2 * PHONE["height"]
    pat.get_by_role("button", name="Post reply").click()
    message = pat.locator("#reply").get_by_text("Write something first.").first
    expect(message).to_be_in_viewport()
    expect(pat.get_by_role("heading", level=1, name=THREAD)).not_to_be_in_viewport()
    assert re.search(r"/forum/t/\d+/reply#reply$", pat.url)
    pat.goto(pat.url.split("#")[0])  # the address opened again, as a GET
    expect(pat.get_by_role("heading", level=1, name=THREAD)).to_be_attached()
    expect(pat).to_have_url(re.compile(r"/forum/t/\d+-[a-z-]+#reply$"))
    expect(pat.get_by_label("Your reply")).to_be_in_viewport()
