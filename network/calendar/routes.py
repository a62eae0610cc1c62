"""Calendar pages, on one blueprint: what is on and one event (views.py), adding, changing
and cancelling (editing.py), answering and following (answers.py), feeds (feed_routes.py), and
calendars brought in (imports.py). create_app registers `bp` from here."""

from __future__ import annotations

# Imported for their routes, which join the blueprint.
from network.calendar import answers, editing, feed_routes, imports, views  # noqa: F401
from network.calendar.blueprint import bp

__all__ = ["bp"]
