"""Rules about people and their own accounts."""

from __future__ import annotations

from dataclasses import dataclass

from network.auth.models import Role
from network.core.permissions import coordinator, policy, signed_in


@policy("account.use")
def use_account(person, _) -> bool:
    return signed_in(person)


@policy("person.manage")
def manage_person(person, target) -> bool:
    """Suspend, reinstate, pause posting: coordinators, never on themselves; only admins on
    coordinators and admins."""
    if not coordinator(person) or target.id == person.id:
        return False
    return person.is_admin or not target.is_coordinator


@policy("person.grant_role")
def grant_role(person, change) -> bool:
    """change is (target person, new role): only admins make or unmake coordinators and admins."""
    target, new_role = change
    if not coordinator(person) or target.id == person.id:
        return False
    senior = {Role.COORDINATOR, Role.ADMIN}
    return person.is_admin or (new_role not in senior and target.role not in senior)


def grantable_roles(person, target) -> list[Role]:
    """The roles this person may give the target, for the page's choices."""
    return [role for role in Role if grant_role(person, (target, role))]


@dataclass(frozen=True, slots=True)
class PersonAccess:
    """What a coordinator may do to one person's account, decided once for its page."""

    yourself: bool
    change_role: bool  # to some role
    any_role: bool  # coordinators and admins too: admins only
    manage: bool  # suspend, reinstate


def person_access(person, target) -> PersonAccess:
    roles = grantable_roles(person, target)
    return PersonAccess(yourself=person.id == target.id, change_role=bool(roles),
                        any_role=len(roles) == len(Role), manage=manage_person(person, target))
