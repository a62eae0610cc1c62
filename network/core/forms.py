"""What every form shares: the base form that cleans text, an empty form for button-only
posts, stripping, email fields."""

from __future__ import annotations

import re
import secrets
from functools import partial

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from network.core.fields import MaxLength


def strip(value):
    return value.strip() if isinstance(value, str) else value


def lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


# C0 and C1 control characters and DEL: nothing a person means to type, and PostgreSQL refuses
# NUL in text. Tab and line breaks are kept in long text; elsewhere they become a space.
# Unicode's line and paragraph separators are line breaks that feeds and mail take as such.
# A browser counts a line break as one character towards a box's maxlength and sends it as
# two (CR LF): long text keeps one (LF), so what the box took is within its limit here too.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
OTHER_LINE_ENDINGS = re.compile(r"\r\n?|[\u2028\u2029]")
LINE_BREAKS = re.compile(r"[\t\r\n\u2028\u2029]+")


def clean_text(value, multiline: bool = False):
    if not isinstance(value, str):
        return value
    value = CONTROL_CHARACTERS.sub("", value)
    return OTHER_LINE_ENDINGS.sub("\n", value) if multiline else LINE_BREAKS.sub(" ", value)


def clean_choices(values):
    """The same for the several values of a multiple choice."""
    if isinstance(values, list):
        return [clean_text(value) for value in values]
    return clean_text(values)


class Refused(Exception):
    """A service's refusal of what a form asked: why, and the field it is about ("" for the
    whole form). The route rolls back and shows it with `Form.refused`."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message, self.field = message, field


class Form(FlaskForm):
    """The base of every form. Whatever a field receives is cleaned of control characters
    before its own filters and validators see it. Its CSRF token renders without an id: a
    page often carries several forms (a button each), and an id may appear only once."""

    class Meta(FlaskForm.Meta):
        def render_field(self, field, render_kw):
            if field.type == "CSRFTokenField":
                render_kw = {**render_kw, "id": False}
            return super().render_field(field, render_kw)

        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            if issubclass(field_class, TextAreaField):
                clean = partial(clean_text, multiline=True)
            elif issubclass(field_class, SelectMultipleField):
                clean = clean_choices
            else:
                clean = clean_text
            options["filters"] = [clean, *unbound_field.kwargs.get("filters", ())]
            return super().bind_field(form, unbound_field, options)

    problem: str | None = None

    def refused(self, error: Refused) -> None:
        """Put a service's refusal beside its field; one about the whole form becomes the
        form's `problem`, for the page to show above it."""
        if not error.field:
            self.problem = error.message
            return
        field = self[error.field]
        field.errors = [*field.errors, error.message]


class EmptyForm(Form):
    """For buttons that post: carries the CSRF token and nothing else."""


class SearchForm(Form):
    """GET filters: no CSRF, since they change nothing."""

    class Meta:
        csrf = False

    def chosen(self, field) -> str | None:
        """After validate(): a filter's value if it is one of its choices, else None (a value
        not offered is told beside it, and filters nothing)."""
        return field.data if field.data and not field.errors else None


def lazy_label(member) -> LazyString:
    """An enum member's label, said in the language of the page that shows it: a form's
    choices are made once, at import, when no language is chosen yet."""
    return LazyString(lambda: member.label)


def options(*pairs) -> list[SelectChoice]:
    """Choices for a select from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def required(message=None):
    return DataRequired(message=message or _l("This is needed."))


def text_field(label, max_length: int, *, optional=False, **kwargs) -> StringField:
    checks = [Optional()] if optional else [required()]
    checks.append(Length(max=max_length, message=_l("Keep this to %(max)d characters or fewer.",
                                                    max=max_length)))
    return StringField(label, validators=checks, filters=[strip], **kwargs)


def textarea_field(label, max_length: int, *, optional=True, needed=None,
                   **kwargs) -> TextAreaField:
    """needed: what to say when it is left empty (and not optional), if more than "This is
    needed." helps."""
    checks = [Optional()] if optional else [required(needed)]
    checks.append(Length(max=max_length, message=_l("Keep this to %(max)d characters or fewer.",
                                                    max=max_length)))
    return TextAreaField(label, validators=checks, filters=[strip], **kwargs)


def email_field(label, **kwargs) -> EmailField:
    return EmailField(
        label,
        validators=[required(_l("Give an email address.")),
                    MaxLength(254, message=_l("That email address is too long.")),
                    Email(message=_l("That does not look like an email address: "
                                     "it should be like name@example.org."),
                          check_deliverability=False)],
        filters=[lower_strip],
        render_kw={"autocomplete": "email", "spellcheck": "false"},
        **kwargs,
    )


class VersionField(HiddenField):
    """The version of a record when its form was opened, to catch a second, concurrent edit."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        try:
            self.data = int(self.data) if self.data not in (None, "") else None
        except ValueError:
            self.data = None

    conflicted = False

    def conflict(self, current_version: int) -> None:
        """Tell the form that someone saved first: saving again now overwrites knowingly."""
        self.conflicted = True
        self.errors = [*self.errors, _l(
            "Someone else saved a change while you were editing. The saved version is shown "
            "beside yours: copy what you need into yours, then save again.")]
        self.data = current_version


class SubmissionKeyField(HiddenField):
    """A random key per opened form: the same form sent twice makes one row, not two
    (core.submit, once=).
    Absent, there is no such check; present, it must look like the keys forms carry."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0] != "":
            if not re.fullmatch(r"[A-Za-z0-9_-]{16,43}", valuelist[0]):
                raise ValueError(_l("The form was damaged on the way. Send it again from "
                                    "the page."))
            self.data = valuelist[0]

    def _value(self):
        return self.data or secrets.token_urlsafe(24)
