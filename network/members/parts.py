"""What other features show on an organisation's page, without members importing them.

A feature registers its part from a module of its own (create_app imports it):

    organisation_parts.register("calendar", "calendar/_organisation_part.html", coming_up)

where `coming_up(org, viewer)` returns the values its template reads (as `part.values`), or
None to show nothing to this viewer. The page shows the parts in the order registered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PartValues = Callable[[Any, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Part:
    name: str
    template: str
    values: dict[str, Any]


class OrganisationParts:
    def __init__(self) -> None:
        self._parts: dict[str, tuple[str, PartValues]] = {}

    def register(self, name: str, template: str, values: PartValues) -> None:
        self._parts[name] = (template, values)

    def gather(self, org, viewer) -> list[Part]:
        """The parts this viewer is shown of this organisation's page."""
        shown = []
        for name, (template, values_for) in self._parts.items():
            values = values_for(org, viewer)
            if values is not None:
                shown.append(Part(name, template, values))
        return shown


organisation_parts = OrganisationParts()
