"""Who may do what: one policy per action, asked by routes and templates alike.

A policy takes the person (or the anonymous visitor) and the object acted on. Routes call
`authorize` (or a loader that calls it) before anything else; templates call `can` to decide
what to show. Nothing else decides access.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import AnonymousUserMixin, current_user

from network.auth.models import Role
from network.extensions import db, login_manager
from network.members.models import OrgStatus


class Visitor(AnonymousUserMixin):
    """Someone not logged in: the same questions answer 'no' without special cases."""

    role = None
    is_coordinator = False
    is_admin = False
    is_member = False
    organisation_ids: frozenset[int] = frozenset()
    contact_organisation_ids: frozenset[int] = frozenset()


def _signed_in(person) -> bool:
    return person.is_authenticated


def _coordinator(person) -> bool:
    return person.is_authenticated and person.is_coordinator


def _org_view(person, org) -> bool:
    return (org.status == OrgStatus.APPROVED or _coordinator(person)
            or org.id in person.organisation_ids)


def _org_manage(person, org) -> bool:
    if _coordinator(person):
        return org.status != OrgStatus.DECLINED
    return org.status == OrgStatus.APPROVED and org.id in person.contact_organisation_ids


def _grant_role(person, change) -> bool:
    """change is (target person, new role): only admins make or unmake coordinators and admins."""
    target, new_role = change
    if not _coordinator(person) or target.id == person.id:
        return False
    senior = {Role.COORDINATOR, Role.ADMIN}
    return person.is_admin or (new_role not in senior and target.role not in senior)


def _manage_person(person, target) -> bool:
    if not _coordinator(person) or target.id == person.id:
        return False
    return person.is_admin or not target.is_coordinator


POLICIES: dict[str, Callable[[Any, Any], bool]] = {
    "account.use": lambda person, _: _signed_in(person),
    "directory.view": lambda person, _: True,
    "org.apply": lambda person, _: True,
    "org.view": _org_view,
    "org.view_people": lambda person, org: _signed_in(person) and _org_view(person, org),
    "org.edit": _org_manage,
    "org.manage_people": _org_manage,
    "org.change_status": lambda person, org: _coordinator(person),
    "applications.review": lambda person, _: _coordinator(person),
    "people.view": lambda person, _: _coordinator(person),
    "person.grant_role": _grant_role,
    "person.manage": _manage_person,
    "lists.manage": lambda person, _: _coordinator(person),
    "audit.view": lambda person, _: _coordinator(person),
}


def can(action: str, obj: Any = None, person: Any = None) -> bool:
    policy = POLICIES[action]  # a KeyError here is a typo in the action's name
    return bool(policy(current_user if person is None else person, obj))


def authorize(action: str, obj: Any = None) -> None:
    """Carry on, or stop the request: visitors go to log in, others get 403."""
    if can(action, obj):
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    abort(403)


def load(model: type, object_id: int, *, need: str, visible: str | None = None) -> Any:
    """Load a row by id or 404; 404 too if the person may not see it, 403 if they may not act."""
    obj = db.session.get(model, object_id)
    if obj is None or (visible is not None and not can(visible, obj)):
        abort(404)
    authorize(need, obj)
    return obj
