"""Logging in and out, forgotten passwords, and a person's own account settings."""

from __future__ import annotations

import hashlib

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from network.auth import services
from network.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    NextForm,
    ProfileForm,
    ResetPasswordForm,
)
from network.auth.models import TokenPurpose
from network.auth.passwords import dummy_hash, hash_password, needs_rehash, verify_password
from network.auth.services import (
    end_session,
    find_person,
    safe_next,
    start_session,
    this_address,
)
from network.core import throttle
from network.core.forms import EmptyForm
from network.core.htmx import form_status, render
from network.core.permissions import authorize
from network.extensions import db

bp = Blueprint("auth", __name__)


def minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


class LoginKeys:
    """The counts of failed logins that may hold back an attempt (see docs/decisions.md).

    An account that failed too often is held only for the addresses that failed on it, so a
    stranger cannot keep its owner out; past a higher ceiling it is held everywhere (a
    password reset still lets the owner in). One address failing on many accounts is held too.
    """

    def __init__(self, email: str, address: str | None) -> None:
        self.config = current_app.config
        self.account = f"login:account:{email}"
        self.account_everywhere = f"login:account-all:{email}"
        self.pair = "login:pair:" + hashlib.sha256(f"{email} {address}".encode()).hexdigest()
        self.address = f"login:address:{address}"

    def seconds_blocked(self) -> int:
        config = self.config
        waits = [throttle.seconds_blocked(self.address, config["LOGIN_LIMIT_PER_ADDRESS"]),
                 throttle.seconds_blocked(self.account_everywhere,
                                          config["LOGIN_CEILING_PER_ACCOUNT"])]
        if throttle.attempts(self.pair, config["LOGIN_LIMIT_PER_ACCOUNT"]):
            waits.append(throttle.seconds_blocked(self.account,
                                                  config["LOGIN_LIMIT_PER_ACCOUNT"]))
        return max(waits)

    def failed(self) -> None:
        config = self.config
        throttle.hit(self.account, config["LOGIN_LIMIT_PER_ACCOUNT"])
        throttle.hit(self.pair, config["LOGIN_LIMIT_PER_ACCOUNT"])
        throttle.hit(self.account_everywhere, config["LOGIN_CEILING_PER_ACCOUNT"])
        throttle.hit(self.address, config["LOGIN_LIMIT_PER_ADDRESS"])

    def succeeded(self) -> None:
        # Only this address starts afresh: a stranger's failures elsewhere still count.
        throttle.clear(self.pair)


@bp.app_template_global()
def back_here() -> str | None:
    """Where a login link brings a person back to: this page's path and query, never a host,
    and only what the login itself takes as `next` (None: the link has no `next`). The login
    pages pass on their own `next` (the header's link on the login page keeps it), and never
    their own address, which may hold an emailed link's token; the home page none."""
    if request.blueprint == "auth":
        return safe_next(request.args.get("next"))
    if request.endpoint == "pages.home":  # the way in: a member lands on their dashboard
        return None
    return this_address()


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.dashboard"), 303)
    form = LoginForm()
    blocked_message = None
    if form.validate_on_submit():
        keys = LoginKeys(form.email.data, request.remote_addr)
        wait = keys.seconds_blocked()
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
            keys.failed()
            db.session.commit()
            form.password.errors.append(
                _("That email address and password do not match an account here."))
        elif not person.is_active:
            form.email.errors.append(
                _("This account is suspended. Contact the coordinators if you think that "
                  "is a mistake."))
        else:
            keys.succeeded()
            if needs_rehash(person.password_hash):
                person.password_hash = hash_password(form.password.data)
            start_session(person, remember=form.remember.data)
            db.session.commit()
            return redirect(NextForm(request.args).target() or url_for("pages.dashboard"), 303)
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
        limit = current_app.config["RESET_LIMIT_PER_ADDRESS"]
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
            services.request_password_reset(person)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(_("If %(email)s has an account here, we have emailed it a link to choose a new "
                "password. The link works once, for 2 hours.", email=form.email.data), "success")
        return redirect(url_for("auth.login"), 303)
    return render("auth/forgot_password.html", form=form, status=form_status(form))


def link_gone(what: str, again_url: str, again_label: str):
    return render("auth/link_gone.html", what=what, again_url=again_url,
                  again_label=again_label, status=410)


def reset_link_gone():
    return link_gone(_("password reset link"), url_for("auth.forgot_password"),
                     _("Ask for a new link"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    account_token = services.usable_token(token, TokenPurpose.PASSWORD_RESET)
    if account_token is None or not account_token.person.is_active:
        return reset_link_gone()
    person = account_token.person
    form = ResetPasswordForm(person=person)
    if form.validate_on_submit():
        if not services.use_token(account_token):
            db.session.rollback()
            return reset_link_gone()
        services.reset_password(person, form.password.data)
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
        services.update_profile(current_user, form.display_name.data,
                                form.show_email_to_members.data)
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
            services.change_password(current_user._get_current_object(), form.password.data)
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
            services.request_email_change(current_user, form.email.data)
            db.session.commit()
            flash(_("We have emailed %(email)s a link. Your address changes when you open it "
                    "while logged in here.", email=form.email.data), "success")
            return redirect(url_for("auth.account"), 303)
    return render("auth/change_email.html", form=form, status=form_status(form))


def email_link_gone():
    return link_gone(_("email confirmation link"), url_for("auth.change_email"),
                     _("Change your email address again"))


@bp.route("/account/email/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    # Only the person who asked, logged in, can finish a change of address: a link alone
    # (opened by whoever controls the new address) is not enough.
    authorize("account.use")
    account_token = services.usable_token(token, TokenPurpose.EMAIL_CHANGE)
    if account_token is None:
        return email_link_gone()
    if account_token.person_id != current_user.id:
        return render("auth/confirm_email_other.html", status=403)
    form = EmptyForm()
    if form.validate_on_submit():
        if find_person(account_token.new_email) is not None:
            flash(_("Another account now uses %(email)s, so your address was not changed.",
                    email=account_token.new_email), "error")
            return redirect(url_for("auth.account"), 303)
        if not services.use_token(account_token):
            db.session.rollback()
            return email_link_gone()
        services.confirm_email_change(current_user, account_token.new_email)
        db.session.commit()
        flash(_("Your email address is now %(email)s.", email=current_user.email), "success")
        return redirect(url_for("auth.account"), 303)
    return render("auth/confirm_email.html", form=form, new_email=account_token.new_email)


@bp.route("/account/email/stop/<token>", methods=["GET", "POST"])
def cancel_email_change(token: str):
    account_token = services.usable_token(token, TokenPurpose.EMAIL_CHANGE_CANCEL)
    if account_token is None:
        return link_gone(_("link"), url_for("auth.forgot_password"),
                         _("Reset your password"))
    form = EmptyForm()
    if form.validate_on_submit():
        if not services.use_token(account_token):
            db.session.rollback()
            return link_gone(_("link"), url_for("auth.forgot_password"),
                             _("Reset your password"))
        services.cancel_email_change(account_token.person)
        db.session.commit()
        return render("auth/email_change_stopped.html")
    return render("auth/cancel_email_change.html", form=form)


@bp.post("/account/sessions/end-others")
def end_other_sessions():
    authorize("account.use")
    if EmptyForm().validate_on_submit():
        services.log_out_elsewhere(current_user._get_current_object())
        db.session.commit()
        flash(_("You are logged out everywhere else."), "success")
    return redirect(url_for("auth.account"), 303)
