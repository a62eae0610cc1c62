"""Logging in and out, forgotten passwords, and a person's own account settings."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select, update

from network.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
)
from network.auth.models import AccountToken, TokenPurpose
from network.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from network.auth.services import (
    end_session,
    find_person,
    revoke_sessions,
    safe_next,
    start_session,
)
from network.core import audit, throttle
from network.core.forms import EmptyForm
from network.core.htmx import form_status, render
from network.core.permissions import authorize
from network.core.tokens import hash_token, new_token
from network.extensions import db
from network.notify.mail import queue_email

bp = Blueprint("auth", __name__)


def minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"), 303)
    form = LoginForm()
    blocked_message = None
    if form.validate_on_submit():
        config = current_app.config
        account_key = f"login:account:{form.email.data}"
        address_key = f"login:address:{request.remote_addr}"
        wait = max(throttle.seconds_blocked(account_key, config["LOGIN_LIMIT_PER_ACCOUNT"]),
                   throttle.seconds_blocked(address_key, config["LOGIN_LIMIT_PER_ADDRESS"]))
        if wait:
            blocked_message = ngettext(
                "Too many failed attempts to log in. For your safety, wait %(num)d minute "
                "and try again, or reset your password.",
                "Too many failed attempts to log in. For your safety, wait %(num)d minutes "
                "and try again, or reset your password.",
                minutes(wait),
            )
            response = render("auth/login.html", form=form, blocked_message=blocked_message,
                              status=429)
            response.headers["Retry-After"] = str(wait)
            return response
        person = find_person(form.email.data)
        password_ok = verify_password(person.password_hash if person else dummy_hash(),
                                      form.password.data)
        if person is None or not password_ok:
            throttle.hit(account_key, config["LOGIN_LIMIT_PER_ACCOUNT"])
            throttle.hit(address_key, config["LOGIN_LIMIT_PER_ADDRESS"])
            db.session.commit()
            form.password.errors.append(
                _("That email address and password do not match an account here."))
        elif not person.is_active:
            form.email.errors.append(
                _("This account is suspended. Contact the coordinators if you think that "
                  "is a mistake."))
        else:
            throttle.clear(account_key)
            if needs_rehash(person.password_hash):
                person.password_hash = hash_password(form.password.data)
            start_session(person, remember=form.remember.data)
            db.session.commit()
            return redirect(safe_next(request.args.get("next"))
                            or url_for("pages.dashboard"), 303)
    return render("auth/login.html", form=form, blocked_message=blocked_message,
                  status=form_status(form))


@bp.post("/logout")
def logout():
    form = EmptyForm()
    if current_user.is_authenticated and form.validate_on_submit():
        end_session(current_user)
        db.session.commit()
        flash(_("You have logged out."), "success")
    return redirect(url_for("pages.home"), 303)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        config = current_app.config
        limit = config["RESET_LIMIT_PER_ADDRESS"]
        keys = (f"reset:address:{request.remote_addr}", f"reset:account:{form.email.data}")
        wait = max(throttle.seconds_blocked(key, limit) for key in keys)
        if wait:
            form.email.errors.append(ngettext(
                "Too many requests. Wait %(num)d minute and try again.",
                "Too many requests. Wait %(num)d minutes and try again.", minutes(wait)))
            response = render("auth/forgot_password.html", form=form, status=429)
            response.headers["Retry-After"] = str(wait)
            return response
        for key in keys:
            throttle.hit(key, limit)
        person = find_person(form.email.data)
        if person is not None and person.is_active:
            raw, hashed = new_token()
            db.session.add(AccountToken(
                person_id=person.id, purpose=TokenPurpose.PASSWORD_RESET, token_hash=hashed,
                expires_at=datetime.now(UTC) + config["RESET_VALID_FOR"]))
            queue_email(person.email, _("Reset your password"), "email/password_reset.txt",
                        person=person, link=url_for("auth.reset_password", token=raw,
                                                    _external=True))
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(_("If %(email)s has an account here, we have emailed it a link to choose a new "
                "password. The link works once, for 2 hours.", email=form.email.data), "success")
        return redirect(url_for("auth.login"), 303)
    return render("auth/forgot_password.html", form=form, status=form_status(form))


def usable_token(raw: str, purpose: TokenPurpose) -> AccountToken | None:
    return db.session.scalar(select(AccountToken).where(
        AccountToken.token_hash == hash_token(raw), AccountToken.purpose == purpose,
        AccountToken.used_at.is_(None), AccountToken.expires_at > datetime.now(UTC)))


def use_token(token: AccountToken) -> bool:
    """Mark a token used; False if another request used it first."""
    used = db.session.execute(
        update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=datetime.now(UTC)))
    return used.rowcount == 1


def link_gone(what: str, again_url: str, again_label: str):
    return render("auth/link_gone.html", what=what, again_url=again_url,
                  again_label=again_label, status=410)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    account_token = usable_token(token, TokenPurpose.PASSWORD_RESET)
    if account_token is None or not account_token.person.is_active:
        return link_gone(_("password reset link"), url_for("auth.forgot_password"),
                         _("Ask for a new link"))
    person = account_token.person
    form = ResetPasswordForm(person=person)
    if form.validate_on_submit():
        if not use_token(account_token):
            db.session.rollback()
            return link_gone(_("password reset link"), url_for("auth.forgot_password"),
                             _("Ask for a new link"))
        person.password_hash = hash_password(form.password.data)
        revoke_sessions(person)
        audit.record("person.password_reset", person, f"{person.email} reset their password",
                     actor=person)
        start_session(person)
        db.session.commit()
        flash(_("Your password is changed and you are logged in."), "success")
        return redirect(url_for("pages.dashboard"), 303)
    return render("auth/reset_password.html", form=form, person=person,
                  status=form_status(form))


@bp.route("/account", methods=["GET", "POST"])
def account():
    authorize("account.use")
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        form.populate_obj(current_user)
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.account"), 303)
    return render("auth/account.html", form=form, sessions_form=EmptyForm(),
                  status=form_status(form))


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    authorize("account.use")
    form = ChangePasswordForm(person=current_user)
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("That is not your current password."))
        else:
            current_user.password_hash = hash_password(form.password.data)
            revoke_sessions(current_user, keep_current=True)
            db.session.commit()
            flash(_("Your password is changed. Any other device you were logged in on is now "
                    "logged out."), "success")
            return redirect(url_for("auth.account"), 303)
    return render("auth/change_password.html", form=form, status=form_status(form))


@bp.route("/account/email", methods=["GET", "POST"])
def change_email():
    authorize("account.use")
    form = ChangeEmailForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("That is not your current password."))
        elif form.email.data == current_user.email:
            form.email.errors.append(_("That is already your email address."))
        elif find_person(form.email.data) is not None:
            form.email.errors.append(_("Another account already uses that email address."))
        else:
            raw, hashed = new_token()
            db.session.add(AccountToken(
                person_id=current_user.id, purpose=TokenPurpose.EMAIL_CHANGE,
                token_hash=hashed, new_email=form.email.data,
                expires_at=datetime.now(UTC) + current_app.config["EMAIL_CHANGE_VALID_FOR"]))
            link = url_for("auth.confirm_email", token=raw, _external=True)
            queue_email(form.email.data, _("Confirm your new email address"),
                        "email/confirm_email.txt", person=current_user, link=link)
            queue_email(current_user.email, _("Your email address is being changed"),
                        "email/email_change_notice.txt", person=current_user,
                        new_email=form.email.data)
            db.session.commit()
            flash(_("We have emailed %(email)s a link. Your address changes when you open it.",
                    email=form.email.data), "success")
            return redirect(url_for("auth.account"), 303)
    return render("auth/change_email.html", form=form, status=form_status(form))


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    account_token = usable_token(token, TokenPurpose.EMAIL_CHANGE)
    if account_token is None:
        return link_gone(_("email confirmation link"), url_for("auth.change_email"),
                         _("Change your email address again"))
    form = EmptyForm()
    if form.validate_on_submit():
        person = account_token.person
        if find_person(account_token.new_email) is not None:
            flash(_("Another account now uses %(email)s, so your address was not changed.",
                    email=account_token.new_email), "error")
            return redirect(url_for("pages.home"), 303)
        if not use_token(account_token):
            db.session.rollback()
            return link_gone(_("email confirmation link"), url_for("auth.change_email"),
                             _("Change your email address again"))
        old_email = person.email
        person.email = account_token.new_email
        audit.record("person.email_change", person, f"{old_email} is now {person.email}",
                     actor=person, old=old_email, new=person.email)
        db.session.commit()
        flash(_("Your email address is now %(email)s.", email=person.email), "success")
        return redirect(url_for("auth.account" if current_user.is_authenticated
                                else "auth.login"), 303)
    return render("auth/confirm_email.html", form=form, new_email=account_token.new_email)


@bp.post("/account/sessions/end-others")
def end_other_sessions():
    authorize("account.use")
    if EmptyForm().validate_on_submit():
        revoke_sessions(current_user, keep_current=True)
        db.session.commit()
        flash(_("You are logged out everywhere else."), "success")
    return redirect(url_for("auth.account"), 303)

