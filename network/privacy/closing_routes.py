"""Closing an account: one's own from the account page (/account/close), or a coordinator's
for someone who cannot log in, from their person page (/people/<id>/close). The service is
closing.close_account."""

from __future__ import annotations

from flask import session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from network.auth.models import Person
from network.core.htmx import render, see_other
from network.core.permissions import authorize, load
from network.core.submit import submit
from network.privacy import closing
from network.privacy.blueprint import bp
from network.privacy.closing_forms import CloseAccountForm, CloseForSomeoneForm


def close_context(person: Person, form: CloseAccountForm) -> dict:
    return {"form": form, "hand_over": closing.last_contact_of(person),
            "seats": closing.seats_held(person), "removes_text": closing.removes_text()}


@bp.route("/account/close", methods=["GET", "POST"])
def close_account():
    authorize("account.close")
    person = current_user._get_current_object()
    form = CloseAccountForm()

    def done(closed: bool):
        session.clear()
        logout_user()
        return see_other(url_for("privacy.closed"), None if closed else
                         _("This account was already closed."))

    return submit(form, lambda: closing.close_own_account(person, form.password.data),
                  page=lambda: render("privacy/close.html", close_context(person, form)),
                  done=done)


@bp.get("/account/closed")
def closed():
    return render("privacy/closed.html", {})


def close_for_context(person: Person, form: CloseForSomeoneForm) -> dict:
    return {"person": person, "form": form, "hand_over": closing.last_contact_of(person),
            "seats": closing.seats_held(person), "removes_text": closing.removes_text()}


@bp.route("/people/<int:person_id>/close", methods=["GET", "POST"])
def close_for(person_id: int):
    person = load(Person, person_id, need="person.close")
    form = CloseForSomeoneForm()
    return submit(form, lambda: closing.close_account(person, current_user._get_current_object(),
                                                      form.reference.data),
                  page=lambda: render("privacy/close_for.html",
                                      close_for_context(person, form)),
                  done=lambda changed: see_other(
                      url_for("coordination.person", person_id=person.id),
                      _("The account is closed."),
                      already=_("This account was already closed."), changed=changed))
