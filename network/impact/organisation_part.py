"""The impact record's part of an organisation's page: a link to what it shared, for those
who may see it (its contacts, coordinators)."""

from __future__ import annotations

from network.core.permissions import can
from network.members.parts import organisation_parts


def shared_link(org, viewer) -> dict | None:
    if not can("impact.organisation", org, person=viewer):
        return None
    return {}


organisation_parts.register("impact", "impact/_organisation_part.html", shared_link)
