"""Every link that leaves the site is on BASE_URL, whatever Host or X-Forwarded-Host a request
names; hosts not trusted are refused; production will not start without BASE_URL."""

from __future__ import annotations

import contextvars
import re

import pytest
from sqlalchemy import select

from network import create_app
from network.config import TestConfig
from network.core.mail import OutboxEmail
from network.extensions import db
from network.members.models import Application, Organisation
from tests.factories import PASSWORD
from tests.test_membership import application_form

BASE_URL = "https://network.example.org"
URL = re.compile(r"https?://[^\s<>\"')]+")

# A proxy's alias (trusted) and a forged forwarded host: neither may reach a link.
FORGED = [
    pytest.param({"base_url": "http://alias.example"}, id="Host"),
    pytest.param({"headers": {"X-Forwarded-Host": "evil.example"}}, id="X-Forwarded-Host"),
]


@pytest.fixture
def site(make_app):
    app = make_app(BASE_URL=BASE_URL, TRUSTED_HOSTS=["localhost", "alias.example"],
                   PROXY_COUNT=1)
    with app.app_context():
        yield app
        db.session.remove()


def links_and_headers(mailbox) -> tuple[list[str], list[str]]:
    """Every address in every email's text, and every header value, decoded."""
    urls, headers = [], []
    for message in mailbox.messages:
        urls += URL.findall(mailbox.body(message))
        for name, value in message.items():
            headers.append(f"{name}: {value}")
            urls += URL.findall(str(value))
    return urls, headers


@pytest.mark.parametrize("forged", FORGED)
def test_emailed_links_are_on_base_url_whatever_the_request_names(site, world, deliver, mailbox,
                                                                  forged):
    from tests.test_forum import establish

    def send(client, method, path, **kwargs):
        response = client.open(path, method=method, **forged, **kwargs)
        assert response.status_code < 400, (path, response.status_code)
        return response

    visitor = site.test_client()
    send(visitor, "POST", "/password/forgot", data={"email": world.member.email})
    send(visitor, "POST", "/join", data=application_form(world))  # the applicant, coordinators

    coordinator = site.test_client()
    send(coordinator, "POST", "/login", data={"email": world.coordinator.email,
                                              "password": PASSWORD})
    application = db.session.scalar(select(Application).join(Organisation).where(
        Organisation.name == "Delta Food Bank"))
    send(coordinator, "POST", f"/coordinate/applications/{application.id}/approve")

    establish(world, world.contact)
    contact = site.test_client()
    send(contact, "POST", "/login", data={"email": world.contact.email, "password": PASSWORD})
    send(contact, "POST", f"/forum/t/{world.thread.id}/reply",
         data={"body": "@Otto Other, can you help?", "submission": "m" * 20, "page": "1"})
    send(contact, "POST", "/account/email", data={"email": "cora.new@example.org",
                                                  "current_password": PASSWORD})
    deliver()

    subjects = {m["Subject"] for m in mailbox.messages}
    assert {"Reset your password", "New application: Delta Food Bank",
            "Cora Contact mentioned you in “Hall for hire”", "Confirm your new email address",
            "Your email address is being changed"} <= subjects, subjects
    urls, headers = links_and_headers(mailbox)
    assert urls and all(url.startswith(BASE_URL + "/") for url in urls), urls
    assert not [h for h in headers if "evil" in h or "alias" in h]
    assert any(h.startswith("List-Unsubscribe: <" + BASE_URL) for h in headers), headers


def test_digests_sent_from_the_command_line_link_to_base_url(site, world, deliver, mailbox):
    runner = site.test_cli_runner()
    db.session.rollback()
    result = contextvars.Context().run(runner.invoke, args=["digest", "send", "daily"])
    assert result.exit_code == 0, result.output
    deliver()
    urls, _headers = links_and_headers(mailbox)
    assert len(mailbox.messages) == 1 and urls
    assert all(url.startswith(BASE_URL + "/") for url in urls), urls


def test_a_host_that_is_not_trusted_is_refused_and_nothing_is_sent(site, world):
    visitor = site.test_client()
    refused = visitor.post("/password/forgot", data={"email": world.member.email},
                           base_url="http://evil.example")
    assert refused.status_code == 400
    assert "evil.example" not in refused.get_data(as_text=True)
    assert db.session.scalar(select(OutboxEmail)) is None
    assert visitor.get("/", base_url="http://evil.example:5000").status_code == 400
    assert visitor.get("/", base_url="http://alias.example").status_code == 200


def test_a_forwarded_host_is_not_believed(site, world):
    from flask import request

    seen = []
    site.before_request(lambda: seen.append(request.host))
    response = site.test_client().get("/", headers={"X-Forwarded-Host": "evil.example"})
    assert response.status_code == 200 and seen == ["localhost"]


def production_config(**settings) -> TestConfig:
    config = TestConfig("sqlite://")
    config.TESTING = False
    for name, value in settings.items():
        setattr(config, name, value)
    return config


def test_production_refuses_to_start_without_base_url():
    with pytest.raises(RuntimeError, match="Set BASE_URL"):
        create_app(production_config(BASE_URL=None))
    with pytest.raises(RuntimeError, match="BASE_URL must be like"):
        create_app(production_config(BASE_URL="network.example.org"))
    app = create_app(production_config(BASE_URL="https://network.example.org/"))
    assert app.config["BASE_URL"] == "https://network.example.org"
    assert app.config["TRUSTED_HOSTS"] == ["network.example.org"]


def test_debugging_on_ones_own_machine_needs_no_base_url():
    app = create_app(production_config(BASE_URL=None, DEBUG=True))
    assert app.config["BASE_URL"] == "http://127.0.0.1:5000"
    assert app.config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]


def test_no_code_builds_a_link_from_the_request_host():
    """url_for(..., _external=True) takes the request's Host: core.links builds on BASE_URL."""
    from pathlib import Path

    external = re.compile(r"(?<!\w)_external\s*=")
    package = Path(__file__).resolve().parent.parent / "network"
    offenders = [str(path.relative_to(package)) for path in package.rglob("*.py")
                 if external.search(path.read_text())]
    templates = package.parent / "templates"
    offenders += [str(path.relative_to(templates)) for path in templates.rglob("*.*")
                  if external.search(path.read_text())]
    assert offenders == []
