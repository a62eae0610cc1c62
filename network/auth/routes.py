"""Logging in and out, forgotten passwords, a person's own account settings, and the
language the site speaks to them."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.auth import login as logging_in
from network.auth import services
from network.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    NextForm,
    ProfileForm,
    ResetPasswordForm,
)
from network.auth.models import TokenPurpose
from network.auth.services import end_session, safe_next, this_address
from network.core import i18n
from network.core.forms import EmptyForm
from network.core.htmx import render, see_other
from network.core.permissions import authorize
from network.core.submit import press, submit
from network.extensions import csrf

bp = Blueprint("auth", __name__)


@bp.app_template_global()
def back_here() -> str | None:
    """Where a login link brings a person back to: this page's path and query, never a host,
    and only what the login itself takes as `next` (None: the link has no `next`). The login
    pages pass on their own `next` (the header's link on the login page keeps it), and never
    their own address, which may hold an emailed link's token; the home page none."""
    if request.blueprint == "auth":
        return safe_next(request.args.get("next"))
    if request.endpoint == "pages.home":  # the way in: a member lands on what is new for them
        return None
    return this_address()


@bp.app_template_global()
def here() -> str | None:
    """This page's path and query, for the footer's language switch to come back to."""
    return this_address()


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("pages.home"), 303)
    form = LoginForm()
    hold = logging_in.Hold()

    def page():  # held back: the refusal is about the whole form
        return hold.answer(render("auth/login.html", form=form, blocked_message=form.problem))

    def done(person):
        if person is None:  # the failed attempt is counted, and committed
            form.password.errors.append(
                _("That email address and password do not match an account here."))
            return render("auth/login.html", form=form, blocked_message=None, status=422)
        return redirect(NextForm(request.args).target() or url_for("pages.home"), 303)

    return submit(form, lambda: logging_in.log_in(form.email.data, form.password.data,
                                                  form.remember.data, request.remote_addr,
                                                  hold),
                  page=page, done=done)


@bp.post("/logout")
def logout():
    home = url_for("pages.home")
    if not current_user.is_authenticated:
        return redirect(home, 303)
    return press(lambda: end_session(current_user), home, _("You have logged out."))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    hold = logging_in.Hold()
    # The same answer whether or not the address has an account.
    return submit(form, lambda: logging_in.ask_for_reset(form.email.data, request.remote_addr,
                                                         hold),
                  page=lambda: hold.answer(render("auth/forgot_password.html", form=form)),
                  done=lambda _result: see_other(url_for("auth.login"), _(
                      "If %(email)s has an account here, we have emailed it a link to choose "
                      "a new password. The link works once, for 2 hours.",
                      email=form.email.data)))


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
    return submit(form, lambda: services.reset_password(account_token, form.password.data),
                  page=lambda: reset_link_gone() if form.problem else render(
                      "auth/reset_password.html", form=form, person=person),
                  done=lambda _result: see_other(url_for("pages.home"), _(
                      "Your password is changed and you are logged in.")))


@bp.route("/account", methods=["GET", "POST"])
def account():
    authorize("account.use")
    form = ProfileForm(obj=current_user)
    return submit(form, lambda: services.update_profile(current_user, form.display_name.data,
                                                        form.show_email_to_members.data),
                  page=lambda: account_page(form),
                  done=lambda _result: see_other(url_for("auth.account"),
                                                 _("Your profile is saved.")))


def account_page(form: ProfileForm | None = None, **more):
    """The account page: its own forms, and what a button on it that another feature answers
    has to say (`archive_problem`: privacy's archive, asked for too soon)."""
    return render("auth/account.html", form=form or ProfileForm(formdata=None, obj=current_user),
                  sessions_form=EmptyForm(),
                  language_form=LanguageForm(formdata=None, data={
                      "locale": i18n.locale_name(), "next": url_for("auth.account")}),
                  **more)


