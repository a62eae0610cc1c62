from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from network.auth import services as auth_services
from network.auth.models import Person, Role
from network.auth.policies import person_access
from network.coordination import services
from network.coordination.forms import (
    AuditFilterForm,
    DeclineForm,
    ListEntryForm,
    PeopleFilterForm,
    RetireForm,
    RoleForm,
    SuspendForm,
)
from network.core.audit import AuditEntry
from network.core.forms import EmptyForm
from network.core.htmx import render, see_other
from network.core.pagination import paginate
from network.core.permissions import authorize, can, load, me
from network.core.submit import press, submit
from network.extensions import db
from network.forum import reads as forum_reads
from network.forum.models import active_pause
from network.members import services as members_services
from network.members.models import Application, Area, Membership, Organisation, OrgStatus, Theme

bp = Blueprint("coordination", __name__, url_prefix="/coordinate")

LISTS = {
    "areas": (Area, _l("Neighbourhood areas"), _l("area")),
    "themes": (Theme, _l("Themes"), _l("theme")),
}


@bp.get("")
def overview():
    authorize("coordination.view")
    return render("coordination/overview.html",
                  pending=members_services.pending_applications_count(),
                  to_moderate=forum_reads.waiting_for_moderation())


def applications_context() -> dict:
    """Applications waiting, oldest first; on the first page, the latest decided too."""
    pending = paginate(
        select(Application).join(Application.organisation)
        .where(Organisation.status == OrgStatus.APPLIED)
        .options(contains_eager(Application.organisation))
        .order_by(Application.submitted_at, Application.id))
    decided = []
    if pending.page == 1:
        decided = list(db.session.scalars(
            select(Application).where(Application.decided_at.is_not(None))
            .options(selectinload(Application.decided_by),
                     selectinload(Application.organisation))
            .order_by(Application.decided_at.desc()).limit(20)))
    return {"pending": pending, "decided": decided}


@bp.get("/applications")
def applications():
    authorize("applications.review")
    return render("coordination/applications.html", applications_context(),
                  fragments=("results",))


def application_context(application: Application, decline_form: DeclineForm | None = None):
    return {"application": application, "org": application.organisation,
            "approve_form": EmptyForm(), "decline_form": decline_form or DeclineForm()}


@bp.get("/applications/<int:application_id>")
def application(application_id: int):
    application = load(Application, application_id, need="applications.review")
    return render("coordination/application.html", application_context(application))


def to_applications(form):
    """A decision's button answers on the list; a refusal (decided already) is said there."""
    if form.problem:
        flash(form.problem, "error")
    return redirect(url_for("coordination.applications"), 303)


@bp.post("/applications/<int:application_id>/approve")
def approve(application_id: int):
    application = load(Application, application_id, need="applications.review")
    form = EmptyForm()
    return submit(form, lambda: members_services.approve(application, current_user),
                  page=lambda: to_applications(form),
                  done=lambda _invitation: see_other(url_for("coordination.applications"), _(
                      "%(name)s is approved. We have emailed %(email)s an invitation.",
                      name=application.organisation.name, email=application.contact_email)))


@bp.route("/applications/<int:application_id>/decline", methods=["GET", "POST"])
def decline(application_id: int):
    application = load(Application, application_id, need="applications.review")
    if request.method == "GET":  # the address of a refused form, opened again
        return redirect(url_for("coordination.application", application_id=application.id)
                        + "#decide", 303)
    form = DeclineForm()
    return submit(form, lambda: members_services.decline(application, current_user,
                                                         form.reason.data),
                  page=lambda: to_applications(form) if form.problem else render(
                      "coordination/application.html", application_context(application, form)),
                  done=lambda _result: see_other(url_for("coordination.applications"), _(
                      "%(name)s is declined, and the applicant has been told why.",
                      name=application.organisation.name)))


