"""Calendars brought in, for coordinators: the list of sources with their last import (and
a form to add one, by its address or a file), changing one, importing it now, removing it."""

from __future__ import annotations

from flask import redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.calendar import sources
from network.calendar.blueprint import bp
from network.calendar.forms import SourceForm
from network.calendar.models import CalendarSource
from network.core import files
from network.core.forms import EmptyForm
from network.core.htmx import render, see_other
from network.core.permissions import authorize, load
from network.core.submit import press, submit
from network.members.services import approved_organisations


def source_form(source: CalendarSource | None = None) -> SourceForm:
    form = SourceForm(obj=source, organisations=approved_organisations(), editing=source)
    if source is not None and not form.is_submitted():
        form.audience.data, form.kind.data = source.audience.value, source.kind.value
        form.organisation.data = str(source.organisation_id)
    return form


def sources_context(form: SourceForm) -> dict:
    return {"sources": sources.live_sources(), "form": form, "action": EmptyForm()}


def to_list() -> str:
    return url_for("calendar.calendar_sources")


@bp.route("/sources", methods=["GET", "POST"])
@files.accepts_uploads  # an .ics file may be larger than MAX_CONTENT_LENGTH
def calendar_sources():
    authorize("calendar.sources")
    form = source_form()
    read = sources.read_first(form.url.data) if form.validate_on_submit() else None
    return submit(
        form, lambda: sources.add_source(form.source_values(), form.file.data, current_user,
                                         read),
        page=lambda: render("calendar/sources.html", sources_context(form)),
        done=lambda source: see_other(to_list(), _(
            "“%(name)s” is brought in: %(summary)s", name=source.name,
            summary=sources.summary(sources.last_import(source)))))


def load_source(source_id: int) -> CalendarSource:
    return load(CalendarSource, source_id, visible="calendar_source.view",
                need="calendar_source.manage")


@bp.route("/sources/<int:source_id>", methods=["GET", "POST"])
@files.accepts_uploads
def edit_source(source_id: int):
    source = load_source(source_id)
    form = source_form(source)
    read = sources.read_first(form.url.data) if (
        form.validate_on_submit() and (form.url.data or "") != source.url) else None
    return submit(
        form, lambda: sources.edit_source(source, form.source_values(), form.file.data,
                                          current_user, read),
        page=lambda: render("calendar/source_form.html", {"source": source, "form": form}),
        done=lambda result: see_other(to_list(), _("Saved.") if result is None else _(
            "Saved. %(summary)s", summary=sources.summary(result))))


@bp.post("/sources/<int:source_id>/import")
def import_source(source_id: int):
    source = load_source(source_id)
    form = EmptyForm()
    read = sources.read_first(None if source.from_file else source.url) if (
        form.validate_on_submit()) else None
    return submit(form, lambda: sources.import_source(
        source, *((read.body, read.refused) if read else ())), page=to_list_page,
                  done=lambda result: see_other(
                      to_list(), _("“%(name)s”: %(summary)s", name=source.name,
                                   summary=sources.summary(result)),
                      "error" if result.error else "success"))


def to_list_page():
    """A button whose form failed its CSRF check goes back to the list."""
    return redirect(to_list(), 303)


@bp.post("/sources/<int:source_id>/remove")
def remove_source(source_id: int):
    source = load_source(source_id)
    return press(lambda: sources.remove_source(source, current_user), to_list(),
                 _("“%(name)s” is removed, and its events with it.", name=source.name))
