"""Audit entries keep what was done, not the personal details of whom it was done to (issue
24): no entry about a person holds their email address or name, only a reference (its target,
or the person's id); the log's pages show the name as it is now, "a former member" once the
account is closed."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from network.auth import services as auth
from network.auth.models import Person, Role, TokenPurpose
from network.core.audit import AuditEntry
from network.core.time import now
from network.extensions import db
from network.forum import services as forum
from network.members import services as members
from network.members.models import Membership
from network.representation import services as representation
from network.representation.models import Selection
from tests.factories import PASSWORD, ApplicationFactory, MembershipFactory


def body(response) -> str:
    return response.get_data(as_text=True)


def every_audited_action_about_a_person(world) -> None:
    """Each service that records an entry about a person, run once, committed."""
    w, coordinator = world, world.coordinator
    declined = ApplicationFactory(organisation__name="Delta Dancers",
                                  contact_name="Dora Declined",
                                  contact_email="dora@example.org")
    db.session.commit()
    members.approve(w.application, coordinator)  # Hannah Applicant, applicantN@
    members.decline(declined, coordinator, "Outside the borough")
    assert w.other_member.id  # loaded before the invitation is made (as a request has it)
    invited = members.invite(w.org_b, "nina@example.org", "Nina Newbie", False, w.other_member)
    db.session.commit()
    members.cancel_invitation(invited, w.other_member)
    members.accept_invitation(w.invitation, display_name="Ivy Invitee", password=PASSWORD)
    db.session.commit()
    auth.set_role(w.member, Role.COORDINATOR, w.admin)
    auth.set_role(w.member, Role.MEMBER, w.admin)
    auth.suspend(w.member, "Abusive messages", coordinator)
    auth.reinstate(w.member, coordinator)
    raw = auth.issue_token(w.member, TokenPurpose.EMAIL_CHANGE, timedelta(days=1),
                           new_email="mo.new@example.org")
    db.session.commit()
    token = auth.usable_token(raw, TokenPurpose.EMAIL_CHANGE)
    assert auth.confirm_email_change(w.member, token)
    db.session.commit()
    forum.pause_posting(w.other_member, coordinator, "Cooling off", now() + timedelta(days=2))
    forum.lift_pauses(w.other_member, coordinator)
    forum.hide(w.post, coordinator, "Off topic")
    joined = MembershipFactory(person=w.associate, organisation=w.org_a)
    members.set_contact(joined, True, coordinator)
    members.remove_member(joined, coordinator)
    representation.add_term(w.seat, {
        "holder_id": w.other_member.id, "deputy_id": None, "selection": Selection.NOMINATED,
        "selection_note": "", "starts_on": now().date() + timedelta(days=700),
        "ends_on": now().date() + timedelta(days=900)}, coordinator)
    db.session.commit()


def test_no_entry_holds_the_email_or_name_of_whom_it_is_about(app, world):
    before = db.session.scalar(select(db.func.max(AuditEntry.id))) or 0
    every_audited_action_about_a_person(world)
    entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.id > before)))
    done = {entry.action for entry in entries}
    assert done >= {
        "application.approve", "application.decline", "invitation.send", "invitation.cancel",
        "invitation.accept", "person.role", "person.suspend", "person.reinstate",
        "person.email_change", "person.pause_posting",
        "person.lift_pause", "post.hide", "membership.contact", "membership.remove",
        "seat.term"}, done
    people = db.session.scalars(select(Person)).all()
    personal = {detail.lower() for person in people
                for detail in (person.email, person.display_name)}
    personal |= {"member@example.org", "hannah applicant", "dora declined", "dora@example.org",
                 "nina newbie", "nina@example.org", world.application.contact_email.lower()}
    for entry in entries:
        text = (entry.summary + " " + json.dumps(entry.details, ensure_ascii=False)).lower()
        held = {detail for detail in personal if detail in text}
        assert not held, (entry.action, entry.summary, entry.details)
    # Who it was about, by reference.
    about = {entry.action: entry for entry in entries}
    assert (about["person.suspend"].target_type, about["person.suspend"].target_id) == (
        "person", world.member.id)
    assert about["person.suspend"].details == {"reason": "Abusive messages"}  # the coordinator's
    assert about["membership.remove"].details["person"] == world.associate.id
    assert about["seat.term"].details["holder"] == world.other_member.id
    newcomer = db.session.scalar(select(Person).where(Person.email == "invitee@example.org"))
    assert about["invitation.accept"].details["person"] == newcomer.id


def test_the_log_names_whom_an_entry_is_about_as_they_are_now(client, world, login):
    auth.suspend(world.member, "Abusive messages", world.coordinator)
    membership = db.session.scalar(select(Membership).where(
        Membership.person_id == world.other_member.id))
    members.remove_member(membership, world.coordinator)
    db.session.commit()
    login(world.coordinator)
    page = body(client.get("/coordinate/audit"))
    assert f'<a href="/coordinate/people/{world.member.id}">Mo Member</a>' in page
    assert f'<a href="/coordinate/people/{world.other_member.id}">Otto Other</a>' in page
    assert "Suspended" in page and "Abusive messages" in page
    world.member.closed_at = now()
    db.session.commit()
    page = body(client.get("/coordinate/audit"))
    assert f'<a href="/coordinate/people/{world.member.id}">a former member</a>' in page
    person_page = body(client.get(f"/coordinate/people/{world.member.id}"))
    assert "Suspended" in person_page and "Cam Coordinator" in person_page
