"""Odd input never ends in a 500: numbers too large for the database, and control characters
(NUL among them, which PostgreSQL refuses in text) in every field of every form."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.routing import IntegerConverter

from network.extensions import db
from tests.factories import PASSWORD
from tests.urls import args_for, endpoints, url

HUGE = 99999999999999999999999  # more than any database integer


def huge_urls(app, world) -> list[tuple[str, str]]:
    """(method, path) for every rule with a number in it, each number made huge."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            numbers = [name for name, converter in rule._converters.items()
                       if isinstance(converter, IntegerConverter)]
            if not numbers:
                continue
            values = {**args_for(rule.endpoint, world), **dict.fromkeys(numbers, HUGE)}
            values = {name: value for name, value in values.items() if name in rule.arguments}
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, url_for(rule.endpoint, **values)))
    return found


def test_a_huge_number_in_any_address_is_not_found(app, client, world, login):
    login(world.admin)
    paths = huge_urls(app, world)
    assert len(paths) > 30  # every kind of object, read and acted on
    answers = {f"{method} {path}": client.open(path, method=method).status_code
               for method, path in paths}
    assert {key: code for key, code in answers.items() if code != 404} == {}


def test_a_huge_page_or_filter_is_not_an_error(app, client, world, login):
    login(world.admin)
    paged = []
    for endpoint, methods in endpoints(app).items():
        if "GET" not in methods:
            continue
        path = url(app, endpoint, world)
        joiner = "&" if "?" in path else "?"
        response = client.get(f"{path}{joiner}page={HUGE}")
        assert response.status_code < 500, (endpoint, response.status_code)
        if response.status_code == 404:
            paged.append(endpoint)
    assert {"members.directory", "forum.category", "forum.thread", "notify.notifications",
            "coordination.people", "coordination.audit_log"} <= set(paged)
    assert client.get("/organisations?page=0").status_code == 404
    assert client.get("/organisations?page=two").status_code == 200  # not a number: page 1
    # A filter value not offered is told beside the filter (422), the list shown without it.
    for query in (f"area={HUGE}", f"theme={HUGE}", f"area=-{HUGE}", "theme=1e9"):
        response = client.get(f"/organisations?{query}")
        assert response.status_code == 422, query
        assert "Alpha Tenants" in response.get_data(as_text=True), query
    thread = url(app, "forum.thread", world)
    assert client.get(f"{thread}?quote={HUGE}").status_code == 200


def test_a_huge_number_in_a_form_is_refused_beside_the_field(app, client, world, login):
    login(world.admin)
    moved = client.post(f"/forum/t/{world.thread.id}/move", data={"category": str(HUGE)})
    assert moved.status_code == 422
    replied = client.post(f"/forum/t/{world.thread.id}/reply",
                          data={"body": "", "submission": "x" * 20, "page": str(HUGE)})
    assert replied.status_code == 422


# --- control characters -------------------------------------------------------------------------

# Typed, pasted or forged: NUL, BEL, ESC, DEL, a C1 control, and tab and newline, which only
# long text keeps.
DIRTY = "Dirty\x00 text\x07 with\x1b controls\x7f and\x85 more\tend\nline\u2028next"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LEFT_ALONE = ("/logout", "/account/sessions/end-others")  # they would end the walk's login
# A coordinator's closing of the world's member would end that member for every walk after it
# (its own tests send it: tests/test_closing.py). One's own closing asks for the password.
CLOSES_ANOTHER = re.compile(r"/people/\d+/close")


class Forms(HTMLParser):
    """The POST forms of a page: action and the fields a person could fill in."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": (a.get("method") or "get")
                               .lower(), "fields": {}})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "textarea" and name:
            fields[name] = DIRTY
        elif tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("text", "search", "email", "url", "tel", "password"):
                fields[name] = ("dirty\x00@example.org" if kind == "email" or "email" in name
                                else DIRTY)
            elif kind in ("checkbox", "radio"):
                fields.setdefault(name, a.get("value", "y"))
            elif kind == "hidden":
                fields[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and a.get("value"):
            fields.setdefault(self._select, a["value"])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def post_forms(app, client, world, login, person) -> int:
    login(person)
    sent = 0
    for endpoint, methods in sorted(endpoints(app).items()):
        if "GET" not in methods:
            continue
        page = client.get(url(app, endpoint, world))
        if page.status_code != 200:
            continue
        parser = Forms()
        parser.feed(page.get_data(as_text=True))
        for form in parser.forms:
            action = form["action"] or urlsplit(url(app, endpoint, world)).path
            if (form["method"] != "post" or action in LEFT_ALONE
                    or CLOSES_ANOTHER.fullmatch(action)):
                continue
            response = client.post(action, data=form["fields"])
            assert response.status_code < 500, (action, response.status_code)
            sent += 1
            if client.get("/account").status_code != 200:  # logged out by what was sent
                login(person)
    return sent


def stored_control_characters() -> list[str]:
    db.session.rollback()
    found = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String)]
            for row in conn.execute(sa.select(*columns)) if columns else []:
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, str) and CONTROL.search(value):
                        found.append(f"{table.name}.{column.name}: {value!r}")
    return found


@pytest.mark.parametrize("role", ["member", "contact", "admin"])
def test_control_characters_in_every_form_are_stripped_never_stored(app, client, world, login,
                                                                    role):
    sent = post_forms(app, client, world, login, getattr(world, role))
    assert sent >= 5
    assert stored_control_characters() == []


def test_long_text_keeps_its_lines_and_short_text_becomes_one_line(client, world, login):
    from tests.test_forum import establish

    establish(world, world.member)
    login(world.member)
    response = client.post(f"/forum/c/{world.category.id}/new",
                           data={"title": "A\ttitle\nover\x00 lines\u2028too", "body": DIRTY,
                                 "submission": "c" * 20})
    assert response.status_code == 303
    from network.forum.models import Post

    db.session.rollback()
    post = db.session.scalar(sa.select(Post).order_by(Post.id.desc()))
    assert post.thread.title == "A title over lines too"
    assert post.body == "Dirty text with controls and more\tend\nline\nnext"


def test_a_visitor_can_apply_and_log_in_with_pasted_control_characters(client, world):
    response = client.post("/login", data={"email": "member@example.org\x00",
                                           "password": PASSWORD})
    assert response.status_code == 303
