"""Joining the network, invitations, an organisation's people, its profile, and the directory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from network.auth.models import Person, Role
from network.core.audit import AuditEntry
from network.core.mail import OutboxEmail
from network.core.time import now
from network.extensions import db
from network.members.models import (
    Application,
    Invitation,
    Membership,
    Organisation,
    OrgStatus,
)
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    make_invitation,
)


def body(response) -> str:
    return response.get_data(as_text=True)


def application_form(world, **changes) -> dict:
    form = {
        "name": "Delta Food Bank", "kind": "voluntary_organisation",
        "area": str(world.north.id), "themes": [str(world.housing.id), str(world.youth.id)],
        "description": "We run a food bank on Tuesdays.",
        "contribution": "A van and volunteers.", "governing_document": "Constitution 2020",
        "registered_number": "", "website": "delta.example.org", "public_email": "",
        "phone": "", "contact_name": "Dee Delta", "contact_email": "Dee@Example.org",
        "message": "", "agree_memorandum": "y",
    }
    form.update(changes)
    return form


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- applying ----------------------------------------------------------------------------------

def test_a_visitor_applies_and_coordinators_are_told(client, world, deliver, mailbox):
    response = client.post("/join", data=application_form(world))
    assert response.status_code == 303
    assert "Application sent" in body(client.get(response.headers["Location"]))
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Delta Food Bank"))
    assert org.status == OrgStatus.APPLIED
    assert org.website == "https://delta.example.org"
    assert sorted(t.name for t in org.themes) == ["Housing", "Youth"]
    application = db.session.scalar(select(Application).where(Application.organisation == org))
    assert application.contact_email == "dee@example.org"
    deliver()
    assert "We have your application" in mailbox.last_to("dee@example.org")["Subject"]
    to_review = mailbox.last_to("coordinator@example.org")
    assert "Delta Food Bank" in to_review["Subject"]
    assert f"/coordinate/applications/{application.id}" in mailbox.body(to_review)
    # Not in the directory until approved.
    assert "Delta Food Bank" not in body(client.get("/organisations"))
    assert client.get(f"/organisations/{org.id}").status_code == 404


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"agree_memorandum": ""}, "agree_memorandum", "needs to agree to the memorandum"),
    ({"name": "   "}, "name", "This is needed."),
    ({"name": "x" * 121}, "name", "120 characters or fewer"),
    ({"name": "alpha   TENANTS"}, "name", "already joined or applied"),
    ({"kind": ""}, "kind", "Choose one."),
    ({"kind": "a_secret_society"}, "kind", "Choose one of the kinds listed."),
    ({"area": "99999"}, "area", "Choose one of the areas listed."),
    ({"area": "banana"}, "area", "Choose one of the areas listed."),
    ({"themes": ["99999"]}, "themes", "Choose from the themes listed."),
    # A checkbox sends its value ("y") or nothing: "no" is not agreement.
    ({"agree_memorandum": "no"}, "agree_memorandum", "needs to agree to the memorandum"),
    ({"agree_memorandum": "false"}, "agree_memorandum", "needs to agree to the memorandum"),
    ({"contact_email": "dee at example"}, "contact_email", "does not look like an email"),
    ({"description": ""}, "description", "This is needed."),
    ({"description": "x" * 3001}, "description", "3000 characters or fewer"),
    ({"website": "not a url at all"}, "website", "does not look like a web address"),
])
def test_bad_applications_are_refused_beside_the_field_and_change_nothing(client, world,
                                                                            changes, field,
                                                                            message):
    before = count(Organisation), count(OutboxEmail)
    response = client.post("/join", data=application_form(world, **changes))
    assert response.status_code == 422
    page = body(response)
    assert message.lower() in page.lower()
    assert f'id="{field}-error"' in page
    assert "Dee Delta" in page  # what they typed is still there
    assert (count(Organisation), count(OutboxEmail)) == before


def test_a_field_with_a_problem_gets_one_message_not_two(client, world):
    # Too long was told, and "does not look like an email address" too: one is enough.
    too_long = "d" * 250 + "@example.org"
    response = client.post("/join", data=application_form(
        world, contact_email=too_long, website="not a web address " + "x" * 200))
    assert response.status_code == 422
    page = body(response)
    assert "That email address is too long." in page
    assert "does not look like an email" not in page
    assert "Keep this to 200 characters or fewer." in page
    assert "does not look like a web address" not in page


def test_a_declined_name_can_apply_again(client, world, login):
    login(world.coordinator)
    client.post(f"/coordinate/applications/{world.application.id}/decline",
                data={"reason": "Not active yet"})
    response = client.post("/join", data=application_form(world, name="Gamma Gardeners"))
    assert response.status_code == 303


def test_a_logged_in_member_applying_is_linked_to_the_application(client, world, login):
    login(world.member)
    form = client.get("/join")
    assert 'value="member@example.org"' in body(form)
    client.post("/join", data=application_form(world, contact_email="member@example.org"))
    application = db.session.scalar(select(Application).order_by(Application.id.desc()))
    assert application.applicant_id == world.member.id


# --- deciding ----------------------------------------------------------------------------------

def test_approve_invites_the_contact_who_sets_up_an_account(app, client, world, login, deliver,
                                                            mailbox):
    login(world.coordinator)
    queue = client.get("/coordinate/applications")
    assert "Gamma Gardeners" in body(queue)
    response = client.post(f"/coordinate/applications/{world.application.id}/approve")
    assert response.status_code == 303
    org = world.application.organisation
    assert org.status == OrgStatus.APPROVED
    assert org.mou_agreed_on == world.application.submitted_at.date()
    assert world.application.decided_by_id == world.coordinator.id
    deliver()
    contact_email = world.application.contact_email
    link = mailbox.link(contact_email, "/invitations/")
    newcomer = app.test_client()
    page = newcomer.get(link)
    assert "You are joining as part of Gamma Gardeners" in body(page)
    accepted = newcomer.post(link, data={"display_name": "Hannah Price",
                                         "password": "tomatoes and runner beans",
                                         "confirm": "tomatoes and runner beans"})
    assert accepted.status_code == 303
    dashboard = newcomer.get("/dashboard")
    assert "Gamma Gardeners" in body(dashboard)
    assert "You are a contact for this organisation" in body(dashboard)
    person = db.session.scalar(select(Person).where(Person.email == contact_email))
    assert person.role == Role.MEMBER
    # The link works once.
    assert app.test_client().get(link).status_code == 410
    assert app.test_client().post(link, data={"display_name": "Mallory",
                                              "password": "tomatoes and runner beans",
                                              "confirm": "tomatoes and runner beans"}
                                  ).status_code == 410
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"application.approve", "invitation.accept"} <= actions


def test_decline_needs_a_reason_and_tells_the_applicant(client, world, login, deliver, mailbox):
    login(world.coordinator)
    url = f"/coordinate/applications/{world.application.id}/decline"
    empty = client.post(url, data={"reason": "  "})
    assert empty.status_code == 422 and "This is needed." in body(empty)
    assert world.application.organisation.status == OrgStatus.APPLIED
    assert client.post(url, data={"reason": "We could not find the group."}).status_code == 303
    assert world.application.organisation.status == OrgStatus.DECLINED
    deliver()
    declined = mailbox.last_to(world.application.contact_email)
    assert "We could not find the group." in mailbox.body(declined)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "application.decline"))
    assert entry.actor_id == world.coordinator.id and entry.ip == "127.0.0.1"


def test_an_application_is_decided_only_once(client, world, login):
    login(world.coordinator)
    client.post(f"/coordinate/applications/{world.application.id}/approve")
    again = client.post(f"/coordinate/applications/{world.application.id}/decline",
                        data={"reason": "Changed my mind"}, follow_redirects=True)
    assert "already been decided" in body(again)
    assert world.application.organisation.status == OrgStatus.APPROVED
    assert count(Invitation) == 2  # the world's own, and this approval's


# --- invitations and an organisation's people --------------------------------------------------

def test_a_contact_invites_someone_who_joins(app, client, world, login, deliver, mailbox):
    login(world.contact)
    response = client.post(f"/organisations/{world.org_a.id}/people",
                           data={"email": "New.Person@example.org", "name": "Nia New"})
    assert response.status_code == 303
    deliver()
    message = mailbox.last_to("new.person@example.org")
    assert "Cora Contact invites you to join Alpha Tenants" in message["Subject"]
    link = mailbox.link("new.person@example.org", "/invitations/")
    newcomer = app.test_client()
    assert 'value="Nia New"' in body(newcomer.get(link))
    newcomer.post(link, data={"display_name": "Nia New", "password": "a tidy long password",
                              "confirm": "a tidy long password"})
    people = body(client.get(f"/organisations/{world.org_a.id}/people"))
    assert "Nia New" in people


def test_inviting_twice_renews_the_link_instead_of_a_second_invitation(client, world, login,
                                                                       deliver, mailbox):
    login(world.contact)
    for _ in range(2):
        client.post(f"/organisations/{world.org_a.id}/people", data={"email": "twice@example.org"})
    assert db.session.scalar(select(func.count()).select_from(Invitation)
                             .where(Invitation.email == "twice@example.org")) == 1
    deliver()
    first, second = mailbox.to("twice@example.org")
    assert mailbox.body(first) != mailbox.body(second)


def test_inviting_someone_already_in_says_so(client, world, login):
    login(world.contact)
    response = client.post(f"/organisations/{world.org_a.id}/people",
                           data={"email": world.member.email})
    assert response.status_code == 422
    assert "already in Alpha Tenants" in body(response)


def test_an_expired_or_cancelled_invitation_does_not_work(client, world, login):
    _, expired = make_invitation(world.org_a, "late@example.org", expires_in=timedelta(days=-1))
    assert client.get(f"/invitations/{expired}").status_code == 410
    login(world.contact)
    client.post(f"/organisations/{world.org_a.id}/invitations/{world.invitation.id}/cancel")
    client.post("/logout")
    assert client.get(f"/invitations/{world.invitation_token}").status_code == 410


def test_an_existing_account_joins_a_second_organisation_by_logging_in(client, world, login):
    invitation, token = make_invitation(world.org_b, world.member.email)
    page = client.get(f"/invitations/{token}")
    assert "already has an account" in body(page)
    login(world.member)
    assert "Join Beta Youth Club" in body(client.get(f"/invitations/{token}"))
    assert client.post(f"/invitations/{token}").status_code == 303
    assert {m.organisation_id for m in world.member.memberships} == {world.org_a.id,
                                                                      world.org_b.id}


def test_an_invitation_for_someone_else_cannot_be_taken_by_a_logged_in_person(client, world,
                                                                             login):
    _, token = make_invitation(world.org_b, world.member.email)
    login(world.contact)
    page = client.get(f"/invitations/{token}")
    assert "you are logged in as contact@example.org" in body(page)
    client.post(f"/invitations/{token}")
    assert world.org_b.id not in {m.organisation_id for m in world.contact.memberships}


def test_weak_password_when_accepting_keeps_the_invitation_usable(client, world):
    response = client.post(f"/invitations/{world.invitation_token}",
                           data={"display_name": "Ivy", "password": "password123",
                                 "confirm": "password123"})
    assert response.status_code == 422
    assert "most common passwords" in body(response)
    assert world.invitation.accepted_at is None
    assert count(Person) == 6


def test_a_contact_removes_a_member_softly(client, world, login):
    login(world.contact)
    url = f"/organisations/{world.org_a.id}/people/{world.member_membership.id}/remove"
    assert client.post(url).status_code == 303
    assert world.member_membership.left_at is not None
    assert world.member_membership.removed_by_id == world.contact.id
    assert "<strong>Mo Member</strong>" not in body(
        client.get(f"/organisations/{world.org_a.id}/people"))
    assert db.session.get(Person, world.member.id) is not None
    assert db.session.scalar(select(AuditEntry.action).where(
        AuditEntry.action == "membership.remove")) == "membership.remove"


def test_the_last_contact_cannot_leave_the_organisation_without_one(client, world, login):
    login(world.contact)
    contact_membership = db.session.scalar(select(Membership).where(
        Membership.person_id == world.contact.id))
    base = f"/organisations/{world.org_a.id}/people/{contact_membership.id}"
    refused = client.post(f"{base}/remove", follow_redirects=True)
    assert "Every organisation needs a contact" in body(refused)
    client.post(f"{base}/contact", data={"contact": "0"})
    assert contact_membership.is_contact is True
    # With a second contact, the first may step down.
    client.post(f"/organisations/{world.org_a.id}/people/{world.member_membership.id}/contact",
                data={"contact": "1"})
    assert world.member_membership.is_contact is True
    client.post(f"{base}/contact", data={"contact": "0"})
    assert contact_membership.is_contact is False


def test_a_contact_cannot_touch_another_organisations_people(client, world, login):
    login(world.contact)
    other_membership = db.session.scalar(select(Membership).where(
        Membership.person_id == world.other_member.id))
    # Forged: org A in the path, org B's membership id.
    forged = f"/organisations/{world.org_a.id}/people/{other_membership.id}/remove"
    assert client.post(forged).status_code == 404
    direct = f"/organisations/{world.org_b.id}/people/{other_membership.id}/remove"
    assert client.post(direct).status_code == 403
    assert other_membership.left_at is None


# --- the profile -------------------------------------------------------------------------------

def edit_form(org, **changes) -> dict:
    form = {"name": org.name, "kind": org.kind.value, "area": str(org.area_id or ""),
            "themes": [str(t.id) for t in org.themes], "description": org.description,
            "contribution": org.contribution, "governing_document": "Constitution",
            "registered_number": "", "website": "", "public_email": "", "phone": "",
            "version": str(org.version)}
    form.update(changes)
    return form


def test_a_contact_edits_the_profile_and_the_change_is_logged(client, world, login):
    login(world.contact)
    response = client.post(f"/organisations/{world.org_a.id}/edit",
                           data=edit_form(world.org_a, description="Now with a garden."))
    assert response.status_code == 303
    assert world.org_a.description == "Now with a garden."
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "organisation.edit"))
    assert entry.details["changes"]["description"] == ["We do good work.", "Now with a garden."]


def test_a_second_concurrent_edit_is_told_and_nothing_is_overwritten(client, world, login):
    login(world.contact)
    stale = edit_form(world.org_a, description="Mine, typed slowly.")
    first = client.post(f"/organisations/{world.org_a.id}/edit",
                        data=edit_form(world.org_a, description="Theirs, saved first."))
    assert first.status_code == 303
    second = client.post(f"/organisations/{world.org_a.id}/edit", data=stale)
    assert second.status_code == 409
    page = body(second)
    assert "Someone else saved a change" in page
    assert "Mine, typed slowly." in page and "Theirs, saved first." in page
    assert world.org_a.description == "Theirs, saved first."


def test_two_saves_at_the_same_moment_are_told_apart_not_a_500(client, world, login):
    """Both pass the version check; the other save lands just before this one is written."""
    import sqlalchemy as sa

    org_id = world.org_a.id

    def someone_else_saves(session, flush_context, instances):
        session.connection().execute(sa.text(
            "UPDATE organisation SET description = 'Theirs, at the same moment.', "
            "version = version + 1 WHERE id = :id"), {"id": org_id})

    login(world.contact)
    sa.event.listen(db.session, "before_flush", someone_else_saves, once=True)
    try:
        response = client.post(f"/organisations/{world.org_a.id}/edit",
                               data=edit_form(world.org_a, description="Mine."))
    finally:
        if sa.event.contains(db.session, "before_flush", someone_else_saves):
            sa.event.remove(db.session, "before_flush", someone_else_saves)
    assert response.status_code == 409
    page = body(response)
    assert "Someone else saved a change" in page
    # What is saved (here the other save went with this one's rolled-back transaction) is
    # shown beside what was typed, which is kept.
    assert "The profile as it is saved now" in page and "Mine." in page


def test_renaming_to_another_organisations_name_is_refused(client, world, login):
    login(world.contact)
    response = client.post(f"/organisations/{world.org_a.id}/edit",
                           data=edit_form(world.org_a, name="Beta Youth Club"))
    assert response.status_code == 422
    assert world.org_a.name == "Alpha Tenants"


def test_confirming_the_organisation_is_still_active(client, world, login):
    login(world.contact)
    client.post(f"/organisations/{world.org_a.id}/confirm-active")
    assert world.org_a.confirmed_active_at is not None


# --- status ------------------------------------------------------------------------------------

def test_a_coordinator_suspends_an_organisation_with_a_reason(client, world, login):
    login(world.coordinator)
    url = f"/organisations/{world.org_a.id}/status"
    no_reason = client.post(url, data={"status": "suspended", "reason": ""})
    assert no_reason.status_code == 422 and "Give the reason." in body(no_reason)
    assert world.org_a.status == OrgStatus.APPROVED
    client.post(url, data={"status": "suspended", "reason": "Broke the memorandum"})
    assert world.org_a.status == OrgStatus.SUSPENDED
    client.post("/logout")
    # Gone from public view, and its contact can no longer manage it.
    assert "Alpha Tenants" not in body(client.get("/organisations"))
    assert client.get(f"/organisations/{world.org_a.id}").status_code == 404
    login(world.contact)
    page = client.get(f"/organisations/{world.org_a.id}-{world.org_a.slug}")
    assert page.status_code == 200 and "Broke the memorandum" in body(page)
    assert client.get(f"/organisations/{world.org_a.id}/edit").status_code == 403


# --- directory and organisation pages ----------------------------------------------------------

def test_directory_filters_by_area_theme_kind_and_name(client, world):
    OrganisationFactory(name="Zeta Co-op", kind="co_op", area=world.south)
    def names(query):
        page = body(client.get(f"/organisations?{query}"))
        return [n for n in ("Alpha Tenants", "Beta Youth Club", "Zeta Co-op") if n in page]
    assert names("") == ["Alpha Tenants", "Beta Youth Club", "Zeta Co-op"]
    assert names(f"area={world.south.id}") == ["Beta Youth Club", "Zeta Co-op"]
    assert names(f"theme={world.housing.id}") == ["Alpha Tenants"]
    assert names("kind=co_op") == ["Zeta Co-op"]
    assert names("q=tenant") == ["Alpha Tenants"]
    assert names("area=nonsense&kind=nonsense") == ["Alpha Tenants", "Beta Youth Club",
                                                    "Zeta Co-op"]


def test_directory_filter_answers_htmx_with_just_the_results(client, world):
    response = client.get(f"/organisations?area={world.north.id}",
                          headers={"HX-Request": "true", "HX-Target": "results"})
    page = body(response)
    assert "Alpha Tenants" in page and "Beta Youth Club" not in page
    assert "<html" not in page and "<form" not in page
    assert "HX-Request" in response.headers["Vary"]
    full = body(client.get(f"/organisations?area={world.north.id}",
                           headers={"HX-Request": "true", "HX-Boosted": "true"}))
    assert "<html" in full


def test_directory_pages_through_many_organisations(client, world):
    for n in range(25):
        OrganisationFactory(name=f"Group {n:02d}")
    first = body(client.get("/organisations"))
    assert "Page 1 of 2" in first and "Group 17" in first and "Group 18" not in first
    second = body(client.get("/organisations?page=2"))
    assert "Group 24" in second and "Alpha Tenants" not in second


def test_people_and_emails_on_an_organisation_page_follow_privacy(client, world, login):
    world.contact.show_email_to_members = True
    db.session.commit()
    url = f"/organisations/{world.org_a.id}-{world.org_a.slug}"
    public = body(client.get(url))
    assert "Alpha Tenants" in public and "Cora Contact" not in public
    login(world.associate)
    members_view = body(client.get(url))
    assert "Cora Contact" in members_view and "contact@example.org" in members_view
    assert "Mo Member" in members_view and "member@example.org" not in members_view


def test_an_organisation_url_without_its_name_redirects_to_the_canonical_one(client, world):
    response = client.get(f"/organisations/{world.org_a.id}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/organisations/{world.org_a.id}-alpha-tenants")
    assert client.get("/organisations/99999").status_code == 404


def test_an_applied_organisation_is_visible_to_coordinators_only(client, world, login):
    org = world.application.organisation
    url = f"/organisations/{org.id}-{org.slug}"
    assert client.get(url).status_code == 404
    login(world.member)
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(world.coordinator)
    assert client.get(url).status_code == 200


def test_the_dashboard_lists_only_ones_own_organisations(client, world, login):
    extra = MembershipFactory(person=PersonFactory(), organisation=world.org_b)
    login(extra.person)
    page = body(client.get("/dashboard"))
    assert "Beta Youth Club" in page and "Alpha Tenants" not in page


def test_invitations_show_when_they_expired(client, world, login):
    world.invitation.expires_at = now() - timedelta(days=1)
    db.session.commit()
    login(world.contact)
    assert "expired" in body(client.get(f"/organisations/{world.org_a.id}/people"))


def test_a_double_submitted_application_makes_one_organisation(app, world):
    import threading

    form = application_form(world)
    db.session.rollback()  # the test's own reads must not hold SQLite's write lock
    statuses = []

    def submit():
        statuses.append(app.test_client().post("/join", data=form).status_code)

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303, 422, 422, 422]
    assert db.session.scalar(select(func.count()).select_from(Organisation)
                             .where(Organisation.name == "Delta Food Bank")) == 1


def test_the_database_catches_a_duplicate_that_slipped_past_the_form(client, world,
                                                                    monkeypatch):
    """As when two submits are checked at the same moment: the unique index decides."""
    from network.members.forms import JoinForm

    client.post("/join", data=application_form(world))
    monkeypatch.setattr(JoinForm, "validate_name", lambda form, field: None)
    second = client.post("/join", data=application_form(world))
    assert second.status_code == 422
    assert "already joined or applied" in body(second)
    assert db.session.scalar(select(func.count()).select_from(Organisation)
                             .where(Organisation.name == "Delta Food Bank")) == 1


def test_a_form_with_another_mistake_does_not_tell_whether_its_name_has_applied(client,
                                                                              world):
    """Only a form that is otherwise right is told the name is taken, and that counts."""
    refused = client.post("/join", data=application_form(world, name="Gamma Gardeners",
                                                         description=""))
    assert refused.status_code == 422
    assert "already joined or applied" not in body(refused)


def test_refusals_for_a_name_already_applied_count_towards_the_daily_limit(make_app, world):
    """The refusal tells whether a name has applied, so it is not to be asked without limit."""
    limited = make_app(APPLY_LIMIT_PER_ADDRESS=(2, 24 * 60 * 60))
    client = limited.test_client()
    for _ in range(2):
        taken = client.post("/join", data=application_form(world, name="Gamma Gardeners"))
        assert taken.status_code == 422 and "already joined or applied" in body(taken)
    held = client.post("/join", data=application_form(world))
    assert held.status_code == 429 and "Too many applications" in body(held)
    assert "already joined" not in body(client.post(
        "/join", data=application_form(world, name="Gamma Gardeners")))
