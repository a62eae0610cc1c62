"""Joining the network and belonging to an organisation: applications, invitations, removals.

Each function changes the session and queues its email and audit entry; the caller commits.
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import load_only

from network.auth.models import Person, Role
from network.auth.passwords import hash_password
from network.core import audit, throttle
from network.core.db import parse_id
from network.core.forms import Refused
from network.core.i18n import locale_name, recipient_locale
from network.core.links import absolute_url
from network.core.mail import queue_email
from network.core.text import in_subject
from network.core.time import borough_zone, now, today
from network.core.tokens import hash_token, new_token
from network.extensions import db
from network.members.models import (
    Application,
    Invitation,
    Membership,
    Organisation,
    OrgStatus,
    name_key,
)

NAME_TAKEN = _l("An organisation with this name has already joined or applied. If it is "
                "yours, ask its contact to invite you, or write to the coordinators.")


class MembershipError(Refused):
    """A request that cannot be carried out, with a message for the person who made it (and
    the field it is about)."""


def live_entries(model) -> list:
    """The areas or themes in use, by name."""
    return list(db.session.scalars(
        select(model).where(model.archived_at.is_(None)).order_by(model.name)))


def approved_organisations(among: frozenset[int] | None = None) -> list[Organisation]:
    """Member organisations by name (their names alone loaded), for choosing among: all, or
    those of `among`."""
    query = select(Organisation).where(Organisation.status == OrgStatus.APPROVED)
    if among is not None:
        query = query.where(Organisation.id.in_(among))
    return list(db.session.scalars(
        query.options(load_only(Organisation.name)).order_by(Organisation.name)))


def chosen_organisation(value: str | None) -> list[Organisation]:
    """What a filter by organisation offers beside "any": the member organisation the address
    chose (its page links to its listings and events filtered by it), or none. Every member
    organisation would be a choice that grows with the network (800 at the bench's 100x,
    most of the board's and the calendar's bytes); the filter is shown only when one is
    chosen, and an id that is not a member organisation is told beside it."""
    try:
        chosen = parse_id(value)
    except (TypeError, ValueError):
        return []
    return approved_organisations(among=frozenset({chosen}))


def organisations_for(person, *, any_for_coordinators: bool = True) -> list[Organisation]:
    """The member organisations a person acts for: their own, or (coordinators) any."""
    if any_for_coordinators and person.is_coordinator:
        return approved_organisations()
    if not person.is_authenticated or not person.organisation_ids:
        return []
    return approved_organisations(among=person.organisation_ids)


def contacts_of(*organisation_ids: int) -> list[Person]:
    """The present contacts of these organisations."""
    return list(db.session.scalars(select(Person).join(
        Membership, Membership.person_id == Person.id).where(
        Membership.organisation_id.in_(organisation_ids), Membership.is_contact.is_(True),
        Membership.left_at.is_(None))))


def coordinators() -> list[Person]:
    return list(db.session.scalars(
        select(Person).where(Person.role.in_([Role.COORDINATOR, Role.ADMIN]),
                             Person.suspended_at.is_(None), Person.closed_at.is_(None))))


def pending_applications_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Organisation)
                             .where(Organisation.status == OrgStatus.APPLIED)) or 0


def name_taken(name: str, besides: Organisation | None = None) -> bool:
    """Whether an organisation of this name has joined or applied (a declined one has not)."""
    query = select(Organisation.id).where(Organisation.name_key == name_key(name),
                                          Organisation.status != OrgStatus.DECLINED)
    if besides is not None:
        query = query.where(Organisation.id != besides.id)
    return db.session.scalar(query) is not None


def applications_held_for(address: str | None) -> int:
    """0, or the seconds this connection waits before applying again."""
    return throttle.seconds_blocked(f"apply:address:{address}",
                                    current_app.config["APPLY_LIMIT_PER_ADDRESS"])


def apply(profile: dict, contact_name: str, contact_email: str, message: str,
          applicant: Person | None, address: str | None) -> Application | None:
    """Every application counts towards the connection's daily limit, and so does every one
    refused because its name is taken: the refusal tells whether a name has applied, so it
    must not be asked without limit. None (still counted) when the name is taken, found here
    or, for two sent at the same moment, by the unique index."""
    throttle.hit(f"apply:address:{address}", current_app.config["APPLY_LIMIT_PER_ADDRESS"])
    if name_taken(profile["name"]):
        return None
    try:
        with db.session.begin_nested():
            return submit_application(profile, contact_name, contact_email, message,
                                      applicant)
    except IntegrityError:
        return None


def submit_application(profile: dict, contact_name: str, contact_email: str, message: str,
                       applicant: Person | None) -> Application:
    organisation = Organisation(status=OrgStatus.APPLIED, name_key=name_key(profile["name"]),
                                **profile)
    application = Application(organisation=organisation, contact_name=contact_name,
                              contact_email=contact_email, message=message,
                              applicant_id=applicant.id if applicant else None,
                              locale=locale_name())
    db.session.add_all([organisation, application])
    db.session.flush()
    queue_email(contact_email, _l("We have your application to join"),
                "email/application_received.txt", application=application)
    review_url = absolute_url("coordination.application", application_id=application.id)
    for coordinator in coordinators():
        queue_email(coordinator.email,
                    _l("New application: %(name)s", name=in_subject(organisation.name)),
                    "email/application_to_review.txt", locale=recipient_locale(coordinator),
                    application=application, link=review_url, coordinator=coordinator)
    return application


def approve(application: Application, coordinator: Person) -> Invitation:
    organisation = application.organisation
    if organisation.status != OrgStatus.APPLIED:
        raise MembershipError(_("This application has already been decided."))
    moment = now()
    organisation.status = OrgStatus.APPROVED
    organisation.approved_at = moment
    organisation.mou_agreed_on = application.submitted_at.date()
    application.decided_at = moment
    application.decided_by_id = coordinator.id
    invitation, raw = _new_invitation(organisation, application.contact_email,
                                      application.contact_name, as_contact=True,
                                      invited_by=coordinator)
    queue_email(application.contact_email, _l("Welcome: %(name)s has joined the network",
                                              name=in_subject(organisation.name)),
                "email/application_approved.txt", locale=recipient_locale(application),
                application=application, link=absolute_url("members.accept_invitation", token=raw),
                invitation=invitation)
    audit.record("application.approve", organisation, f"Approved {organisation.name}",
                 actor=coordinator, application=application.id)
    return invitation


def decline(application: Application, coordinator: Person, reason: str) -> None:
    organisation = application.organisation
    if organisation.status != OrgStatus.APPLIED:
        raise MembershipError(_("This application has already been decided."))
    organisation.status = OrgStatus.DECLINED
    organisation.status_reason = reason
    application.decided_at = now()
    application.decided_by_id = coordinator.id
    application.decision_reason = reason
    queue_email(application.contact_email, _l("Your application to join"),
                "email/application_declined.txt", locale=recipient_locale(application),
                application=application, reason=reason)
    audit.record("application.decline", organisation, f"Declined {organisation.name}",
                 actor=coordinator, application=application.id, reason=reason)


def _new_invitation(organisation: Organisation, email: str, name: str, *, as_contact: bool,
                    invited_by: Person) -> tuple[Invitation, str]:
    """A pending invitation with a fresh link; asking again renews the one already pending."""
    raw, hashed = new_token()
    expires_at = now() + current_app.config["INVITATION_VALID_FOR"]
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.organisation_id == organisation.id, Invitation.email == email,
        Invitation.accepted_at.is_(None), Invitation.cancelled_at.is_(None)))
    if invitation is None:
        invitation = Invitation(organisation=organisation, email=email)
        db.session.add(invitation)
    invitation.name = name or invitation.name
    invitation.as_contact = as_contact or invitation.as_contact
    invitation.invited_by_id = invited_by.id
    invitation.token_hash = hashed
    invitation.expires_at = expires_at
    db.session.flush()
    return invitation, raw


def invite(organisation: Organisation, email: str, name: str, as_contact: bool,
           invited_by: Person) -> Invitation:
    already = db.session.scalar(
        select(Membership).join(Person, Membership.person_id == Person.id)
        .where(Membership.organisation_id == organisation.id, Membership.left_at.is_(None),
               Person.email == email))
    if already is not None:
        raise MembershipError(_("%(email)s is already in %(name)s.", email=email,
                                name=organisation.name), "email")
    invitation, raw = _new_invitation(organisation, email, name, as_contact=as_contact,
                                      invited_by=invited_by)
    # In the inviter's language (the request's): the invitee has not chosen one yet.
    queue_email(email, _l("%(person)s invites you to join %(name)s on %(site)s",
                         person=in_subject(invited_by.name),
                         name=in_subject(organisation.name),
                         site=current_app.config["SITE_NAME"]),
                "email/invitation.txt", invitation=invitation, inviter=invited_by,
                link=absolute_url("members.accept_invitation", token=raw))
    audit.record("invitation.send", organisation, f"Invited someone to {organisation.name}",
                 actor=invited_by, invitation=invitation.id, as_contact=as_contact)
    return invitation


def cancel_invitation(invitation: Invitation, by: Person) -> None:
    invitation.cancelled_at = now()
    audit.record("invitation.cancel", invitation.organisation,
                 f"Cancelled an invitation to {invitation.organisation.name}", actor=by,
                 invitation=invitation.id)


def pending_invitation(raw: str) -> Invitation | None:
    invitation = db.session.scalar(select(Invitation)
                                   .where(Invitation.token_hash == hash_token(raw)))
    if invitation is None or not invitation.is_usable(now()):
        return None
    if invitation.organisation.status != OrgStatus.APPROVED:
        return None
    return invitation


def accept_invitation(invitation: Invitation, person: Person | None = None, *,
                      display_name: str = "", password: str = "") -> Person:
    """Join the organisation, creating the account first if there is none. Works once."""
    taken = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None),
               Invitation.cancelled_at.is_(None))
        .values(accepted_at=now()))
    if taken.rowcount != 1:
        raise MembershipError(_("This invitation has already been used."))
    if person is None:
        person = Person(email=invitation.email, display_name=display_name,
                        password_hash=hash_password(password), role=Role.MEMBER)
        db.session.add(person)
        db.session.flush()
    elif person.role == Role.ASSOCIATE:
        person.role = Role.MEMBER
    membership = db.session.scalar(select(Membership).where(
        Membership.person_id == person.id, Membership.organisation_id == invitation.organisation_id,
        Membership.left_at.is_(None)))
    if membership is None:
        membership = Membership(person_id=person.id, organisation_id=invitation.organisation_id)
        db.session.add(membership)
    membership.is_contact = membership.is_contact or invitation.as_contact
    audit.record("invitation.accept", invitation.organisation,
                 f"Joined {invitation.organisation.name} by invitation", actor=person,
                 person=person.id, invitation=invitation.id)
    return person


def remove_member(membership: Membership, by: Person) -> None:
    organisation = membership.organisation
    if membership.is_contact:
        other_contacts = [m for m in organisation.memberships
                          if m.is_contact and m.id != membership.id]
        if not other_contacts and not by.is_coordinator:
            raise MembershipError(_("Every organisation needs a contact. Make someone else a "
                                    "contact first."))
    membership.left_at = now()
    membership.removed_by_id = by.id
    audit.record("membership.remove", organisation,
                 f"Removed a member from {organisation.name}",
                 actor=by, person=membership.person_id)


def set_contact(membership: Membership, is_contact: bool, by: Person) -> bool:
    """False, and nothing written, when they already were (or were not) a contact."""
    if membership.is_contact == is_contact:
        return False
    if not is_contact:
        others = [m for m in membership.organisation.memberships
                  if m.is_contact and m.id != membership.id]
        if not others and not by.is_coordinator:
            raise MembershipError(_("Every organisation needs a contact. Make someone else a "
                                    "contact first."))
    membership.is_contact = is_contact
    audit.record("membership.contact" if is_contact else "membership.uncontact",
                 membership.organisation,
                 f"A member is {'now' if is_contact else 'no longer'} "
                 f"a contact for {membership.organisation.name}", actor=by,
                 person=membership.person_id)
    return True


def change_status(organisation: Organisation, status: OrgStatus, reason: str,
                  by: Person) -> bool:
    """False, and nothing written, when the organisation already has that status."""
    old = organisation.status
    if old == status:
        return False
    organisation.status = status
    organisation.status_reason = reason if status != OrgStatus.APPROVED else ""
    audit.record("organisation.status", organisation,
                 f"{organisation.name}: {old.value} → {status.value}", actor=by,
                 old=old.value, new=status.value, reason=reason)
    return True


PROFILE_FIELDS = ["name", "kind", "area", "themes", "description", "contribution",
                  "governing_document", "registered_number", "website", "public_email", "phone"]


def edit_profile(organisation: Organisation, values: dict, by: Person) -> None:
    """Save what an organisation says about itself; what changed goes to the audit log."""
    diff = audit.changes(organisation, PROFILE_FIELDS, values)
    for field, value in values.items():
        setattr(organisation, field, value)
    organisation.name_key = name_key(organisation.name)
    if diff:
        audit.record("organisation.edit", organisation,
                     f"Edited the profile of {organisation.name}", actor=by, changes=diff)


def confirm_active(organisation: Organisation, by: Person) -> bool:
    """False, and nothing written, when it was already confirmed today."""
    confirmed = organisation.confirmed_active_at
    if confirmed is not None and confirmed.astimezone(borough_zone()).date() == today():
        return False
    organisation.confirmed_active_at = now()
    audit.record("organisation.confirm_active", organisation,
                 f"{organisation.name} confirmed it is still active ({today().isoformat()})",
                 actor=by)
    return True
