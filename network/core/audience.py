"""Who a thing is for: the same words for forum categories, events and reports."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Audience(StrEnum):
    PUBLIC = "public"  # anyone, logged in or not
    MEMBERS = "members"  # everyone signed in
    COORDINATORS = "coordinators"

    @property
    def label(self) -> str:
        return str(AUDIENCE_LABELS[self])


AUDIENCE_LABELS = {
    Audience.PUBLIC: _l("Everyone, including the public"),
    Audience.MEMBERS: _l("Everyone signed in"),
    Audience.COORDINATORS: _l("Coordinators only"),
}
