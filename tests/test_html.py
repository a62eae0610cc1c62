"""The HTML of every page: valid by the W3C Nu HTML checker, no id used twice, one current
link in the navigation.

Every GET page of the URL map is fetched as each role of the demo borough, with real CSRF
tokens (a form's token field is where repeated ids came from), together with error pages and
forms sent back with their errors. The checker (vnu.jar from the npm package vnu-jar, run by
Java; `make test` installs it with npm) then runs once over all of them: one JVM for the lot.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade

from network import create_app
from network.config import TestConfig
from network.demo import DEMO_PASSWORD, load_demo
from network.extensions import db
from tests.conftest import IN_CI, Client
from tests.test_page_weight import IN_OTHER_LANGUAGES
from tests.urls import DEMO_PEOPLE, NOT_PAGES, demo_event_pages, demo_world, endpoints, url

ROOT = Path(__file__).resolve().parent.parent
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# htmx's attributes (hx-boost, hx-post, hx-disable, ...) are not in HTML's vocabulary: the
# only complaint of the checker's that is allowed. Anything else it calls an error fails.
HTMX_ATTRIBUTE = re.compile(r"Attribute “hx-[a-z-]+” not allowed on element “[a-z0-9-]+” "
                            r"at this point\.")


# --- every page, as everyone -------------------------------------------------------------------

def token(html: str) -> str:
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html) or \
        re.search(r'"X-CSRFToken": "([^"]+)"', html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def log_in(client, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                           "csrf_token": token(client.get("/login").text)})
    assert response.status_code == 303, response.text[:1000]


def refused_forms(role: str, w) -> list[tuple[str, dict]]:
    """Forms sent with problems, as this role can: their pages carry the error markup."""
    thread, post, org = w.thread.id, w.post.id, w.org_a.id
    return {
        "visitor": [("/login", {}), ("/join", {"agree_memorandum": "no"}),
                    ("/password/forgot", {"email": "x" * 300})],
        "member": [("/account", {"display_name": ""}),
                   (f"/forum/t/{thread}/reply", {"body": "", "page": "1"}),
                   (f"/forum/t/{thread}/watch", {"state": "banana"}),
                   (f"/forum/p/{post}/flag", {"reason": ""}),
                   ("/account/password", {"current_password": ""})],
        "contact": [(f"/organisations/{org}/people", {"email": "not an email"}),
                    (f"/organisations/{org}/people/{w.member_membership.id}/contact",
                     {"contact": "banana"}),
                    (f"/organisations/{org}/edit", {"name": ""})],
        "coordinator": [(f"/coordinate/applications/{w.application.id}/decline",
                         {"reason": ""}),
                        (f"/forum/p/{post}/hide", {"reason": ""}),
                        (f"/forum/p/{post}/approve", {"next": "banana"}),
                        ("/forum/categories", {"name": "", "audience": "everyone"}),
                        (f"/forum/t/{thread}/move", {"category": "banana"}),
                        ("/coordinate/areas", {"name": ""}),
                        (f"/coordinate/people/{w.member.id}/role", {"role": "emperor"})],
        "admin": [("/account/notifications", {"forum_reply": "pigeon"}),
                  (f"/organisations/{org}/status", {"status": "suspended", "reason": ""})],
    }.get(role, [])


def other_languages(app) -> list[str]:
    from network.core.i18n import languages

    with app.test_request_context():
        return [code for code in languages() if code != app.config["BABEL_DEFAULT_LOCALE"]]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict[str, str]:
    """What each role is served: "<endpoint or form> as <role> (<path>, <status>)" -> HTML."""
    config = TestConfig(f"sqlite:///{tmp_path_factory.mktemp('html')}/pages.db")
    config.WTF_CSRF_ENABLED = True  # real forms carry their token field
    app = create_app(config)
    app.test_client_class = Client
    pages: dict[str, str] = {}
    with app.app_context():
        upgrade()
        load_demo()
        w = demo_world()
        events = demo_event_pages()
        for role, email in DEMO_PEOPLE.items():
            client = app.test_client()
            if email:
                log_in(client, email)
            for endpoint, methods in sorted(endpoints(app).items()):
                if "GET" not in methods or endpoint in NOT_PAGES:
                    continue
                path = url(app, endpoint, w)
                response = client.get(path)
                if response.status_code not in (301, 302, 303):
                    pages[f"{endpoint} as {role} ({path}, {response.status_code})"] = \
                        response.text
            for state, path in events.items():  # an event of every kind
                response = client.get(path)
                if response.status_code == 200:
                    pages[f"event ({state}) as {role} ({path})"] = response.text
            for path in ("/no-such-page", "/coordinate"):  # 404, and 403 or the page
                response = client.get(path)
                if response.status_code != 302:
                    pages[f"{path} as {role} ({response.status_code})"] = response.text
            if role in IN_OTHER_LANGUAGES:  # a sample, in each language but English
                for code in other_languages(app):
                    client.set_cookie("lang", code)
                    for endpoint in IN_OTHER_LANGUAGES[role]:
                        path = url(app, endpoint, w)
                        response = client.get(path)
                        assert response.status_code == 200, (path, role, code)
                        pages[f"{endpoint} as {role} in {code} ({path})"] = response.text
                client.delete_cookie("lang")
            form_token = token(client.get("/login" if email is None else "/account").text)
            for path, data in refused_forms(role, w):
                response = client.post(path, data={**data, "csrf_token": form_token})
                assert response.status_code in (422, 429), (path, response.status_code)
                pages[f"POST {path} as {role} ({response.status_code})"] = response.text
        db.session.remove()
        db.engine.dispose()
    return pages


def test_every_page_and_role_was_fetched(site):
    roles = {label.split(" as ")[1].split(" ")[0] for label in site}
    assert roles == set(DEMO_PEOPLE)
    assert len(site) > 250


# --- ids, and the current page ---------------------------------------------------------------

def test_no_page_uses_an_id_twice(site):
    # A page with several forms repeated its CSRF token's id="csrf_token" once per form.
    found = []
    for label, html in site.items():
        ids = re.findall(r'\sid="([^"]*)"', html)
        twice = sorted({value for value in ids if ids.count(value) > 1})
        if twice:
            found.append(f"{label}: {twice}")
    assert not found, "Ids used more than once:\n" + "\n".join(found)


def current_links(html: str) -> list[str]:
    nav = re.search(r'<header class="site">.*?<nav aria-label="[^"]*">(.*?)</nav>', html,
                    re.S).group(1)
    return re.findall(r'aria-current="page"[^>]*>([^<]+)<', nav)


def test_the_navigation_marks_one_current_page_at_most(site):
    found = [f"{label}: {links}" for label, html in site.items()
             if len(links := current_links(html)) > 1]
    assert not found, "More than one link marked as the current page:\n" + "\n".join(found)


def test_joining_is_marked_as_joining_not_as_the_directory(site):
    def page(endpoint: str) -> str:
        return next(html for label, html in site.items()
                    if label.startswith(f"{endpoint} as visitor "))

    assert current_links(page("members.join")) == ["Join"]
    assert current_links(page("members.join_sent")) == ["Join"]
    assert current_links(page("members.directory")) == ["Organisations"]
    assert current_links(page("members.organisation")) == ["Organisations"]


# --- the W3C Nu HTML checker ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def vnu() -> list[str]:
    """The command that runs the checker; skips without Java or vnu.jar, and fails in CI."""
    java = shutil.which("java")
    missing = ("Java is not installed (apt-get install default-jre-headless)" if java is None
               else f"{VNU_JAR.relative_to(ROOT)} is missing (`make test` installs it with "
                    "npm from package-lock.json)" if not VNU_JAR.is_file() else None)
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true but the W3C HTML checker cannot run: {missing}.",
                        pytrace=False)
        pytest.skip(f"W3C HTML checker skipped: {missing}.")
    return [java, "-jar", str(VNU_JAR)]


def test_every_page_passes_the_w3c_nu_html_checker(site, vnu, tmp_path):
    labels = {}
    for number, (label, html) in enumerate(site.items()):
        name = f"page{number:04d}.html"
        (tmp_path / name).write_text(html, encoding="utf-8")
        labels[name] = label
    result = subprocess.run([*vnu, "--format", "json", "--stdout", "--exit-zero-always",
                             str(tmp_path)], capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stderr
    messages = json.loads(result.stdout)["messages"]
    checked = {Path(urlsplit(m.get("url", "")).path).name for m in messages}
    # Every page has htmx's hx-boost on its body, so each file checked says so once at least.
    assert checked >= set(labels), f"not checked: {sorted(set(labels) - checked)[:5]}"
    problems = [m for m in messages
                if m["type"] != "info" and not HTMX_ATTRIBUTE.fullmatch(m.get("message", ""))]
    report = [f"{labels.get(Path(urlsplit(m.get('url', '')).path).name, m.get('url'))}, "
              f"line {m.get('lastLine')}: {m.get('message')}\n    {m.get('extract', '')!r}"
              for m in problems]
    assert not report, f"{len(report)} HTML errors:\n" + "\n".join(report[:60])


def test_every_form_is_built_on_the_base_that_drops_the_tokens_id(sqlite_app):
    """The fix for repeated ids is in one place (core.forms.Form): a form built directly on
    FlaskForm would bring id="csrf_token" back on pages with several forms."""
    from flask_wtf import FlaskForm

    import network.auth.forms
    import network.coordination.forms
    import network.forum.forms
    import network.members.forms
    import network.notify.forms  # noqa: F401
    from network.core.forms import EmptyForm, Form

    def every(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from every(sub)

    ours = [cls for cls in every(FlaskForm) if cls.__module__.startswith("network.")]
    assert len(ours) > 25
    assert [cls.__qualname__ for cls in ours if not issubclass(cls, Form)] == []
    sqlite_app.config["WTF_CSRF_ENABLED"] = True
    with sqlite_app.test_request_context():
        assert str(EmptyForm().csrf_token).startswith('<input name="csrf_token" type="hidden"')
