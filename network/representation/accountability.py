"""The accountability record's pages, per body and per seat (`record` computes it)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from network.core.htmx import render
from network.core.permissions import load, me
from network.extensions import db
from network.members.reads import named
from network.representation.blueprint import bp, load_seat
from network.representation.models import REPORT_DUE_DAYS, Body, Seat, Term
from network.representation.policies import report_access, seat_access
from network.representation.record import COORDINATORS_TOLD_AFTER, records_for


def body_record_context(body: Body) -> dict:
    seats = list(db.session.scalars(
        select(Seat).where(Seat.body_id == body.id, Seat.archived_at.is_(None))
        .options(selectinload(Seat.terms).options(named(joinedload(Term.holder)),
                                                  named(joinedload(Term.deputy))))
        .order_by(Seat.title)))
    return {"body": body, "records": records_for(seats), "due_days": REPORT_DUE_DAYS,
            "coordinators_after": COORDINATORS_TOLD_AFTER.days}


@bp.get("/bodies/<int:body_id>/accountability")
def body_record(body_id: int):
    found = load(Body, body_id, need="body.view", visible="body.view",
                 log_in="body.log_in")
    return render("representation/body_record.html", body_record_context(found))


def seat_record_context(seat: Seat) -> dict:
    [record] = records_for([seat])
    person = me()
    access = seat_access(person, seat)
    readable = {m.report.id for m in record.meetings
                if m.report is not None and report_access(person, m.report, access).view}
    return {"seat": seat, "body": seat.body, "record": record, "readable": readable,
            "access": access, "due_days": REPORT_DUE_DAYS,
            "coordinators_after": COORDINATORS_TOLD_AFTER.days}


@bp.get("/seats/<int:seat_id>/accountability")
def seat_record(seat_id: int):
    return render("representation/seat_record.html", seat_record_context(load_seat(seat_id)))
