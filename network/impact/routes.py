"""The record of what was shared: an organisation's (its contacts, coordinators) and the
network's (coordinators), as a page over a chosen period and as CSV."""

from __future__ import annotations

from flask import Blueprint, Response, request, url_for
from flask_babel import gettext as _

from network.core.htmx import render
from network.core.permissions import authorize, load
from network.core.text import one_line, slugify
from network.impact.figures import Period, choices, csv_text, period_of, record_of
from network.impact.forms import PeriodForm
from network.members.models import Organisation
from network.representation.models import REPORT_DUE_DAYS

bp = Blueprint("impact", __name__)


def period_form() -> PeriodForm:
    form = PeriodForm(request.args)
    form.validate()
    return form


def record_context(form: PeriodForm, org: Organisation | None = None) -> dict:
    """The figures over the period the form gives (the past 12 months unless it gives one),
    the quick choices and the CSV's address, for one organisation or the network."""
    period = period_of(form)
    if not form.errors:  # the fields show the period shown, to change from
        form.start.data, form.end.data = period.first, period.last
    if org is None:
        record = record_of(_("The whole network"), period)
        here, csv = "impact.network", "impact.network_csv"
        ids: dict = {}
    else:
        record = record_of(org.name, period, org.id)
        here, csv = "impact.organisation", "impact.organisation_csv"
        ids = {"org_id": org.id}

    def address(endpoint: str, shown: Period) -> str:
        return url_for(endpoint, **ids, **shown.args)

    return {"org": org, "form": form, "record": record, "period": period,
            "choices": [(label, address(here, shown), shown == period)
                        for label, shown in choices()],
            "csv_url": address(csv, period), "due_days": REPORT_DUE_DAYS}


def page(form: PeriodForm, org: Organisation | None = None):
    return render("impact/record.html", record_context(form, org), fragments=("results",),
                  status=422 if form.errors else 200)


def csv_file(form: PeriodForm, name: str, org: Organisation | None = None) -> Response:
    """The record as a CSV download; a period that is not one is refused (422) in words."""
    if form.errors:
        problems = [str(error) for errors in form.errors.values() for error in errors]
        return Response("\n".join(problems) + "\n", 422, mimetype="text/plain")
    period = period_of(form)
    record = record_of(org.name if org else _("The whole network"), period,
                       org.id if org else None)
    filename = one_line(f"shared-{name}-{period.first.isoformat()}-to-"
                        f"{period.last.isoformat()}.csv")
    response = Response(csv_text(record), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def load_organisation(org_id: int) -> Organisation:
    return load(Organisation, org_id, need="impact.organisation", visible="org.view")


@bp.get("/organisations/<int:org_id>/shared")
def organisation(org_id: int):
    return page(period_form(), load_organisation(org_id))


@bp.get("/organisations/<int:org_id>/shared.csv")
def organisation_csv(org_id: int):
    org = load_organisation(org_id)
    return csv_file(period_form(), slugify(org.name), org)


@bp.get("/shared")
def network():
    authorize("impact.network")
    return page(period_form())


@bp.get("/shared.csv")
def network_csv():
    authorize("impact.network")
    return csv_file(period_form(), "network")
