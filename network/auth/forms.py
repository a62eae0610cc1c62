from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, StringField
from wtforms.validators import EqualTo, ValidationError

from network.auth.passwords import MAX_LENGTH, password_problem
from network.auth.services import safe_next
from network.core.fields import CheckboxField, ChoiceField
from network.core.forms import Form, SearchForm, email_field, required, text_field
from network.core.i18n import languages


def password_field(label, autocomplete="new-password"):
    return PasswordField(label, validators=[required(_l("Give a password."))],
                         render_kw={"autocomplete": autocomplete, "maxlength": MAX_LENGTH})


def confirm_field(other="password"):
    return PasswordField(
        _l("Type the password again"),
        validators=[required(_l("Type the password again.")),
                    EqualTo(other, message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


def check_new_password(field, *personal):
    problem = password_problem(field.data or "", *personal)
    if problem:
        raise ValidationError(problem)


def name_field():
    return text_field(_l("Your name"), 80, render_kw={"autocomplete": "name"},
                      description=_l("As other members will see it."))


class LoginForm(Form):
    email = email_field(_l("Email address"))
    password = password_field(_l("Password"), autocomplete="current-password")
    remember = CheckboxField(_l("Keep me logged in on this device for 30 days"))


class ForgotPasswordForm(Form):
    email = email_field(_l("Email address"))


class ResetPasswordForm(Form):
    password = password_field(_l("New password"))
    confirm = confirm_field()

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_password(self, field):
        check_new_password(field, self.person.email, self.person.display_name)


class AcceptInvitationForm(Form):
    display_name = name_field()
    password = password_field(_l("Choose a password"))
    confirm = confirm_field()

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def validate_password(self, field):
        check_new_password(field, self.email, self.display_name.data)


class ProfileForm(Form):
    display_name = name_field()
    show_email_to_members = CheckboxField(
        _l("Show my email address to other members"),
        description=_l("Visitors who are not logged in never see it."),
    )
    name_public = CheckboxField(
        _l("Show my name to visitors on public pages"),
        description=_l("Members always see your name. Otherwise visitors see “a member of” "
                       "your organisation."),
    )


class ChangePasswordForm(Form):
    current_password = password_field(_l("Current password"), autocomplete="current-password")
    password = password_field(_l("New password"))
    confirm = confirm_field()

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person

    def validate_password(self, field):
        check_new_password(field, self.person.email, self.person.display_name)


class ChangeEmailForm(Form):
    email = email_field(_l("New email address"))
    current_password = password_field(_l("Current password"), autocomplete="current-password")


class NextForm(SearchForm):
    """?next=: where to go after logging in, if it stays on this site."""

    next = StringField()

    def target(self) -> str | None:
        return safe_next(self.next.data)


def language_choices() -> list[tuple[str, str]]:
    return [(language.code, language.name) for language in languages().values()]


class LanguageForm(Form):
    """The footer's switch (a button per language, each named `locale`) and the account's
    choice. A visitor's carries no CSRF token, since their pages set no cookie: the route
    checks the browser's Origin instead (auth.routes.language)."""

    locale = ChoiceField(_l("Language"), choices=[])
    next = StringField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices()

    def target(self) -> str | None:
        return safe_next(self.next.data)