# A visitor's pages set no cookie, so their switch carries no CSRF token (which lives in the
# session): the browser's own word that the form came from this site stands in for it.
@bp.post("/language")
@csrf.exempt
def language():
    """The footer's switch: the site in this language from the next page on. A visitor keeps
    it in the `lang` cookie; a person also on their account, for every device and email."""
    person = current_user._get_current_object() if current_user.is_authenticated else None
    form = LanguageForm() if person else LanguageForm(meta={"csrf": False})
    back = safe_next(form.next.data) or url_for("pages.home")
    if person is None and not sent_from_this_site():
        return redirect(back, 303)

    def done(_result):
        response = redirect(back, 303)
        remember_language(response, form.locale.data)
        return response

    return submit(form, lambda: person and services.choose_language(person, form.locale.data),
                  page=lambda: redirect(back, 303), done=done)


def sent_from_this_site() -> bool:
    """Fetch Metadata, or else the Origin (or Referer) header, names this site: a form on
    another site cannot switch a visitor's language. None of the three at all is not a
    form on another site (a browser sends Origin with every cross-site post, and modern
    ones Sec-Fetch-Site too): a browser told to keep its Referer to itself, so taken."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return True
    fetched_from = request.headers.get("Sec-Fetch-Site")
    if fetched_from:
        return fetched_from in ("same-origin", "none")
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.host


def remember_language(response, code: str) -> None:
    response.set_cookie(i18n.COOKIE, code, max_age=i18n.COOKIE_MAX_AGE, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"], httponly=True)


@bp.route("/account/password", methods=["GET", "POST"])
def change_password():
    authorize("account.use")
    form = ChangePasswordForm(person=current_user)
    return submit(form, lambda: services.change_password(current_user._get_current_object(),
                                                         form.current_password.data,
                                                         form.password.data),
                  page=lambda: render("auth/change_password.html", form=form),
                  done=lambda _result: see_other(url_for("auth.account"), _(
                      "Your password is changed. Any other device you were logged in on is "
                      "now logged out.")))


@bp.route("/account/email", methods=["GET", "POST"])
def change_email():
    authorize("account.use")
    form = ChangeEmailForm()
    return submit(form, lambda: services.request_email_change(
                      current_user, form.current_password.data, form.email.data),
                  page=lambda: render("auth/change_email.html", form=form),
                  done=lambda _result: see_other(url_for("auth.account"), _(
                      "We have emailed %(email)s a link. Your address changes when you open "
                      "it while logged in here.", email=form.email.data)))


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
    new_email = account_token.new_email

    def done(changed: bool):
        if not changed:
            return see_other(url_for("auth.account"), _(
                "Another account now uses %(email)s, so your address was not changed.",
                email=new_email), "error")
        return see_other(url_for("auth.account"), _("Your email address is now %(email)s.",
                                                    email=current_user.email))

    return submit(form, lambda: services.confirm_email_change(current_user, account_token),
                  page=lambda: email_link_gone() if form.problem else render(
                      "auth/confirm_email.html", form=form, new_email=new_email),
                  done=done)


def stop_link_gone():
    return link_gone(_("link"), url_for("auth.forgot_password"), _("Reset your password"))


@bp.route("/account/email/stop/<token>", methods=["GET", "POST"])
def cancel_email_change(token: str):
    account_token = services.usable_token(token, TokenPurpose.EMAIL_CHANGE_CANCEL)
    if account_token is None:
        return stop_link_gone()
    form = EmptyForm()
    return submit(form, lambda: services.cancel_email_change(account_token),
                  page=lambda: stop_link_gone() if form.problem else render(
                      "auth/cancel_email_change.html", form=form),
                  done=lambda _result: render("auth/email_change_stopped.html"))


@bp.post("/account/sessions/end-others")
def end_other_sessions():
    authorize("account.use")
    return press(lambda: services.log_out_elsewhere(current_user._get_current_object()),
                 url_for("auth.account"), _("You are logged out everywhere else."))
