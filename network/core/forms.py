"""What every form shares: an empty form for button-only posts, stripping, email fields."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from network.core.fields import MaxLength


def strip(value):
    return value.strip() if isinstance(value, str) else value


def lower_strip(value):
    return value.strip().lower() if isinstance(value, str) else value


class Form(FlaskForm):
    """The base of every form. Its CSRF token renders without an id: a page often carries
    several forms (a button each), and an id may appear only once on a page."""

    class Meta:
        def render_field(self, field, render_kw):
            if field.type == "CSRFTokenField":
                render_kw = {**render_kw, "id": False}
            return super().render_field(field, render_kw)


class EmptyForm(Form):
    """For buttons that post: carries the CSRF token and nothing else."""


class SearchForm(Form):
    """GET filters: no CSRF, since they change nothing."""

    class Meta:
        csrf = False


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


def area_field(label, max_length: int, *, optional=True, **kwargs) -> TextAreaField:
    checks = [Optional()] if optional else [required()]
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

    def check(self, current_version: int) -> None:
        if self.data != current_version:
            raise ValidationError(_l("Someone else saved a change while you were editing."))
