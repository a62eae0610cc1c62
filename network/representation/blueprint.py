"""The representation blueprint, and the loaders its route modules share: each loads an
object with the person asking's access to it, or answers 404, 403 or "log in"."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy.orm import joinedload, selectinload

from network.core.permissions import load
from network.members.reads import named
from network.representation.models import Report, Seat, Term

bp = Blueprint("representation", __name__)


def load_seat(seat_id: int, need: str = "seat.view") -> Seat:
    return load(Seat, seat_id, need=need, visible="seat.view", log_in="seat.log_in", options=(
        joinedload(Seat.body),
        selectinload(Seat.terms).options(named(joinedload(Term.holder)),
                                         named(joinedload(Term.deputy)))))


def load_report(report_id: int, need: str = "report.view") -> Report:
    return load(Report, report_id, need=need, visible="report.view", log_in="report.log_in",
                options=(joinedload(Report.seat).options(joinedload(Seat.body),
                                                         selectinload(Seat.terms)),
                         named(joinedload(Report.author)), joinedload(Report.questions)))
