"""The coordinators' lists of neighbourhood areas and themes: added, renamed, retired and
brought back, never deleted; each change goes to the audit log."""

from __future__ import annotations

from network.core import audit
from network.core.time import now
from network.extensions import db


def add_entry(model, name: str, description: str, noun: str):
    entry = model(name=name, description=description)
    db.session.add(entry)
    db.session.flush()
    audit.record(f"{model.__tablename__}.create", entry, f"Added {noun} {entry.name}")
    return entry


def edit_entry(entry, name: str, description: str, noun: str) -> None:
    diff = audit.changes(entry, ["name", "description"],
                         {"name": name, "description": description})
    entry.name, entry.description = name, description
    if diff:
        audit.record(f"{entry.__tablename__}.edit", entry, f"Edited {noun} {entry.name}",
                     changes=diff)


def retire(entry, noun: str, retired: bool) -> bool:
    """Retired entries leave the choices but stay on what already uses them. False (nothing
    written) when the entry was already so: a second press must not undo the first."""
    if (entry.archived_at is not None) == retired:
        return False
    if retired:
        entry.archived_at = now()
        audit.record(f"{entry.__tablename__}.archive", entry, f"Retired {noun} {entry.name}")
    else:
        entry.archived_at = None
        audit.record(f"{entry.__tablename__}.restore", entry, f"Brought back {noun} {entry.name}")
    return True
