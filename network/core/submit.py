"""One way to answer a form: run the service, commit once, or roll back and show why.

A route that changes something reads as: load with access, build the form, and hand `submit`
the service call, the page the form is on, and what to do once it went through:

    form = BodyForm()
    return submit(form, lambda: services.create_body(form.values(), current_user),
                  page=lambda: render("representation/body_form.html", {"form": form}),
                  done=lambda body: see_other(services.body_path(body), _("Added.")))

- A GET, or a form sent back with errors, gets `page()`: 200, or 422 with each message beside
  its field (htmx swaps 422s in place; site.js configures it).
- The service raises `Refused` (every feature's error is one): the session is rolled back and
  the message put beside its field, or on `form.problem` for the page to show above the form.
- `once=find`: the form carries a submission key (SubmissionKeyField `submission`); sent twice,
  or twice at the same moment, it makes one row: the second send gets the row the first made
  (`find(key)` looks among the sender's own rows, still visible to them). A key taken by a
  row they cannot see is a 409.
- `record=`: the form carries the record's version (VersionField `version`). Someone saved it
  since the form was opened: nothing is changed, and the page shows both versions with 409.
- `done(result)` answers a change that went through: `core.htmx.see_other` (303, or htmx's
  HX-Location), or a block of the page re-rendered in place (`core.htmx.render`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, redirect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from network.core.forms import EmptyForm, Refused
from network.core.htmx import see_other
from network.extensions import db

Result = TypeVar("Result")


def submit(form, change: Callable[[], Result], *, page: Callable[[], Any],
           done: Callable[[Result], Any], once: Callable[[str], Any] | None = None,
           record: Any = None):
    if not form.validate_on_submit():
        return with_status(page(), 422 if form.errors else 200)
    try:
        if once is not None:
            result = _once(form.submission.data, once, change)
        elif record is not None:
            result = _versioned(record, form.version, change)
            if result is _CONFLICT:
                return with_status(page(), 409)
        else:
            result = change()
            db.session.commit()
    except Refused as refusal:
        db.session.rollback()
        form.refused(refusal)
        return with_status(page(), 422)
    return done(result)


def with_status(response, status: int):
    """A page keeps its status but for a plain 200; a redirect (a button's form) stays one."""
    if response.status_code == 200:
        response.status_code = status
    return response


_CONFLICT = object()


def _once(key: str | None, find: Callable[[str], Any], change: Callable[[], Result]):
    """A unique index on the key refuses the second of two sends at the same moment, which
    then finds the first's row."""
    row = find(key) if key else None
    if row is None:
        try:
            row = change()
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            row = find(key) if key else None
            if row is None:
                abort(409)
    return row


def _versioned(record, version_field, change: Callable[[], Result]):
    """Two saves at the same moment both pass the first check; the record's version column
    (SQLAlchemy's version_id_col) makes the loser's UPDATE match no row, caught here too.
    The field then carries the current version, so saving again overwrites knowingly."""
    if version_field.data == record.version:
        try:
            result = change()
            db.session.commit()
            return result
        except StaleDataError:
            db.session.rollback()
    db.session.refresh(record)
    version_field.conflict(record.version)
    return _CONFLICT


def press(change: Callable[[], Any], back: str, message: str | None = None, *,
          already: str | None = None):
    """A button with nothing to fill in (an EmptyForm): the change, then back to `back`
    saying what was done, or `already` when the service found it so (it returned False). A
    button whose form fails its CSRF check goes back there and changes nothing."""
    return submit(EmptyForm(), change, page=lambda: redirect(back, 303),
                  done=lambda result: see_other(back, message, already=already,
                                                changed=result is not False))
