"""Two requests at once. The same form sent twice makes one row (`submit_once`); two people
saving one record at the same moment are told apart, and the second is shown both versions
rather than overwriting the first (`save_versioned`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from network.extensions import db

Row = TypeVar("Row")


def submit_once(key: str | None, find: Callable[[str], Row | None],
                write: Callable[[], Row]) -> Row | None:
    """The row a form with a submission key makes: written and committed now by write(), or
    the one the same form already made (sent twice, or twice at the same moment: a unique
    index on the key refuses the second, which then finds the first). find(key) must look
    among the sender's own rows only. None if the key is taken by a row find() cannot see."""
    row = find(key) if key else None
    if row is None:
        try:
            row = write()
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            row = find(key) if key else None
    return row


def save_versioned(record, version_field, change: Callable[[], None]) -> bool:
    """Make the change and commit, if the record is still at the version its form was opened
    at (the form's VersionField). Otherwise change nothing, put the conflict on the form and
    return False: the field then carries the current version, so saving again overwrites
    knowingly, and the page shows the saved version beside what was typed.

    Two saves at the same moment both pass the first check; the record's version column
    (SQLAlchemy's version_id_col) makes the loser's UPDATE match no row, caught here too."""
    if version_field.data == record.version:
        try:
            change()
            db.session.commit()
            return True
        except StaleDataError:
            db.session.rollback()
    db.session.refresh(record)
    version_field.conflict(record.version)
    return False
