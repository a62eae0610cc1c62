"""The privacy page (issue 24): in every footer and beside the application's button; a default
text naming who runs the network, what is kept and for how long (the settings' values), and
how to ask for a copy or erasure, until coordinators write their own; each version kept."""

from __future__ import annotations

from sqlalchemy import select

from network.core.audit import AuditEntry
from network.extensions import db
from network.privacy.models import PrivacyNotice


def body(response) -> str:
    return response.get_data(as_text=True)


def versions() -> list[PrivacyNotice]:
    db.session.expire_all()
    return list(db.session.scalars(select(PrivacyNotice).order_by(PrivacyNotice.id)))


def test_every_footer_links_to_it_for_visitors_and_members(client, world, login):
    for address in ("/", "/organisations", "/memorandum", "/login", "/privacy"):
        assert '<a href="/privacy">Privacy</a>' in body(client.get(address)), address
    login(world.member)
    for address in ("/", "/dashboard", "/forum", "/account"):
        assert '<a href="/privacy">Privacy</a>' in body(client.get(address)), address


def test_the_application_form_links_to_it_beside_the_button(client):
    page = body(client.get("/join"))
    form = page.index('<form method="post" class="stack"')
    link = page.index('href="/privacy"', form)
    assert link < page.index("Send the application") < page.index("</form>", form)


def test_the_default_text_says_who_what_how_long_and_how_to_ask(app, client):
    page = body(client.get("/privacy"))
    assert app.config["SITE_NAME"] in page
    assert 'href="mailto:coordinators@example.org"' in page and "run by its coordinators" in page
    assert 'href="/account"' in page
    for said in ("Failed logins and password reset requests, counted to stop password "
                 "guessing: 7 days", "90 days after you log out",
                 "its address and text: 30 days after it is sent",
                 "30 days after they are used or expire", "Download my data",
                 "Close my account", "a former member"):
        assert said in page, said
    assert "Last changed" not in page and "Change the privacy page" not in page
    assert "<h2>What we keep</h2>" in page  # the text is the page: its headings under the h1
    app.config.update(RETAIN_SESSIONS_DAYS=1, PRIVACY_CONTROLLER="Riverside CVS",
                      PRIVACY_CONTACT="dpo@example.org")
    try:
        page = body(client.get("/privacy"))
        assert "1 day after you log out" in page and "is run by Riverside CVS" in page
        assert 'href="mailto:dpo@example.org"' in page
    finally:
        app.config.update(RETAIN_SESSIONS_DAYS=90, PRIVACY_CONTROLLER=None,
                          PRIVACY_CONTACT=None)


def test_a_coordinator_changes_it_and_the_old_version_is_kept(client, world, login, clock):
    login(world.coordinator)
    form = body(client.get("/privacy/edit"))
    assert "Failed logins and password reset requests" in form  # the default, to start from
    assert "Change the privacy page" in body(client.get("/privacy"))
    saved = client.post("/privacy/edit", data={"body": "# Who we are\r\n\r\nThe first text."})
    assert saved.status_code == 303 and saved.headers["Location"].endswith("/privacy")
    clock.advance(hours=2)
    client.post("/privacy/edit", data={"body": "The second text."})
    first, second = versions()
    assert (first.body, second.body) == ("# Who we are\n\nThe first text.", "The second text.")
    assert second.created_by_id == world.coordinator.id
    page = body(client.get("/privacy"))
    assert "The second text." in page and "The first text." not in page
    assert "<h2>What we keep</h2>" not in page
    assert "Last changed on 13 January 2027." in page
    edit = body(client.get("/privacy/edit"))
    assert "The second text.</textarea>" in edit
    assert "Earlier versions" in edit and "<h3>Who we are</h3>" in edit  # kept, and shown
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "privacy_notice.edit")
                              .order_by(AuditEntry.id.desc()))
    assert (entry.actor_id, entry.target_id, entry.details) == (
        world.coordinator.id, second.id, {"replaces": first.id})
    # The same text again changes nothing.
    again = client.post("/privacy/edit", data={"body": "The second text.\r\n"})
    assert again.status_code == 303 and len(versions()) == 2
    assert "nothing changed" in body(client.get("/privacy"))


def test_the_default_saved_unchanged_is_no_new_version(client, world, login):
    login(world.admin)
    from network.privacy.notice_services import default_text

    with client.application.test_request_context():
        text = default_text()
    assert client.post("/privacy/edit", data={"body": text}).status_code == 303
    assert versions() == []


def test_a_member_may_not_and_a_visitor_is_asked_to_log_in(client, world, login):
    asked = client.get("/privacy/edit")
    assert asked.status_code == 302 and "/login" in asked.headers["Location"]
    login(world.member)
    assert client.get("/privacy/edit").status_code == 403
    assert client.post("/privacy/edit", data={"body": "Mine now."}).status_code == 403
    assert versions() == []


def test_script_in_the_markdown_is_made_harmless(client, world, login):
    login(world.coordinator)
    client.post("/privacy/edit", data={"body": (
        "<script>alert(1)</script>\n\n[click](javascript:alert(2))\n\n"
        '<img src=x onerror="alert(3)">\n\n**Kept**')})
    page = body(client.get("/privacy"))
    main = page[page.index("<main"):page.index("</main>")]
    assert "<script" not in main and 'href="javascript' not in main and "<img" not in main
    assert "<strong>Kept</strong>" in main


def test_a_blank_page_is_refused_beside_the_field(client, world, login):
    login(world.coordinator)
    refused = client.post("/privacy/edit", data={"body": "   \r\n  "})
    assert refused.status_code == 422
    page = body(refused)
    assert "Write the page: it cannot be left empty." in page
    assert 'aria-invalid="true"' in page or "error" in page
    assert versions() == []


def test_the_default_text_says_how_long_backups_keep_what_closing_erases(make_app, tmp_path):
    # A closed account's details live on in the nightly backups until they are removed: the
    # page said nothing of them.
    from network.privacy.notice_services import default_text

    for settings, said in (({"BACKUP_DIR": str(tmp_path)}, True), ({"BACKUP_DIR": None}, False)):
        app = make_app(BACKUP_KEEP_DAYS=14, **settings)
        with app.test_request_context():
            text = default_text()
        assert ("Nightly copies of the whole database (backups, to recover from a breakdown): "
                "14 days." in text) is said
        assert "\n\n\n" not in text


def test_the_default_text_says_what_closing_does_with_ones_words(make_app):
    from network.privacy.notice_services import default_text

    for setting, said in (("keep", "shown as by “a former member”"),
                          ("remove", "the text of what you wrote is removed")):
        app = make_app(CLOSED_ACCOUNT_TEXT=setting)
        with app.test_request_context():
            text = default_text()
        assert said in text
        assert ("former member" in text) is (setting == "keep")
