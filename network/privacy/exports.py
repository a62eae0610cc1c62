"""Asking for one's own archive and taking it: a DataExport row per request, whose link works
once and for ARCHIVE_VALID_FOR, and no second request sooner than ARCHIVE_AGAIN_AFTER after
the last (docs/decisions.md, 2026-12-06 "One's own archive")."""

from __future__ import annotations

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select, update

from network.auth.login import Hold, minutes
from network.auth.models import Person
from network.core import audit
from network.core.time import now
from network.core.tokens import hash_token, new_token
from network.extensions import db
from network.privacy.models import DataExport


def ask(person: Person, hold: Hold) -> tuple[DataExport, str]:
    """A new export for the person and its raw token (for the link; only its hash is kept).
    Refused, held back (429) and with no row made, when they asked less than
    ARCHIVE_AGAIN_AFTER ago. Two asks at the same moment make one: the person's row is locked
    first (SQLite has one writer anyway)."""
    db.session.execute(select(Person.id).where(Person.id == person.id).with_for_update())
    config = current_app.config
    moment = now()
    last = db.session.execute(select(DataExport.created_at, DataExport.used_at)
                              .where(DataExport.person_id == person.id)
                              .order_by(DataExport.created_at.desc(), DataExport.id.desc())
                              .limit(1)).first()
    if last is not None and moment < last.created_at + config["ARCHIVE_AGAIN_AFTER"]:
        wait = int((last.created_at + config["ARCHIVE_AGAIN_AFTER"] - moment)
                   .total_seconds()) + 1
        # Once downloaded, its link works no more: "use the link" would send them to a 404.
        hold.check(wait, ngettext(
            "You downloaded a copy of your data a moment ago. You can ask for another in "
            "%(num)d minute.",
            "You downloaded a copy of your data a moment ago. You can ask for another in "
            "%(num)d minutes.", minutes(wait)) if last.used_at is not None else ngettext(
            "You asked for a copy of your data a moment ago. Use the link you were given, or "
            "wait %(num)d minute and ask again.",
            "You asked for a copy of your data a moment ago. Use the link you were given, or "
            "wait %(num)d minutes and ask again.", minutes(wait)))
    raw, hashed = new_token()
    export = DataExport(person_id=person.id, token_hash=hashed, created_at=moment,
                        expires_at=moment + config["ARCHIVE_VALID_FOR"])
    db.session.add(export)
    audit.record("person.archive_ask", person, "Asked for a copy of their data", actor=person)
    return export, raw


def find(token: str) -> DataExport | None:
    """The export a link's token names, if it is unused and unexpired, whoever's it is (the
    route asks the policy whose it may be)."""
    export = db.session.scalar(select(DataExport)
                               .where(DataExport.token_hash == hash_token(token)))
    if export is None or export.used_at is not None or export.expires_at <= now():
        return None
    return export


def take(export: DataExport) -> bool:
    """Mark the export used, if it still is not: False when another request took it first
    (the same link pressed twice at once downloads once)."""
    moment = now()
    taken = db.session.execute(
        update(DataExport)
        .where(DataExport.id == export.id, DataExport.used_at.is_(None),
               DataExport.expires_at > moment)
        .values(used_at=moment)
        .execution_options(synchronize_session=False)).rowcount
    if not taken:
        return False
    audit.record("person.archive_download", export.person, "Downloaded a copy of their data",
                 actor=export.person)
    return True