def people_context(form: PeopleFilterForm) -> dict:
    query = select(Person).order_by(Person.display_name)
    if form.q.data:
        pattern = f"%{form.q.data.lower()}%"
        query = query.where(or_(func.lower(Person.display_name).like(pattern),
                                Person.email.like(pattern)))
    if form.role.data and not form.role.errors:
        query = query.where(Person.role == Role(form.role.data))
    if form.status.data == "active":
        query = query.where(Person.suspended_at.is_(None))
    elif form.status.data == "suspended":
        query = query.where(Person.suspended_at.is_not(None))
    page = paginate(query)
    memberships: dict[int, list[Membership]] = {}
    if page.items:
        rows = db.session.scalars(
            select(Membership).where(Membership.person_id.in_([p.id for p in page.items]),
                                     Membership.left_at.is_(None))
            .options(selectinload(Membership.organisation)))
        for membership in rows:
            memberships.setdefault(membership.person_id, []).append(membership)
    return {"form": form, "page": page, "memberships": memberships}


@bp.get("/people")
def people():
    authorize("people.view")
    form = PeopleFilterForm(request.args)
    form.validate()
    return render("coordination/people.html", people_context(form), fragments=("results",),
                  status=422 if form.errors else 200)


def person_context(person: Person, role_form: RoleForm | None = None,
                   suspend_form: SuspendForm | None = None) -> dict:
    memberships = list(db.session.scalars(
        select(Membership).where(Membership.person_id == person.id)
        .options(selectinload(Membership.organisation)).order_by(Membership.joined_at)))
    history = list(db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "person",
                                 AuditEntry.target_id == person.id)
        .options(selectinload(AuditEntry.actor)).order_by(AuditEntry.at.desc()).limit(20)))
    return {"person": person, "access": person_access(me(), person),
            "may_pause": can("posting.pause", person), "memberships": memberships,
            "history": history, "posting_pause": active_pause(person),
            "role_form": role_form or RoleForm(role=person.role.value),
            "suspend_form": suspend_form or SuspendForm(), "button_form": EmptyForm()}


@bp.get("/people/<int:person_id>")
def person(person_id: int):
    person = load(Person, person_id, need="people.view")
    return render("coordination/person.html", person_context(person))


def person_path(person: Person) -> str:
    return url_for("coordination.person", person_id=person.id)


@bp.post("/people/<int:person_id>/role")
def set_role(person_id: int):
    person = load(Person, person_id, need="people.view")
    form = RoleForm()

    def change():
        new_role = Role(form.role.data)
        if not can("person.grant_role", (person, new_role)):
            abort(403)
        return auth_services.set_role(person, new_role, current_user)

    return submit(form, change,
                  page=lambda: render("coordination/person.html",
                                      person_context(person, role_form=form)),
                  done=lambda changed: see_other(
                      person_path(person),
                      _("%(name)s is now: %(role)s.", name=person.name,
                        role=person.role.label),
                      already=_("%(name)s was already: %(role)s.", name=person.name,
                                role=person.role.label), changed=changed))


@bp.post("/people/<int:person_id>/suspend")
def suspend(person_id: int):
    person = load(Person, person_id, need="person.manage")
    form = SuspendForm()
    return submit(form, lambda: auth_services.suspend(person, form.reason.data, current_user),
                  page=lambda: render("coordination/person.html",
                                      person_context(person, suspend_form=form)),
                  done=lambda changed: see_other(
                      person_path(person),
                      _("%(name)s is suspended and logged out everywhere.",
                        name=person.name),
                      already=_("%(name)s was already suspended.", name=person.name),
                      changed=changed))


@bp.post("/people/<int:person_id>/reinstate")
def reinstate(person_id: int):
    person = load(Person, person_id, need="person.manage")
    return press(lambda: auth_services.reinstate(person, current_user), person_path(person),
                 _("%(name)s can log in again.", name=person.name),
                 already=_("%(name)s was not suspended: they can log in.",
                           name=person.name))


