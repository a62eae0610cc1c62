from __future__ import annotations

from flask import Blueprint, current_app
from flask_login import current_user
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import selectinload

from network.calendar.reads import upcoming_public
from network.core.htmx import render
from network.core.permissions import authorize, can, me
from network.extensions import db
from network.home.whatsnew import whats_new_context
from network.members import services
from network.members.models import Membership, Organisation, OrgStatus
from network.representation.record import seat_duties

bp = Blueprint("pages", __name__)


@bp.get("/")
def home():
    """What is new for the person logged in (network.home); the public home for visitors."""
    if current_user.is_authenticated:
        return render("home/whatsnew.html", whats_new_context(me()))
    newest = list(db.session.scalars(
        select(Organisation).where(Organisation.status == OrgStatus.APPROVED)
        .order_by(Organisation.approved_at.desc(), Organisation.id.desc()).limit(6)))
    count = db.session.scalar(select(func.count()).select_from(Organisation)
                              .where(Organisation.status == OrgStatus.APPROVED)) or 0
    return render("pages/home.html", newest=newest, organisation_count=count,
                  events=upcoming_public(5))


@bp.get("/dashboard")
def dashboard():
    authorize("account.use")
    memberships = list(db.session.scalars(
        select(Membership).where(Membership.person_id == current_user.id,
                                 Membership.left_at.is_(None))
        .options(selectinload(Membership.organisation)).order_by(Membership.joined_at)))
    pending = services.pending_applications_count() if can("applications.review") else None
    return render("pages/dashboard.html", pending=pending, memberships=[
        (membership, can("org.manage_people", membership.organisation))
        for membership in memberships], duties=seat_duties(me()))


@bp.get("/memorandum")
def memorandum():
    return render("pages/memorandum.html")


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("Health check failed")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
