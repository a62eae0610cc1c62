"""The directory of member organisations, their pages, joining, and managing their people."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, load_only, selectinload

from network.auth.forms import AcceptInvitationForm
from network.auth.services import find_person, start_session
from network.core.forms import EmptyForm
from network.core.htmx import render, see_other
from network.core.pagination import paginate
from network.core.permissions import authorize, load, me
from network.core.submit import press, submit
from network.core.time import now
from network.extensions import db
from network.members import services
from network.members.forms import (
    ContactForm,
    DirectoryFilterForm,
    EditOrganisationForm,
    InviteForm,
    JoinForm,
    JoinSentForm,
    OrganisationStatusForm,
)
from network.members.models import (
    Area,
    Invitation,
    Membership,
    Organisation,
    OrgStatus,
    Theme,
    organisation_theme,
)
from network.members.parts import organisation_parts
from network.members.policies import organisation_access
from network.members.services import NAME_TAKEN

bp = Blueprint("members", __name__)


def directory_context(form: DirectoryFilterForm) -> dict:
    """The approved organisations, filtered by what the form holds (an invalid filter is left
    out, and told beside it)."""
    query = (select(Organisation).where(Organisation.status == OrgStatus.APPROVED)
             .options(load_only(Organisation.name, Organisation.kind, Organisation.area_id),
                      selectinload(Organisation.themes).load_only(Theme.name),
                      selectinload(Organisation.area).load_only(Area.name))
             .order_by(Organisation.name))
    if form.q.data:
        query = query.where(Organisation.name.ilike(f"%{form.q.data}%"))
    if area_id := form.chosen_id(form.area):
        query = query.where(Organisation.area_id == area_id)
    if theme_id := form.chosen_id(form.theme):
        query = query.where(Organisation.id.in_(
            select(organisation_theme.c.organisation_id)
            .where(organisation_theme.c.theme_id == theme_id)))
    if kind := form.chosen_kind():
        query = query.where(Organisation.kind == kind)
    return {"form": form, "page": paginate(query)}


@bp.get("/organisations")
def directory():
    authorize("directory.view")
    form = DirectoryFilterForm(request.args)
    form.validate()
    return render("members/directory.html", directory_context(form), fragments=("results",),
                  status=422 if form.errors else 200)


def load_organisation(org_id: int, need: str) -> Organisation:
    return load(Organisation, org_id, need=need, visible="org.view")


@bp.get("/organisations/<int:org_id>")
@bp.get("/organisations/<int:org_id>-<slug>")
def organisation(org_id: int, slug: str | None = None):
    org = load(Organisation, org_id, need="org.view", visible="org.view",
               options=(joinedload(Organisation.area), selectinload(Organisation.themes)))
    if slug != org.slug:
        return redirect(url_for("members.organisation", org_id=org.id, slug=org.slug), 301)
    return render("members/organisation.html", **organisation_context(org))


def current_memberships(org: Organisation) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).where(Membership.organisation_id == org.id,
                                 Membership.left_at.is_(None))
        .options(joinedload(Membership.person))
        .order_by(Membership.is_contact.desc(), Membership.joined_at)))


def organisation_context(org: Organisation, status_form: OrganisationStatusForm | None = None):
    access = organisation_access(me(), org)
    if status_form is None and access.change_status:
        status_form = OrganisationStatusForm(status=org.status.value, reason=org.status_reason)
    viewer = me()
    return {
        "org": org,
        "access": access,
        "people": current_memberships(org) if access.view_people else [],
        "status_form": status_form,
        "confirm_form": EmptyForm(),
        "parts": organisation_parts.gather(org, viewer),
    }


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
def edit_organisation(org_id: int):
    org = load_organisation(org_id, "org.edit")
    form = EditOrganisationForm(
        organisation=org,
        data=None if request.method == "POST" else {
            "name": org.name, "kind": org.kind.value,
            "area": str(org.area_id) if org.area_id else "",
            "themes": [str(theme.id) for theme in org.themes],
            "description": org.description, "contribution": org.contribution,
            "governing_document": org.governing_document,
            "registered_number": org.registered_number, "website": org.website,
            "public_email": org.public_email, "phone": org.phone, "version": org.version,
        })
    return submit(form, lambda: services.edit_profile(org, form.profile_values(), current_user),
                  page=lambda: render("members/edit_organisation.html", org=org, form=form,
                                      conflict=form.version.conflicted),
                  done=lambda _result: see_other(org_path(org), _("The profile is saved.")),
                  record=org)


def org_path(org: Organisation) -> str:
    return url_for("members.organisation", org_id=org.id, slug=org.slug)


@bp.post("/organisations/<int:org_id>/confirm-active")
def confirm_active(org_id: int):
    org = load_organisation(org_id, "org.edit")
    return press(lambda: services.confirm_active(org, current_user), org_path(org),
                 _("Thank you: %(name)s is recorded as still active.", name=org.name),
                 already=_("%(name)s was already confirmed as still active today.",
                           name=org.name))


@bp.route("/organisations/<int:org_id>/status", methods=["GET", "POST"])
def change_status(org_id: int):
    org = load_organisation(org_id, "org.change_status")
    if request.method == "GET":  # the address of a refused form, opened again
        return redirect(org_path(org) + "#membership-status", 303)
    form = OrganisationStatusForm()
    if org.status in (OrgStatus.APPLIED, OrgStatus.DECLINED):
        abort(409)
    return submit(form, lambda: services.change_status(org, OrgStatus(form.status.data),
                                                       form.reason.data or "", current_user),
                  page=lambda: render("members/organisation.html",
                                      **organisation_context(org, form)),
                  done=lambda changed: see_other(
                      org_path(org),
                      _("%(name)s is now: %(status)s.", name=org.name, status=org.status.label),
                      already=_("%(name)s was already: %(status)s.", name=org.name,
                                status=org.status.label), changed=changed))


def people_context(org: Organisation, invite_form: InviteForm | None = None,
                   refused: ContactForm | None = None) -> dict:
    invitations = list(db.session.scalars(
        select(Invitation).where(Invitation.organisation_id == org.id,
                                 Invitation.accepted_at.is_(None),
                                 Invitation.cancelled_at.is_(None))
        .order_by(Invitation.created_at)))
    return {"org": org, "memberships": current_memberships(org), "invitations": invitations,
            "invite_form": invite_form or InviteForm(formdata=None),
            "button_form": EmptyForm(), "refused": refused, "now": now(),
            "viewer_id": current_user.id}


@bp.route("/organisations/<int:org_id>/people", methods=["GET", "POST"])
def people(org_id: int):
    org = load_organisation(org_id, "org.manage_people")
    form = InviteForm()
    return submit(form, lambda: services.invite(org, form.email.data, form.name.data or "",
                                                form.as_contact.data, current_user),
                  page=lambda: render("members/people.html", people_context(org, form)),
                  done=lambda _result: see_other(
                      url_for("members.people", org_id=org.id),
                      _("Invitation sent to %(email)s.", email=form.email.data)))


def back_to_people(org: Organisation, form):
    """A button's form on the people page answers there; a refusal is said there too."""
    if form.problem:
        flash(form.problem, "error")
    return redirect(url_for("members.people", org_id=org.id), 303)


