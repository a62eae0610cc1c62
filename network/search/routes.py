"""The search page: /search?q= &kind= &area= &from= &to= &page=, its results block filled as
the box is typed in (htmx), the same page without JavaScript."""

from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _

from network.core.htmx import render, wants
from network.core.pagination import Page, page_number, page_size
from network.core.permissions import me
from network.members.models import Area
from network.members.services import live_entries
from network.search import searching
from network.search.forms import SearchPageForm
from network.search.models import Kind
from network.search.query import MAX_TERMS, parse
from network.search.searching import MAX_PAGE, Filters

bp = Blueprint("search", __name__)


def search_context(form: SearchPageForm) -> dict:
    query = parse(form.q.data if not form.q.errors else "")
    filters = Filters(
        kind=Kind(kind) if (kind := form.chosen(form.kind)) else None,
        area_id=int(area) if (area := form.chosen(form.area)) else None,
        since=None if form.since.errors else form.since.data,
        until=None if form.until.errors else form.until.data)
    number = page_number()
    if number > MAX_PAGE:
        abort(404)
    problem = None
    if form.q.data and not form.q.errors and query.empty:
        problem = (_("Add a word to look for, as well as those to leave out.")
                   if query.unwanted else _("Type a word or two to look for: letters or "
                                            "numbers, not only punctuation."))
    if problem is None and wants("results"):  # the results alone: not the fields' messages
        problem = next((message for messages in form.errors.values() for message in messages),
                       None)
    found = (searching.search(query, me(), filters, number, page_size()) if not query.empty
             else searching.Found(Page(items=[], page=number, per_page=page_size(), total=0),
                                  0))
    return {"form": form, "query": query, "page": found.page, "found": found,
            "pool": searching.POOL, "problem": problem,
            "cut": query.cut and _("Only the first %(num)d words were looked for.",
                                   num=MAX_TERMS),
            "searched": not query.empty, "wider": wider(form), "notes": notes()}


def notes() -> dict[str, str]:
    """What a result's state says beside its title."""
    return {"held": _("Waiting for approval"), "hidden": _("Hidden"),
            "cancelled": _("Cancelled"), "draft": _("Draft"), "matched": _("Matched"),
            "closed": _("Closed"), "done": _("Done"), "open": _("Open"),
            "dropped": _("Dropped"), "in_progress": _("In progress")}


def wider(form: SearchPageForm) -> list[tuple[str, str]]:
    """For no results: each filter in use, as a link to the same search without it. Only the
    form's own fields are carried: any other name would reach url_for as one of its own
    arguments (?_method=DELETE was a 500, ?_external one on the request's host)."""
    found = []
    kept = {f.name: request.args[f.name] for f in form if f.name in request.args}
    for field, say in ((form.kind, _("any type")), (form.area, _("any area")),
                       (form.since, _("any start date")), (form.until, _("any end date"))):
        if kept.get(field.name):
            args = {k: v for k, v in kept.items() if k != field.name}
            found.append((url_for("search.search", **args), say))
    return found


@bp.get("/search")
def search():
    form = SearchPageForm(request.args, areas=live_entries(Area))
    form.validate()
    return render("search/search.html", search_context(form), fragments=("results",),
                  status=422 if form.errors else 200)
