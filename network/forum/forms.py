from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from network.core.audience import Audience
from network.core.db import parse_id
from network.core.fields import ButtonChoiceField, ChoiceField
from network.core.forms import (
    EmptyForm,
    Form,
    SearchForm,
    SubmissionKeyField,
    VersionField,
    lazy_label,
    options,
    required,
    text_field,
    textarea_field,
)
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


class PageField(HiddenField):
    """The page of the thread a reply was sent from: a whole number, or absent."""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist and valuelist[0] != "":
            if not re.fullmatch(r"[1-9][0-9]{0,5}", valuelist[0]):
                raise ValueError(_l("The form gave a page of the thread that does not exist. "
                                    "Send it again from the thread."))
            self.data = int(valuelist[0])


class ThreadForm(Form):
    title = text_field(_l("Title"), TITLE_MAX)
    body = body_field()
    submission = SubmissionKeyField()


class ReplyForm(Form):
    body = body_field(_l("Your reply"))
    submission = SubmissionKeyField()
    page = PageField()


class EditPostForm(Form):
    body = body_field()
    version = VersionField()


class FlagForm(Form):
    reason = textarea_field(_l("What is wrong with this post?"), 500, optional=False,
                        description=_l("Only coordinators see this."))


class HideForm(Form):
    reason = textarea_field(_l("Reason for hiding"), 500, optional=False,
                        description=_l("The author is told this reason."))


class RestoreForm(Form):
    reason = textarea_field(_l("Note to the author (optional)"), 500)


class WatchForm(EmptyForm):
    """The buttons beside a thread's reply count: watch, mute, or neither."""

    state = ButtonChoiceField(choices=options(("watch", _l("Watch this thread")),
                                              ("mute", _l("Mute")),
                                              ("none", _l("Stop watching"))),
                              invalid=_l("Choose to watch the thread, mute it, or neither."))


class ModerationActionForm(EmptyForm):
    """A coordinator's button on a post (approve, dismiss flags), and where to go after."""

    next = ButtonChoiceField(choices=options(("post", _l("The post")),
                                             ("moderation", _l("The moderation queue"))),
                             default="post",
                             invalid=_l("The form asked to go back somewhere unknown. "
                                        "Send it again from the page."))


class MoveForm(Form):
    category = ChoiceField(_l("Move to category"),
                           invalid=_l("Choose one of the categories listed."))

    def __init__(self, categories, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = options(*[(str(c.id), c.name) for c in categories])


class RenameForm(Form):
    title = text_field(_l("New title"), TITLE_MAX)


class CategoryForm(Form):
    name = text_field(_l("Name"), 80)
    description = textarea_field(_l("What belongs here"), 500)
    audience = ChoiceField(_l("Who can read it"), choices=options(
        (Audience.MEMBERS.value, _l("Everyone signed in (members post, associates read)")),
        (Audience.COORDINATORS.value, lazy_label(Audience.COORDINATORS))),
        invalid=_l("Choose who can read it."))
    position = IntegerField(_l("Position in the list (lower comes first)"), default=0,
                            validators=[InputRequired(_l("Give a number.")),
                                        NumberRange(-1000, 1000, _l("Between -1000 and 1000."))])

    def category_values(self) -> dict:
        return {"name": self.name.data, "description": self.description.data or "",
                "audience": Audience(self.audience.data), "position": self.position.data}


PAUSE_LENGTHS = [("1", _l("1 day")), ("3", _l("3 days")), ("7", _l("1 week")),
                 ("14", _l("2 weeks")), ("28", _l("4 weeks"))]


class PauseForm(Form):
    reason = textarea_field(_l("Reason"), 500, optional=False,
                        description=_l("They see this reason while the pause lasts."))
    days = ChoiceField(_l("For how long"), choices=options(*PAUSE_LENGTHS), default="7",
                       invalid=_l("Choose one of the lengths listed."))


class EditCategoryForm(CategoryForm):
    """Editing a category: its buttons save, save and archive, or save and bring back."""

    archive = ButtonChoiceField(choices=options(("", _l("Save")),
                                                ("1", _l("Save and archive")),
                                                ("0", _l("Save and bring back"))),
                                default="", invalid=_l("Choose one of the buttons."))


class QuoteForm(SearchForm):
    """?quote=<post id>&body=<what was typed>: a post quoted into the reply box."""

    quote = StringField()
    body = TextAreaField(filters=[trim])

    def quoted_id(self) -> int | None:
        try:
            return parse_id(self.quote.data)
        except (TypeError, ValueError):
            return None
