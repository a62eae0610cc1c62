"""Logging in and out, sessions, forgotten passwords, and changing one's own account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.auth.models import AccountToken, LoginSession
from network.auth.passwords import verify_password
from network.core.audience import Audience
from network.core.audit import AuditEntry
from network.core.time import now
from network.extensions import db
from tests.factories import PASSWORD, PersonFactory


def body(response) -> str:
    return response.get_data(as_text=True)


def test_login_starts_a_session_and_lands_on_what_is_new(client, world):
    response = client.post("/login", data={"email": " Member@Example.org ",
                                           "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert "What is new for you" in body(client.get("/"))
    page = client.get("/dashboard")
    assert "Hello, Mo Member" in body(page)
    assert "Alpha Tenants" in body(page)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_wrong_password_says_so_beside_the_field_and_logs_nobody_in(client, world):
    response = client.post("/login", data={"email": "member@example.org", "password": "nope"})
    assert response.status_code == 422
    assert "do not match an account" in body(response)
    assert 'aria-invalid="true"' in body(response)
    assert client.get("/dashboard").status_code == 302


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, world):
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "x" * 12})
    wrong = client.post("/login", data={"email": "member@example.org", "password": "x" * 12})
    assert unknown.status_code == wrong.status_code == 422
    assert "do not match an account" in body(unknown)


def test_empty_login_form_names_each_missing_field(client, world):
    response = client.post("/login", data={})
    assert response.status_code == 422
    assert "Give an email address." in body(response)
    assert "Give a password." in body(response)


def test_login_goes_to_next_only_when_it_stays_on_this_site(client, world):
    ok = client.post("/login?next=/organisations", data={"email": world.member.email,
                                                          "password": PASSWORD})
    assert ok.headers["Location"] == "/organisations"
    client.post("/logout")
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post(f"/login?next={evil}", data={"email": world.member.email,
                                                             "password": PASSWORD})
        assert response.headers["Location"] == "/", evil
        client.post("/logout")


def test_the_login_form_is_sent_by_the_browser_itself_so_next_may_be_a_file(client, world):
    """The login form leaves htmx's boost: after logging in, the browser goes to `next` as a
    real navigation, so an event's .ics downloads and a report's .txt shows as text, rather
    than being swapped into the login page as HTML."""
    import re

    page = body(client.get("/login?next=/calendar/e/1.ics"))
    # (the footer's language switch is a form of its own)
    [login_form] = re.findall(r'<form method="post"(?! action="/language")[^>]*>', page)
    assert 'hx-boost="false"' in login_form
    assert "action=" not in login_form  # it posts to its own address, next and all
    response = client.post("/login?next=/calendar/e/1.ics",
                           data={"email": world.member.email, "password": PASSWORD})
    assert response.status_code == 303 and response.location == "/calendar/e/1.ics"


def login_links(page: str) -> list[str]:
    """Where each "Log in" link on a page leads, unescaped."""
    import html
    import re

    return [html.unescape(href) for href in re.findall(r'<a href="(/login[^"]*)"', page)]


def next_of(href: str) -> str | None:
    from urllib.parse import parse_qs, urlsplit

    found = parse_qs(urlsplit(href).query).get("next")
    return found[0] if found else None


def test_the_header_log_in_link_brings_a_visitor_back_to_the_page_they_were_on(client, world):
    page = body(client.get("/calendar/week?week=2027-02-01&kind=meeting"))
    [header] = login_links(page)
    assert next_of(header) == "/calendar/week?week=2027-02-01&kind=meeting"
    response = client.post(header, data={"email": world.member.email, "password": PASSWORD})
    assert response.status_code == 303
    assert response.location == "/calendar/week?week=2027-02-01&kind=meeting"
    client.post("/logout")
    # Chosen, not sent: the login does not say the page was for members.
    assert "That page is for members" not in body(client.get(header))
    # The home page is the way in: logging in from it lands on what is new, at the same address.
    assert [next_of(href) for href in login_links(body(client.get("/")))] == [None]
    # A page with no query: its path alone, no empty "?" after it.
    assert [next_of(href) for href in login_links(body(client.get("/organisations")))] == [
        "/organisations"]


def test_the_header_log_in_link_never_carries_an_address_off_the_site(client, world):
    # An address whose path starts like another site's (a 404 page has the header too).
    for path in ("//evil.example/x", "/\\evil.example", "///evil.example"):
        page = body(client.get("/", environ_overrides={"PATH_INFO": path}))
        [back] = [next_of(href) for href in login_links(page)]
        assert back is None or (back.startswith("/") and not back.startswith("//")
                                and "\\" not in back), path
    # The login page's header link keeps the login's own next, if it stays on the site.
    assert [next_of(href) for href in login_links(body(client.get(
        "/login?next=/calendar/month")))] == ["/calendar/month"]
    assert [next_of(href) for href in login_links(body(client.get(
        "/login?next=https://evil.example/")))] == [None]
    # A page with an emailed link's token in its address is not carried to the login.
    assert [next_of(href) for href in login_links(body(client.get(
        "/password/reset/not-a-real-token")))] == [None]


def test_in_page_log_in_links_carry_no_empty_question_mark(client, world):
    from tests.factories import make_event

    event = make_event(world.org_a, world.contact, "Open meeting",
                       audience=Audience.PUBLIC)
    page = body(client.get(f"/calendar/e/{event.id}-open-meeting"))
    assert [next_of(href) for href in login_links(page)] == [
        f"/calendar/e/{event.id}-open-meeting"] * 2  # the header's, and "say if you are coming"
    assert "?\"" not in page and "%3F\"" not in page


def test_a_protected_page_sends_a_visitor_to_log_in_and_back(client, world):
    response = client.get("/account?tab=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/account?tab%3D1&why=members"
    asked = body(client.get(response.headers["Location"]))
    assert "That page is for members of the network: log in" in asked
    assert client.get("/account").headers["Location"] == "/login?next=/account&why=members"


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client, world, login):
    login(world.member)
    stolen = client.get_cookie("network_session").value
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302
    replay = app.test_client()
    replay.set_cookie("network_session", stolen)
    assert replay.get("/dashboard").status_code == 302
    revoked = db.session.scalar(select(LoginSession))
    assert revoked.revoked_at is not None


def test_remember_me_keeps_the_person_logged_in_after_the_browser_closes(app, client, world):
    client.post("/login", data={"email": world.member.email, "password": PASSWORD,
                                "remember": "y"})
    remember = client.get_cookie("network_remember")
    assert remember is not None
    fresh_browser = app.test_client()
    fresh_browser.set_cookie("network_remember", remember.value)
    assert fresh_browser.get("/dashboard").status_code == 200
    login = db.session.scalar(select(LoginSession))
    assert login.expires_at - login.created_at >= timedelta(days=29)


def test_an_expired_login_session_is_a_visitor(client, world, login):
    login(world.member)
    db.session.execute(db.update(LoginSession).values(
        expires_at=now() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/dashboard").status_code == 302


def test_a_suspended_person_cannot_log_in_and_is_told_why(client, world):
    world.member.suspended_at = now()
    db.session.commit()
    response = client.post("/login", data={"email": world.member.email, "password": PASSWORD})
    assert response.status_code == 422
    assert "suspended" in body(response)


def test_a_password_hashed_with_weaker_settings_is_upgraded_at_login(app, client):
    from argon2 import PasswordHasher

    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    person = PersonFactory(password_hash=weak)
    client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert person.password_hash != weak
    assert "m=1024" in person.password_hash


# --- forgotten password ------------------------------------------------------------------------

def test_forgotten_password_email_link_works_once(client, world, deliver, mailbox):
    response = client.post("/password/forgot", data={"email": world.member.email})
    assert response.status_code == 303
    deliver()
    link = mailbox.link(world.member.email, "/password/reset/")
    page = client.get(link)
    assert page.status_code == 200 and "Choose a new password" in body(page)
    done = client.post(link, data={"password": "a new long passphrase",
                                   "confirm": "a new long passphrase"})
    assert done.status_code == 303
    assert verify_password(world.member.password_hash, "a new long passphrase")
    assert client.get("/dashboard").status_code == 200
    again = client.post(link, data={"password": "another passphrase here",
                                    "confirm": "another passphrase here"})
    assert again.status_code == 410
    assert verify_password(world.member.password_hash, "a new long passphrase")


def test_reset_link_expires(client, world, deliver, mailbox):
    client.post("/password/forgot", data={"email": world.member.email})
    deliver()
    link = mailbox.link(world.member.email, "/password/reset/")
    db.session.execute(db.update(AccountToken).values(
        expires_at=now() - timedelta(minutes=1)))
    db.session.commit()
    assert client.get(link).status_code == 410
    assert client.post(link, data={"password": "a new long passphrase",
                                   "confirm": "a new long passphrase"}).status_code == 410


def test_reset_ends_every_other_login(app, client, world, login, deliver, mailbox):
    other_device = app.test_client()
    login(world.member, c=other_device)
    client.post("/password/forgot", data={"email": world.member.email})
    deliver()
    link = mailbox.link(world.member.email, "/password/reset/")
    client.post(link, data={"password": "a new long passphrase",
                            "confirm": "a new long passphrase"})
    assert other_device.get("/dashboard").status_code == 302


def test_forgotten_password_does_not_reveal_who_has_an_account(client, world, deliver, mailbox):
    known = client.post("/password/forgot", data={"email": world.member.email},
                        follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "stranger@example.org"},
                          follow_redirects=True)
    assert "If member@example.org has an account" in body(known)
    assert "If stranger@example.org has an account" in body(unknown)
    deliver()
    assert mailbox.to("stranger@example.org") == []


def test_weak_new_passwords_are_refused_with_the_reason(client, world, deliver, mailbox):
    client.post("/password/forgot", data={"email": world.member.email})
    deliver()
    link = mailbox.link(world.member.email, "/password/reset/")
    cases = {
        "short": "at least 10 characters",
        "qwertyuiop": "most common passwords",
        "aaaaaaaaaaaa": "too few different characters",
        "member-mo-member-2024": "your name or email address",
    }
    for password, reason in cases.items():
        response = client.post(link, data={"password": password, "confirm": password})
        assert response.status_code == 422, password
        assert reason in body(response), password
    mismatch = client.post(link, data={"password": "a long passphrase", "confirm": "different"})
    assert "not the same" in body(mismatch)
    assert verify_password(world.member.password_hash, PASSWORD)


# --- account ------------------------------------------------------------------------------------

def test_profile_and_privacy_are_saved(client, world, login):
    login(world.member)
    response = client.post("/account", data={"display_name": "  Maureen Member ",
                                              "show_email_to_members": "y"})
    assert response.status_code == 303
    assert world.member.display_name == "Maureen Member"
    assert world.member.show_email_to_members is True
    too_long = client.post("/account", data={"display_name": "x" * 81})
    assert too_long.status_code == 422 and "80 characters or fewer" in body(too_long)
    blank = client.post("/account", data={"display_name": "   "})
    assert blank.status_code == 422 and "This is needed." in body(blank)
    assert world.member.display_name == "Maureen Member"


def test_change_password_needs_the_current_one_and_logs_out_other_devices(app, client, world,
                                                                          login):
    other_device = app.test_client()
    login(world.member, c=other_device)
    login(world.member)
    wrong = client.post("/account/password", data={
        "current_password": "not it at all", "password": "brand new passphrase",
        "confirm": "brand new passphrase"})
    assert wrong.status_code == 422 and "not your current password" in body(wrong)
    ok = client.post("/account/password", data={
        "current_password": PASSWORD, "password": "brand new passphrase",
        "confirm": "brand new passphrase"})
    assert ok.status_code == 303
    assert verify_password(world.member.password_hash, "brand new passphrase")
    assert client.get("/dashboard").status_code == 200
    assert other_device.get("/dashboard").status_code == 302


def test_change_email_takes_effect_only_from_the_link(client, world, login, deliver, mailbox):
    login(world.member)
    response = client.post("/account/email", data={"email": "Mo.New@Example.org",
                                                    "current_password": PASSWORD})
    assert response.status_code == 303
    assert world.member.email == "member@example.org"
    deliver()
    notice = mailbox.last_to("member@example.org")
    assert "being changed" in notice["Subject"]
    assert "/account/email/stop/" in mailbox.body(notice)
    link = mailbox.link("mo.new@example.org", "/account/email/confirm/")
    assert "mo.new@example.org" in body(client.get(link))
    assert client.post(link).status_code == 303
    assert world.member.email == "mo.new@example.org"
    assert client.post(link).status_code == 410
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.email_change"))
    # What was done, not the addresses (issue 24): the person is the entry's target.
    assert entry.details == {} and (entry.target_type, entry.target_id) == ("person",
                                                                           world.member.id)
    assert "@" not in entry.summary


@pytest.mark.parametrize(("email", "message"), [
    ("contact@example.org", "Another account already uses"),
    ("member@example.org", "already your email address"),
    ("not-an-email", "does not look like an email address"),
])
def test_change_email_refuses_bad_addresses(client, world, login, email, message):
    login(world.member)
    response = client.post("/account/email", data={"email": email,
                                                    "current_password": PASSWORD})
    assert response.status_code == 422
    assert message in body(response)
    assert db.session.scalar(select(func.count()).select_from(AccountToken)) == 0


def test_log_out_everywhere_else(app, client, world, login):
    other_device = app.test_client()
    login(world.member, c=other_device)
    login(world.member)
    assert client.post("/account/sessions/end-others").status_code == 303
    assert client.get("/dashboard").status_code == 200
    assert other_device.get("/dashboard").status_code == 302


def test_passwords_are_stored_with_argon2id_at_the_strength_decisions_md_gives(app, world):
    """t=2, m=19 MiB, p=1 in production (docs/decisions.md); tests use weaker, faster ones."""
    from network.auth.passwords import hash_password
    from network.config import Config

    assert world.member.password_hash.startswith("$argon2id$")
    app.config.update({name: getattr(Config, name) for name in (
        "ARGON2_TIME_COST", "ARGON2_MEMORY_COST", "ARGON2_PARALLELISM")})
    assert hash_password("a long passphrase").startswith("$argon2id$v=19$m=19456,t=2,p=1$")
