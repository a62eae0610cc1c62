"""Who may do what, and which rows they may see: the machinery, not the rules.

Each feature declares its rules in its own `policies.py`: a policy per action
(`@policy("thread.reply")`, answering for one object) and a scope per model
(`@scope(Thread)`, the same rule as SQL, for lists, counts and searches). Pages that show
many objects ask a feature's access function once per object or per page and hand the
template what was decided. Routes call `authorize` or `load` before anything else. Nothing
else decides access, and this module imports no feature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_login import AnonymousUserMixin, current_user
from sqlalchemy import ColumnElement, Select

from network.extensions import db, login_manager

POLICIES: dict[str, Callable[[Any, Any], bool]] = {}
SCOPES: dict[type, Callable[[Any], ColumnElement[bool]]] = {}


class Visitor(AnonymousUserMixin):
    """Someone not logged in: the same questions answer 'no' without special cases."""

    id = None
    role = None
    is_coordinator = False
    is_admin = False
    is_member = False
    organisation_ids: frozenset[int] = frozenset()
    contact_organisation_ids: frozenset[int] = frozenset()


def signed_in(person) -> bool:
    return person.is_authenticated


def coordinator(person) -> bool:
    return person.is_authenticated and person.is_coordinator


def policy(*actions: str):
    """Register the decorated `(person, obj) -> bool` as the rule for these actions."""
    def register(rule: Callable[[Any, Any], bool]):
        for action in actions:
            if action in POLICIES:
                raise KeyError(f"two policies for {action!r}")
            POLICIES[action] = rule
        return rule
    return register


def policies_from(access: Callable[[Any, Any], Any], actions: dict[str, str]) -> None:
    """Register one policy per action, each read off an access object: `access(person, obj)`
    decides everything once (a page uses it directly), and `can("post.edit", post)` asks the
    same rule for one answer. actions: {action: attribute of the access object}."""
    for action, attribute in actions.items():
        policy(action)(lambda person, obj, attribute=attribute:
                       getattr(access(person, obj), attribute))


def scope(model: type):
    """Register the decorated `(person) -> SQL condition` as the rows of model one may see."""
    def register(rule: Callable[[Any], ColumnElement[bool]]):
        SCOPES[model] = rule
        return rule
    return register


def me():
    """The person asking: the logged-in Person, or a Visitor; never the proxy."""
    return current_user._get_current_object()


def can(action: str, obj: Any = None, person: Any = None) -> bool:
    rule = POLICIES[action]  # a KeyError here is a typo in the action's name
    return bool(rule(me() if person is None else person, obj))


def authorize(action: str, obj: Any = None) -> None:
    """Carry on, or stop the request: visitors go to log in, others get 403."""
    if can(action, obj):
        return
    if not current_user.is_authenticated:
        abort(login_manager.unauthorized())
    abort(403)


def seen_by(model: type, person: Any = None) -> ColumnElement[bool]:
    """The SQL condition for the rows of model the person may see."""
    return SCOPES[model](me() if person is None else person)


def visible(query: Select, model: type | None = None, person: Any = None) -> Select:
    """The query narrowed to what the person may see: `visible(select(Thread))`."""
    model = model or query.column_descriptions[0]["entity"]
    return query.where(seen_by(model, person))


def load(model: type, object_id: int, *, need: str, visible: str | None = None,
         log_in: str | None = None, options: tuple = ()) -> Any:
    """Load a row by id or 404; 404 too if the person may not see it, 403 if they may not act.
    log_in: the action saying a visitor who may not see it is asked to log in rather than
    told it is not there (it is for members: a member following a link before logging in)."""
    obj = db.session.get(model, object_id, options=options)
    if obj is None:
        abort(404)
    if visible is not None and not can(visible, obj):
        if log_in is not None and not current_user.is_authenticated and can(log_in, obj):
            abort(login_manager.unauthorized())
        abort(404)
    authorize(need, obj)
    return obj
