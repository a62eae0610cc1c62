"""Every htmx fragment, as a fragment and as a page: the block htmx asks for is exactly the part
of the page it replaces (one context builds both), and a whole page comes back otherwise."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.factories import first_post

VOLATILE = re.compile(r'(name="(?:csrf_token|submission)" type="hidden" value=")[^"]*"')


def same_for_comparing(html: str) -> str:
    """Per-render values (CSRF token, a form's submission key) set aside."""
    return VOLATILE.sub(r'\1"', html)


def htmx(client, path: str, target: str, **headers):
    return client.get(path, headers={"HX-Request": "true", "HX-Target": target, **headers})


def cases(world) -> list[tuple[str, str, str, str | None]]:
    """(who, path, htmx target, the page it must be part of: the same path if None)."""
    post = world.post
    return [
        ("visitor", "/organisations", "results", None),
        ("visitor", f"/organisations?area={world.north.id}", "results", None),
        ("member", "/notifications", "results", None),
        ("member", f"/forum/c/{world.category.id}-{world.category.slug}", "threads", None),
        ("member", f"/forum/t/{world.thread.id}-{world.thread.slug}", "posts", None),
        ("member", f"/forum/t/{world.thread.id}-{world.thread.slug}", "reply", None),
        ("member", f"/forum/p/{post.id}", f"p{post.id}",
         f"/forum/t/{world.thread.id}-{world.thread.slug}"),
        ("member", f"/forum/p/{first_post(world.thread).id}/edit",
         f"p{first_post(world.thread).id}", None),
        ("coordinator", "/coordinate/applications", "results", None),
        ("coordinator", "/coordinate/people", "results", None),
        ("coordinator", "/coordinate/audit", "results", None),
        ("visitor", "/calendar", "results", None),
        ("member", f"/calendar?start={world.event.starts_at.date().isoformat()}&mine=y",
         "results", None),
        ("member", f"/calendar/week?week={world.event.starts_at.date().isoformat()}",
         "results", None),
        ("member", f"/calendar/month?month={world.event.starts_at:%Y-%m}&kind=meeting",
         "results", None),
        ("member", f"/calendar/e/{world.event.id}-{world.event.slug}", "rsvp", None),
        ("other_member", f"/board/l/{world.listing.id}/bookings?start="
         f"{(world.booking.starts_at - timedelta(days=3)).date().isoformat()}", "slots", None),
        ("contact", "/board/bookings", "results", None),
        ("other_member", "/board/new?kind=request&category=rooms&title=Meeting+room",
         "matches", None),
    ]


def test_every_fragment_is_the_part_of_its_page_it_replaces(app, world, login):
    checked = 0
    for who, path, target, page_path in cases(world):
        client = app.test_client()
        if who != "visitor":
            login(getattr(world, who), c=client)
        page_path = page_path or path
        client.get(page_path)  # a first visit reads the thread: both renders then agree
        fragment = htmx(client, path, target)
        page = client.get(page_path)
        assert fragment.status_code == 200 and page.status_code == 200, (path, target)
        block = fragment.get_data(as_text=True)
        assert "<html" not in block and "<main" not in block, (path, target)
        if re.fullmatch(r"p\d+", target):  # an item replaces itself: it comes back whole
            assert block.lstrip().startswith(f'<li id="{target}"'), (path, target)
        assert block.strip(), (path, target)
        assert same_for_comparing(block.strip()) in same_for_comparing(
            page.get_data(as_text=True)), (path, target)
        assert "HX-Request" in fragment.headers.get("Vary", "")
        checked += 1
    assert checked == len(cases(world))


@pytest.mark.parametrize("headers", [
    pytest.param({"HX-Boosted": "true"}, id="boosted"),
    pytest.param({"HX-History-Restore-Request": "true"}, id="history"),
    pytest.param({"HX-Target": "nothing-we-offer"}, id="unknown-target"),
])
def test_a_boosted_or_restored_or_unknown_request_gets_the_whole_page(client, world, headers):
    response = client.get("/organisations", headers={"HX-Request": "true",
                                                     "HX-Target": "results", **headers})
    assert "<html" in response.get_data(as_text=True)


def test_a_post_alone_is_only_for_htmx_others_go_to_its_place(client, world, login):
    login(world.member)
    response = client.get(f"/forum/p/{world.post.id}")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#p{world.post.id}")


def test_a_reply_with_htmx_returns_the_form_and_the_new_post_out_of_band(client, world, login):
    from tests.test_forum import establish

    establish(world, world.member)
    login(world.member)
    response = client.post(f"/forum/t/{world.thread.id}/reply",
                           data={"body": "In place, please.", "submission": "h" * 20,
                                 "page": "1"},
                           headers={"HX-Request": "true", "HX-Target": "reply"})
    block = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in block
    assert 'hx-swap-oob="beforeend:#post-list"' in block and "In place, please." in block
    assert 'data-announce="Your reply is posted."' in block
