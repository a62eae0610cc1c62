"""Rules about people and their own accounts."""

from __future__ import annotations

from dataclasses import dataclass

from network.auth.models import Role
from network.core.permissions import coordinator, policy, signed_in


@policy("account.use")
def use_account(person, _) -> bool:
    return signed_in(person)


def oversee(person, target) -> bool:
    """Coordinators over others' accounts, never their own; only admins over coordinators and
    admins."""
    if not coordinator(person) or target.id == person.id:
        return False
    return person.is_admin or not target.is_coordinator


@policy("person.manage")
def manage_person(person, target) -> bool:
    """Suspend, reinstate, pause posting: as oversee, and never a closed account (it cannot log
    in again whatever is done to it: "reinstated" would be untrue, a reason new text about
    someone erased)."""
    return oversee(person, target) and not target.is_closed


@policy("person.grant_role")
def grant_role(person, change) -> bool:
    """change is (target person, new role): only admins make or unmake coordinators and admins;
    no one changes a closed account's."""
    target, new_role = change
    if not coordinator(person) or target.id == person.id or target.is_closed:
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
