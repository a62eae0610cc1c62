"""Every htmx fragment, as a fragment and as a page: the block htmx asks for is exactly the part
of the page it replaces (one context builds both), and a whole page comes back otherwise."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from network.core import htmx as core_htmx
from tests.factories import PASSWORD, add_states, build_world, first_post
from tests.urls import NOT_PAGES, endpoints, state_variants, url

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
        ("member", f"/seats/{world.seat.id}", "items", None),
        ("member", f"/reports/{world.report.id}", "responses", None),
        ("contact", f"/reports/{world.report.id}", "respond", None),
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


# --- every declared fragment, site-wide --------------------------------------------------------

ROLES = ["visitor", "associate", "member", "other_member", "contact", "coordinator"]
SOURCE = Path(__file__).resolve().parent.parent / "network"


def _blocks(node: ast.AST, names: dict[str, ast.AST]) -> set[str]:
    """The block names in a `fragments=` expression: a tuple of them, a mapping to them, a
    module-level name for them, and what a module-level function it calls returns."""
    found = set()
    if isinstance(node, ast.Name) and node.id in names:
        return _blocks(names.pop(node.id), names)
    for part in ast.walk(node):
        if isinstance(part, ast.Call) and getattr(part.func, "id", None) in names:
            found |= _blocks(names.pop(part.func.id), names)
        elif isinstance(part, ast.Dict):
            found |= {value.value for value in part.values if isinstance(value, ast.Constant)}
        elif isinstance(part, ast.Tuple | ast.List):
            found |= {e.value for e in part.elts if isinstance(e, ast.Constant)
                      and isinstance(e.value, str)}
    return found


def declared_fragments() -> set[tuple[str, str]]:
    """(template, block) for every `render(template, ..., fragments=...)` in the source."""
    found = set()
    for path in SOURCE.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        names = {**{target.id: node.value for node in tree.body if isinstance(node, ast.Assign)
                    for target in node.targets if isinstance(target, ast.Name)},
                 **{node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}}
        for call in ast.walk(tree):
            if not (isinstance(call, ast.Call) and getattr(call.func, "id", None) == "render"):
                continue
            fragments = next((k.value for k in call.keywords if k.arg == "fragments"), None)
            if fragments is None:
                continue
            template = call.args[0]
            assert isinstance(template, ast.Constant), f"{path}: {ast.unparse(call)}"
            blocks = _blocks(fragments, dict(names))
            assert blocks, f"{path}: which blocks? {ast.unparse(fragments)}"
            found.update((template.value, block) for block in blocks)
    return found


class Targets(HTMLParser):
    """What a page asks htmx to fetch into one of its elements: (address, element id)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: set[tuple[str, str]] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        target = attrs.get("hx-target", "")
        address = attrs.get("hx-get") or (attrs.get("href") if tag == "a" and
                                          "hx-post" not in attrs else None)
        if target.startswith("#") and address and not address.startswith("#"):
            self.found.add((address.replace("&amp;", "&"), target[1:]))


def test_every_declared_fragment_names_a_block_of_its_template(app):
    declared = declared_fragments()
    assert len(declared) > 15
    missing = [(template, block) for template, block in declared
               if block not in app.jinja_env.get_template(template).blocks]
    assert not missing, missing


def test_every_page_renders_every_fragment_it_declares(app, monkeypatch):
    """Every GET page of the site (tests/urls.py, in every state), as each role: each block
    the page offers htmx renders alone, and is exactly the part of the page it replaces; every
    element a page asks htmx to fill gets a block, never a whole page. Together the roles
    render every block the source declares."""
    world = build_world()
    variants = state_variants(world, add_states(world))
    offered: list[dict[str, str]] = []
    rendered: set[tuple[str, str]] = set()
    wanted, render_block = core_htmx.fragment_wanted, core_htmx.render_block

    def record_offer(fragments):
        offered.append(dict(fragments))
        return wanted(fragments)

    def record_block(template, block, **context):
        rendered.add((template, block))
        return render_block(template, block, **context)

    monkeypatch.setattr(core_htmx, "fragment_wanted", record_offer)
    monkeypatch.setattr(core_htmx, "render_block", record_block)
    pages = [url(app, endpoint, world, args)
             for endpoint, methods in sorted(endpoints(app).items())
             if "GET" in methods and endpoint not in NOT_PAGES
             for args in [None, *variants.get(endpoint, {}).values()]]
    wrong = []
    for role in ROLES:
        client = app.test_client()
        if role != "visitor":
            assert client.post("/login", data={"email": getattr(world, role).email,
                                               "password": PASSWORD}).status_code == 303
        for path in pages:
            offered.clear()
            if client.get(path).status_code != 200:
                continue
            html = client.get(path).get_data(as_text=True)  # a thread read once: the same
            parser = Targets()
            parser.feed(html)
            offers = {(path, target) for offer in offered for target in offer}
            for address, target in sorted(offers | parser.found):
                problem = fragment_problem(client, address, target,
                                           html if address == path else None)
                if problem:
                    wrong.append(f"as {role}: {address} #{target} {problem}")
    assert not wrong, "\n".join(wrong)
    unreached = declared_fragments() - rendered
    assert not unreached, f"Declared, but no page as any role offers them: {unreached}"


def fragment_problem(client, address: str, target: str, page: str | None) -> str | None:
    """What is wrong with the block htmx gets for this element from this address, if
    anything; `page`: the page it must be part of."""
    fragment = htmx(client, address, target)
    if fragment.status_code in (301, 302, 303):  # htmx follows, asking the same
        fragment = htmx(client, fragment.location, target)
    block = fragment.get_data(as_text=True)
    if fragment.status_code != 200:
        return f"answers {fragment.status_code}"
    if "<html" in block or "<main" in block:
        return "is a whole page"
    if not block.strip():
        return "is empty"
    if page is not None and same_for_comparing(block.strip()) not in same_for_comparing(page):
        return "is not the part of its page it replaces"
    return None