def list_kind(kind: str):
    if kind not in LISTS:
        abort(404)
    return LISTS[kind]


@bp.route("/<any(areas, themes):kind>", methods=["GET", "POST"])
def list_entries(kind: str):
    authorize("lists.manage")
    model, title, noun = list_kind(kind)
    form = ListEntryForm(model=model)

    def page():
        entries = list(db.session.scalars(
            select(model).order_by(model.archived_at.is_not(None), model.name)))
        return render("coordination/list_entries.html", kind=kind, title=title, noun=noun,
                      entries=entries, form=form, button_form=EmptyForm())

    return submit(form, lambda: services.add_entry(model, form.name.data,
                                                   form.description.data or "", noun),
                  page=page,
                  done=lambda entry: see_other(url_for("coordination.list_entries", kind=kind),
                                               _("Added %(name)s.", name=entry.name)))


@bp.route("/<any(areas, themes):kind>/<int:entry_id>", methods=["GET", "POST"])
def edit_list_entry(kind: str, entry_id: int):
    model, title, noun = list_kind(kind)
    entry = load(model, entry_id, need="lists.manage")
    form = ListEntryForm(obj=entry, model=model, entry=entry)
    return submit(form, lambda: services.edit_entry(entry, form.name.data,
                                                    form.description.data or "", noun),
                  page=lambda: render("coordination/edit_list_entry.html", kind=kind,
                                      title=title, noun=noun, entry=entry, form=form),
                  done=lambda _result: see_other(url_for("coordination.list_entries",
                                                         kind=kind),
                                                 _("Saved %(name)s.", name=entry.name)))


@bp.post("/<any(areas, themes):kind>/<int:entry_id>/archive")
def archive_list_entry(kind: str, entry_id: int):
    model, _title, noun = list_kind(kind)
    entry = load(model, entry_id, need="lists.manage")
    form = RetireForm()
    retired = form.retire.data == "yes"
    to_list = url_for("coordination.list_entries", kind=kind)

    def page():  # only a refused form: the list says why
        flash(form.retire.errors[0] if form.retire.errors else
              _("That did not work: press the button again."), "error")
        return redirect(to_list, 303)

    return submit(form, lambda: services.retire(entry, noun, retired), page=page,
                  done=lambda changed: see_other(
                      to_list,
                      _("Retired %(name)s.", name=entry.name) if retired else
                      _("Brought back %(name)s.", name=entry.name),
                      already=_("%(name)s was already retired.", name=entry.name) if retired
                      else _("%(name)s was already in use.", name=entry.name),
                      changed=changed))


def subject_id(entry: AuditEntry) -> int | None:
    """The person an entry is about, by reference: its target, or the member an organisation's
    entry names (a membership, a seat's term). Entries hold no one's name or address: the page
    shows the person's name as it is now ("a former member" once closed)."""
    if entry.target_type == "person":
        return entry.target_id
    found = entry.details.get("person", entry.details.get("holder"))
    return found if isinstance(found, int) else None


def audit_context(form: AuditFilterForm) -> dict:
    query = (select(AuditEntry).options(selectinload(AuditEntry.actor))
             .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))
    if form.action.data:
        query = query.where(AuditEntry.action.startswith(form.action.data, autoescape=True))
    page = paginate(query)
    wanted = {entry.id: subject_id(entry) for entry in page.items}
    people = ({person.id: person for person in db.session.scalars(
        select(Person).where(Person.id.in_(set(wanted.values()) - {None})))}
        if any(wanted.values()) else {})
    return {"form": form, "page": page,
            "subjects": {entry_id: people.get(person_id)
                         for entry_id, person_id in wanted.items()}}


@bp.get("/audit")
def audit_log():
    authorize("audit.view")
    form = AuditFilterForm(request.args)
    form.validate()
    return render("coordination/audit.html", audit_context(form), fragments=("results",),
                  status=422 if form.errors else 200)