def load_membership(org: Organisation, membership_id: int) -> Membership | None:
    """The membership, or None when the person has left since the page was drawn."""
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.organisation_id != org.id:
        abort(404)
    if membership.left_at:
        flash(_("%(name)s had already left %(org)s.", name=membership.person.name,
                org=org.name), "info")
        return None
    return membership


@bp.post("/organisations/<int:org_id>/people/<int:membership_id>/remove")
def remove_person(org_id: int, membership_id: int):
    org = load_organisation(org_id, "org.manage_people")
    membership = load_membership(org, membership_id)
    if membership is None:
        return back_to_people(org, EmptyForm())
    return people_button(org, lambda: services.remove_member(membership, current_user),
                         _("%(name)s is no longer in %(org)s.",
                           name=membership.person.name, org=org.name))


def people_button(org: Organisation, change, message: str):
    """A button on the organisation's people page: the change, then back there, saying so."""
    form = EmptyForm()
    return submit(form, change, page=lambda: back_to_people(org, form),
                  done=lambda _result: see_other(url_for("members.people", org_id=org.id),
                                                 message))


@bp.post("/organisations/<int:org_id>/people/<int:membership_id>/contact")
def set_contact(org_id: int, membership_id: int):
    org = load_organisation(org_id, "org.manage_people")
    membership = load_membership(org, membership_id)
    form = ContactForm()
    if membership is None:
        return back_to_people(org, form)
    name, making = membership.person.name, form.contact.data == "1"

    def page():
        if form.errors:
            return render("members/people.html", people_context(org, refused=form))
        return back_to_people(org, form)

    return submit(form, lambda: services.set_contact(membership, making, current_user),
                  page=page,
                  done=lambda changed: see_other(
                      url_for("members.people", org_id=org.id),
                      already=_("%(name)s was already a contact.", name=name) if making else
                      _("%(name)s was already not a contact.", name=name), changed=changed))


