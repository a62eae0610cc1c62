from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange

from network.core.audience import Audience
from network.core.forms import Form, VersionField, area_field, options, required, text_field
from network.forum.models import POST_MAX, TITLE_MAX


def trim(value):
    """Blank lines around a post go; indentation that starts it (a code block) stays."""
    return value.strip("\r\n").rstrip() if isinstance(value, str) else value


def body_field(label=None) -> TextAreaField:
    return TextAreaField(
        label or _l("Your message"),
        validators=[required(_l("Write something first.")),
                    Length(max=POST_MAX, message=_l(
                        "Keep a post to %(max)d characters or fewer; this one is longer. "
                        "Split it into two posts?", max=POST_MAX))],
        filters=[trim],
        description=_l("Markdown works: *italic*, **bold**, [a link](https://example.org), "
                       "a line starting with - for a list, > to quote, `code`. Write "
                       "@Their Name to mention someone."),
        render_kw={"rows": 6})


class SubmissionKeyField(HiddenField):
    """A random key per opened form: the same form sent twice makes one post, not two."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if not (isinstance(self.data, str) and 16 <= len(self.data) <= 43):
            self.data = None

    def _value(self):
        return self.data or secrets.token_urlsafe(24)


class ThreadForm(Form):
    title = text_field(_l("Title"), TITLE_MAX)
    body = body_field()
    submission = SubmissionKeyField()


class ReplyForm(Form):
    body = body_field(_l("Your reply"))
    submission = SubmissionKeyField()


class EditPostForm(Form):
    body = body_field()
    version = VersionField()


class FlagForm(Form):
    reason = area_field(_l("What is wrong with this post?"), 500, optional=False,
                        description=_l("Only coordinators see this."))


class HideForm(Form):
    reason = area_field(_l("Reason for hiding"), 500, optional=False,
                        description=_l("The author is told this reason."))


class RestoreForm(Form):
    reason = area_field(_l("Note to the author (optional)"), 500)


class MoveForm(Form):
    category = SelectField(_l("Move to category"), validate_choice=False)

    def __init__(self, categories, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [str(c.id) for c in categories]
        self.category.choices = options(*[(str(c.id), c.name) for c in categories])
        self.category.validators = [
            InputRequired(_l("Choose a category.")),
            AnyOf(ids, message=_l("Choose one of the categories listed."))]


class RenameForm(Form):
    title = text_field(_l("New title"), TITLE_MAX)


class CategoryForm(Form):
    name = text_field(_l("Name"), 80)
    description = area_field(_l("What belongs here"), 500)
    audience = SelectField(_l("Who can read it"), choices=options(
        (Audience.MEMBERS.value, _l("Everyone signed in (members post, associates read)")),
        (Audience.COORDINATORS.value, Audience.COORDINATORS.label)))
    position = IntegerField(_l("Position in the list (lower comes first)"), default=0,
                            validators=[InputRequired(_l("Give a number.")),
                                        NumberRange(-1000, 1000, _l("Between -1000 and 1000."))])


PAUSE_LENGTHS = [("1", _l("1 day")), ("3", _l("3 days")), ("7", _l("1 week")),
                 ("14", _l("2 weeks")), ("28", _l("4 weeks"))]


class PauseForm(Form):
    reason = area_field(_l("Reason"), 500, optional=False,
                        description=_l("They see this reason while the pause lasts."))
    days = SelectField(_l("For how long"), choices=options(*PAUSE_LENGTHS), default="7")
