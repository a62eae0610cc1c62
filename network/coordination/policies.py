"""Rules for the coordinators' pages: the secretariat's work, coordinators and admins only."""

from __future__ import annotations

from network.core.permissions import coordinator, policy


@policy("coordination.view", "applications.review", "people.view", "lists.manage",
        "audit.view")
def coordinate(person, _) -> bool:
    return coordinator(person)
