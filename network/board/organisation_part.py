"""The board's part of an organisation's page: what it shares. The board is for people
signed in: visitors see neither its listings nor the count."""

from __future__ import annotations

from network.board import reading
from network.members.parts import organisation_parts


def sharing(org, viewer) -> dict | None:
    if not viewer.is_authenticated:
        return None
    return {"listings": reading.listings_of(org.id),
            "shared": reading.shared_this_year(org.id)}


organisation_parts.register("board", "board/_organisation_part.html", sharing)