def load_invitation(org: Organisation, invitation_id: int) -> Invitation | None:
    """The invitation, or None when it was accepted or cancelled since the page was drawn."""
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.organisation_id != org.id:
        abort(404)
    if invitation.accepted_at or invitation.cancelled_at:
        flash(_("The invitation to %(email)s was already accepted.", email=invitation.email)
              if invitation.accepted_at else
              _("The invitation to %(email)s was already cancelled.", email=invitation.email),
              "info")
        return None
    return invitation


@bp.post("/organisations/<int:org_id>/invitations/<int:invitation_id>/resend")
def resend_invitation(org_id: int, invitation_id: int):
    org = load_organisation(org_id, "org.manage_people")
    invitation = load_invitation(org, invitation_id)
    if invitation is None:
        return back_to_people(org, EmptyForm())
    return people_button(org, lambda: services.invite(org, invitation.email, invitation.name,
                                                      invitation.as_contact, current_user),
                         _("A new link has gone to %(email)s.", email=invitation.email))


@bp.post("/organisations/<int:org_id>/invitations/<int:invitation_id>/cancel")
def cancel_invitation(org_id: int, invitation_id: int):
    org = load_organisation(org_id, "org.manage_people")
    invitation = load_invitation(org, invitation_id)
    if invitation is None:
        return back_to_people(org, EmptyForm())
    return people_button(org, lambda: services.cancel_invitation(invitation, current_user),
                         _("The invitation to %(email)s is cancelled.", email=invitation.email))


@bp.route("/join", methods=["GET", "POST"])
def join():
    authorize("org.apply")
    form = JoinForm()
    if request.method == "GET" and current_user.is_authenticated:
        form.contact_name.data = current_user.display_name
        form.contact_email.data = current_user.email
    if form.is_submitted() and services.applications_held_for(request.remote_addr):
        form.name.errors = [_("Too many applications from this connection today. "
                              "Please try again tomorrow, or email the coordinators.")]
        return render("members/join.html", form=form, status=429)

    def done(application):
        if application is None:  # the name is taken; the refusal counted, and committed
            form.name.errors.append(NAME_TAKEN)
            return render("members/join.html", form=form, status=422)
        return see_other(url_for("members.join_sent", name=application.organisation.name))

    return submit(form, lambda: services.apply(
                      form.profile_values(), form.contact_name.data, form.contact_email.data,
                      form.message.data or "",
                      current_user if current_user.is_authenticated else None,
                      request.remote_addr),
                  page=lambda: render("members/join.html", form=form), done=done)


@bp.get("/join/sent")
def join_sent():
    form = JoinSentForm(request.args)
    return render("members/join_sent.html", name=form.name.data if form.validate() else "")


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    invitation = services.pending_invitation(token)
    if invitation is None:
        return render("members/invitation_gone.html", status=410)
    existing = find_person(invitation.email)
    if existing is not None:
        # The address has an account: its owner logs in, then joins with one button.
        if not current_user.is_authenticated or current_user.id != existing.id:
            return render("members/invitation_login.html", invitation=invitation,
                          wrong_account=current_user.is_authenticated)
        form = EmptyForm()
        return submit(form, lambda: services.accept_invitation(invitation, current_user),
                      page=lambda: invitation_gone() if form.problem else render(
                          "members/invitation_join.html", invitation=invitation, form=form),
                      done=lambda _person: see_other(url_for("pages.dashboard"), _(
                          "You are now in %(name)s.", name=invitation.organisation.name)))

    form = AcceptInvitationForm(email=invitation.email)
    if request.method == "GET" and not form.display_name.data:
        form.display_name.data = invitation.name

    def join_with_new_account():
        person = services.accept_invitation(invitation, display_name=form.display_name.data,
                                            password=form.password.data)
        start_session(person)
        return person

    return submit(form, join_with_new_account,
                  page=lambda: invitation_gone() if form.problem else render(
                      "members/invitation_accept.html", invitation=invitation, form=form),
                  done=lambda person: see_other(url_for("pages.dashboard"), _(
                      "Welcome, %(name)s. You are now in %(org)s.", name=person.name,
                      org=invitation.organisation.name)))


def invitation_gone():
    return render("members/invitation_gone.html", status=410)
