"""Rules of representation: a public body, its seats and holders are for everyone; a members'
body for everyone signed in; coordinators set bodies and seats up and record who holds them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, true

from network.core.audience import Audience
from network.core.permissions import coordinator, policies_from, policy, scope, signed_in
from network.representation.models import Body


@policy("bodies.manage")
def manage_bodies(person, _) -> bool:
    return coordinator(person)


@policy("representatives.view")
def my_representatives(person, _) -> bool:
    return signed_in(person)


@scope(Body)
def bodies_seen(person):
    if coordinator(person):
        return true()
    live = Body.archived_at.is_(None)
    if signed_in(person):
        return live
    return and_(live, Body.audience == Audience.PUBLIC)


@dataclass(frozen=True, slots=True)
class BodyAccess:
    view: bool
    manage: bool  # change it, add seats, record holders


def body_access(person, body: Body) -> BodyAccess:
    live = body.archived_at is None
    view = coordinator(person) or (live and (signed_in(person)
                                             or body.audience == Audience.PUBLIC))
    return BodyAccess(view=view, manage=coordinator(person))


policies_from(body_access, {"body.view": "view", "body.manage": "manage"})
