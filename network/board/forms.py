"""The board's forms: a listing (new or changed), settling it, hiding it, a message, the
board's filters."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional, ValidationError

from network.board.models import (
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    TITLE_MAX,
    Category,
    ListingKind,
    Urgency,
)
from network.core.fields import ButtonChoiceField, ChoiceField, DayField
from network.core.forms import (
    Form,
    SearchForm,
    SubmissionKeyField,
    VersionField,
    options,
    required,
    text_field,
    textarea_field,
)
from network.core.time import today

LONGEST_LISTING = timedelta(days=365)


def category_choices(first):
    return options(first, *[(category.value, category.label) for category in Category])


class ListingForm(Form):
    organisation = ChoiceField(_l("For"), invalid=_l("Choose one of your organisations."))
    kind = ChoiceField(_l("Is it an offer or a request?"), choices=options(
        ("", _l("Choose one")), ("offer", _l("An offer: we can share it")),
        ("request", _l("A request: we are looking for it"))),
        validators=[required(_l("Choose offer or request."))],
        invalid=_l("Choose offer or request."))
    category = ChoiceField(_l("What kind of thing"), choices=category_choices(
        ("", _l("Choose one"))), validators=[required(_l("Choose what kind of thing it is."))],
        invalid=_l("Choose one of the kinds listed."))
    title = text_field(_l("Title"), TITLE_MAX, description=_l(
        "Say what it is in a few words: Hall for 40 people, Minibus driver wanted."))
    description = textarea_field(_l("Details"), DESCRIPTION_MAX, description=_l(
        "When, where, how many, any conditions. You can use Markdown."))
    area = ChoiceField(_l("Area"), default="", invalid=_l("Choose one of the areas listed."))
    available_from = DayField(_l("Available or needed from"), validators=[Optional()])
    available_until = DayField(_l("Until"), validators=[Optional()])
    urgency = ChoiceField(_l("How urgent"), default="whenever", choices=options(
        *[(urgency.value, urgency.label) for urgency in Urgency]),
        invalid=_l("Choose how urgent it is."))
    expires_on = DayField(_l("Take it off the board on"), validators=[Optional()],
                          description=_l("60 days from today if left empty. You will be "
                                         "reminded a week before, and can renew it."))
    submission = SubmissionKeyField()

    def __init__(self, *args, organisations=(), areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        many = len(organisations) > 1
        self.organisation.choices = options(*([("", _l("Choose one"))] if many else []),
                                            *[(str(o.id), o.name) for o in organisations])
        self.area.choices = options(("", _l("Anywhere in the borough")),
                                    *[(str(a.id), a.name) for a in areas])

    def validate_organisation(self, field):
        if not field.data:
            raise ValidationError(_l("Choose the organisation it is for."))

    def validate_available_until(self, field):
        if field.data and self.available_from.data and field.data < self.available_from.data:
            raise ValidationError(_l("The last day must be on or after the first."))

    current_expiry = None  # a listing being changed: its day as it is

    def validate_expires_on(self, field):
        if field.data is None or field.data == self.current_expiry:
            return
        if field.data < today():
            raise ValidationError(_l("That day has passed: choose a day from today on."))
        if field.data > today() + LONGEST_LISTING:
            raise ValidationError(_l("A listing can stay up to a year: choose an earlier day, "
                                     "and renew it when it comes."))

    def values(self, days: int) -> dict:
        return {
            "kind": ListingKind(self.kind.data), "category": Category(self.category.data),
            "title": self.title.data, "description": self.description.data or "",
            "area_id": int(self.area.data) if self.area.data else None,
            "available_from": self.available_from.data,
            "available_until": self.available_until.data,
            "urgency": Urgency(self.urgency.data),
            "expires_on": self.expires_on.data or today() + timedelta(days=days),
        }


class EditListingForm(ListingForm):
    version = VersionField()


class SettleForm(Form):
    """Matched (with whom) or closed."""

    outcome = ChoiceField(_l("What happened"), choices=options(
        ("matched", _l("Matched: we found each other")),
        ("closed", _l("Closed: it is no longer needed or on offer"))),
        invalid=_l("Choose matched or closed."))
    matched_with = ChoiceField(_l("With which organisation"), default="",
                               invalid=_l("Choose one of the organisations listed."))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.matched_with.choices = options(("", _l("Choose one")),
                                            *[(str(o.id), o.name) for o in organisations])

    def validate_matched_with(self, field):
        if self.outcome.data == "matched" and not field.data:
            raise ValidationError(_l("Say which organisation it was shared with: it counts "
                                     "towards what was shared this year."))


class HideForm(Form):
    reason = textarea_field(_l("Why (the person who posted it is told)"), 500, optional=False)


class MessageForm(Form):
    body = textarea_field(_l("Your message"), MESSAGE_MAX, optional=False)
    submission = SubmissionKeyField()


class ReplyForm(MessageForm):
    """The first message: it opens a conversation for one of the writer's organisations."""

    organisation = ChoiceField(_l("Writing for"), invalid=_l(
        "Choose one of your organisations."))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options(*[(str(o.id), o.name) for o in organisations])


class StateForm(Form):
    """Buttons that change a listing's state: renew, reopen, restore."""

    action = ButtonChoiceField(choices=options(("renew", _l("Renew")),
                                               ("reopen", _l("Open it again")),
                                               ("restore", _l("Restore"))),
                               invalid=_l("That did not work: press the button again."))


class BoardFilterForm(SearchForm):
    """?kind= &category= &area= &organisation= &sort= &page=: the URL holds the state."""

    kind = ChoiceField(_l("Offers or requests"), default="", choices=options(
        ("", _l("Both")), ("offer", _l("Offers")), ("request", _l("Requests"))),
        invalid=_l("Choose offers, requests or both."))
    category = ChoiceField(_l("Kind of thing"), default="",
                           choices=category_choices(("", _l("Any kind"))),
                           invalid=_l("Choose one of the kinds listed."))
    area = ChoiceField(_l("Area"), default="", invalid=_l("Choose one of the areas listed."))
    organisation = ChoiceField(_l("Organisation"), default="",
                               invalid=_l("Choose one of the organisations listed."))
    sort = ChoiceField(_l("Order"), default="newest", choices=options(
        ("newest", _l("Newest first")), ("expiring", _l("Leaving the board soonest"))),
        invalid=_l("Choose newest or soonest leaving."))

    def __init__(self, *args, areas=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = options(("", _l("Any area")), *[(str(a.id), a.name) for a in areas])
        self.organisation.choices = options(("", _l("Any organisation")),
                                            *[(str(o.id), o.name) for o in organisations])
