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
from network.forum.models import Audience, PostState, active_pause
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


def _category_view(person, category) -> bool:
    return _signed_in(person) and (category.audience == Audience.MEMBERS
                                   or _coordinator(person))


def _category_post(person, category) -> bool:
    return (_category_view(person, category) and person.is_member
            and category.archived_at is None and active_pause(person) is None)


def _thread_view(person, thread) -> bool:
    return _category_view(person, thread.category) and (
        not thread.held or thread.author_id == person.id or _coordinator(person))


def _thread_reply(person, thread) -> bool:
    return (_thread_view(person, thread) and not thread.locked and not thread.held
            and _category_post(person, thread.category))


def _post_view(person, post) -> bool:
    return _thread_view(person, post.thread) and (
        post.state != PostState.HELD or post.author_id == person.id or _coordinator(person))


def _post_edit(person, post) -> bool:
    """Only the author rewrites a post; coordinators hide, they never rewrite."""
    return (_post_view(person, post) and post.author_id == person.id
            and post.state != PostState.HIDDEN and not post.thread.locked
            and _category_post(person, post.thread.category))


def _post_flag(person, post) -> bool:
    return (_post_view(person, post) and post.state == PostState.VISIBLE
            and post.author_id != person.id)


def _post_history(person, post) -> bool:
    return _post_view(person, post) and (post.author_id == person.id or _coordinator(person))


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
    "forum.view": lambda person, _: _signed_in(person),
    "forum.moderate": lambda person, _: _coordinator(person),
    "forum.manage_categories": lambda person, _: _coordinator(person),
    "category.view": _category_view,
    "category.post": _category_post,
    "thread.view": _thread_view,
    "thread.reply": _thread_reply,
    "thread.watch": _thread_view,
    "thread.moderate": lambda person, thread: (_coordinator(person)
                                               and _thread_view(person, thread)),
    "post.view": _post_view,
    "post.edit": _post_edit,
    "post.flag": _post_flag,
    "post.history": _post_history,
    "post.moderate": lambda person, post: _coordinator(person) and _post_view(person, post),
    "posting.pause": _manage_person,
    "notifications.use": lambda person, _: _signed_in(person),
    "notification.open": lambda person, n: _signed_in(person) and n.person_id == person.id,
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


def load(model: type, object_id: int, *, need: str, visible: str | None = None,
         options: tuple = ()) -> Any:
    """Load a row by id or 404; 404 too if the person may not see it, 403 if they may not act."""
    obj = db.session.get(model, object_id, options=options)
    if obj is None or (visible is not None and not can(visible, obj)):
        abort(404)
    authorize(need, obj)
    return obj
