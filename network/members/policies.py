"""Rules about organisations: who sees them, their people, and who manages them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, true

from network.core.permissions import coordinator, policy, scope, signed_in
from network.members.models import Organisation, OrgStatus


@policy("directory.view", "org.apply")
def anyone(person, _) -> bool:
    return True


@policy("org.view")
def view_organisation(person, org) -> bool:
    return (org.status == OrgStatus.APPROVED or coordinator(person)
            or org.id in person.organisation_ids)


@scope(Organisation)
def organisations_seen(person):
    if coordinator(person):
        return true()
    return or_(Organisation.status == OrgStatus.APPROVED,
               Organisation.id.in_(person.organisation_ids))


@policy("org.view_people")
def view_people(person, org) -> bool:
    return signed_in(person) and view_organisation(person, org)


@policy("org.edit", "org.manage_people")
def manage_organisation(person, org) -> bool:
    if coordinator(person):
        return org.status != OrgStatus.DECLINED
    return org.status == OrgStatus.APPROVED and org.id in person.contact_organisation_ids


@policy("org.change_status")
def change_status(person, org) -> bool:
    return coordinator(person)


@dataclass(frozen=True, slots=True)
class OrganisationAccess:
    """What one person may do with one organisation, decided once for its page."""

    view: bool
    edit: bool
    view_people: bool
    change_status: bool


def organisation_access(person, org) -> OrganisationAccess:
    return OrganisationAccess(
        view=view_organisation(person, org), edit=manage_organisation(person, org),
        view_people=view_people(person, org), change_status=change_status(person, org))
