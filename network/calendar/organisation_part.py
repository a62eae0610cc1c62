"""The calendar's part of an organisation's page: what is coming up, and following it."""

from __future__ import annotations

from network.calendar import reads
from network.calendar.forms import FollowForm
from network.members.parts import organisation_parts


def coming_up(org, viewer) -> dict:
    return {"events": reads.upcoming_for(org.id, 5),
            "following": reads.follows(viewer, org.id),
            "follow_form": FollowForm() if viewer.is_authenticated else None}


organisation_parts.register("calendar", "calendar/_organisation_part.html", coming_up)
