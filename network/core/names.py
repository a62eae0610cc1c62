"""A person's name as the reader may see it, decided here alone (docs/decisions.md,
"Names on public pages are a choice"): every template shows a person through `who`.

- once their account is closed, "a former member", for everyone (Person.name);
- to a visitor (not logged in), unless they chose `name_public`: "a member of <organisation>"
  (the organisation they wrote it for, which the page already has, else their current one
  if it is loaded already, else "a member");
- otherwise their display name.

The person is taken duck-typed (core imports no feature): `name`, `name_public`,
`closed_at`, and `memberships` when loaded.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import inspect


def reader_is_visitor() -> bool:
    """Whether the page is being made for someone not logged in (no request: an email or a
    job, whose readers are members)."""
    return has_request_context() and not current_user.is_authenticated


def _organisation(person, organisation):
    """The organisation to name them by: the one they acted for (a post's, a listing's),
    else their current one when it is loaded already (members.reads.named: never a query
    per name)."""
    if organisation is not None:
        return organisation
    state = inspect(person, raiseerr=False)
    if state is None or "memberships" in state.unloaded:
        return None
    for membership in person.memberships:
        if "organisation" not in inspect(membership).unloaded:
            return membership.organisation
    return None


def who(person, organisation=None, *, visitor: bool | None = None) -> str:
    """`{{ post.author|who(post.organisation) }}`: the person's name as this reader sees it."""
    if person is None:
        return ""
    if person.closed_at is not None:
        return person.name
    if visitor is None:
        visitor = reader_is_visitor()
    if visitor and not person.name_public:
        found = _organisation(person, organisation)
        if found is not None:
            return _("a member of %(organisation)s", organisation=found.name)
        return _("a member")
    return person.name
