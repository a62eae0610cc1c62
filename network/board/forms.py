"""The board's forms: a listing (new or changed, with its booking rules), settling it, hiding
it, a message, the board's filters; asking for a time, answering, cancelling."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import format_number, gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from network.board.models import (
    BOOKING_NOTE_MAX,
    DESCRIPTION_MAX,
    MESSAGE_MAX,
    PURPOSE_MAX,
    TITLE_MAX,
    Category,
    ListingKind,
    Urgency,
)
from network.core.fields import (
    ButtonChoiceField,
    CheckboxesField,
    CheckboxField,
    ChoiceField,
    ClockField,
    DayField,
    DayWithin,
    shown_day,
)
from network.core.forms import (
    Form,
    SearchForm,
    SubmissionKeyField,
    VersionField,
    lazy_label,
    options,
    required,
    strip,
    text_field,
    textarea_field,
)
from network.core.time import local_moment, today

# Days from today (DayWithin): a listing stays on the board up to a year; what it offers or
# asks for was there from a year back, and is for up to two years ahead.
LONGEST_LISTING = 365
AVAILABLE_SINCE, AVAILABLE_AHEAD = 365, 730
FURTHEST_BOOKING_DAY = 365  # bookings are taken up to a year ahead
WEEKDAYS = (_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
            _l("Saturday"), _l("Sunday"))
NOTICE_DAYS = (0, 1, 2, 3, 7, 14)


class UpTo(Length):
    """At most so many characters (the box's maxlength too). Longer, from wherever it came, is
    refused beside the field with how long it is: never cut, never taken."""

    def __init__(self, max_length: int):
        super().__init__(max=max_length)

    def __call__(self, form, field):
        if field.data and len(field.data) > self.max:
            raise ValidationError(gettext(
                "Keep this to %(max)s characters or fewer: it has %(length)s.",
                max=format_number(self.max), length=format_number(len(field.data))))


def category_choices(first):
    return options(first, *[(category.value, lazy_label(category)) for category in Category])


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
    description = TextAreaField(_l("Details"), validators=[Optional(), UpTo(DESCRIPTION_MAX)],
                                filters=[strip], description=_l(
        "When, where, how many, any conditions. You can use Markdown. Up to %(max)s "
        "characters.", max=LazyString(format_number, DESCRIPTION_MAX)))
    area = ChoiceField(_l("Area"), default="", invalid=_l("Choose one of the areas listed."))
    available_from = DayField(_l("Available or needed from"), validators=[
        Optional(), DayWithin(-AVAILABLE_SINCE, AVAILABLE_AHEAD)])
    available_until = DayField(_l("Until"), validators=[Optional(), DayWithin(
        0, AVAILABLE_AHEAD, _l("Give a day from today, %(first)s, to %(last)s."))])
    urgency = ChoiceField(_l("How urgent"), default="whenever", choices=options(
        *[(urgency.value, lazy_label(urgency)) for urgency in Urgency]),
        invalid=_l("Choose how urgent it is."))
    expires_on = DayField(_l("Take it off the board on"), validators=[Optional(), DayWithin(
        0, LONGEST_LISTING, _l("Give a day from today, %(first)s, to %(last)s: a listing "
                               "stays up to a year, and you can renew it."))],
                          description=_l("60 days from today if left empty. You will be "
                                         "reminded a week before, and can renew it."))
    bookable = CheckboxField(_l("Members can book it"), description=_l(
        "For a room, a vehicle or equipment lent by the hour: members ask for a time, you "
        "approve it, and it shows on its own calendar."))
    book_days = CheckboxesField(_l("On these days"), choices=options(
        *[(str(number), name) for number, name in enumerate(WEEKDAYS)]),
        description=_l("None ticked: any day."), invalid=_l("Choose from the days listed."))
    book_from = ClockField(_l("Bookable from"),
                           description=_l("The earliest start, like 09:00."))
    book_until = ClockField(_l("Bookable until"),
                            description=_l("The latest end, like 22:00."))
    notice_days = ChoiceField(_l("Notice needed"), default="0", choices=options(
        ("0", _l("None")), *[(str(days), _l("%(days)d days", days=days) if days > 1
                              else _l("1 day")) for days in NOTICE_DAYS[1:]]),
        invalid=_l("Choose one of the notice periods listed."))
    auto_approve = CheckboxField(_l("Approve a request for a free time without asking us"))
    submission = SubmissionKeyField()
    # "Look for matches first" (the page, without JavaScript) or htmx as it is typed
    # (hx-vals check=1, #matches alone): the matches are shown, nothing is posted.
    check = SubmitField(_l("Look for matches first"))

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

    def validate_bookable(self, field):
        if field.data and self.kind.data == ListingKind.REQUEST.value:
            raise ValidationError(_l("Only an offer can be booked: untick the box, or make it "
                                     "an offer."))

    def validate_book_until(self, field):
        if field.data and self.book_from.data and field.data <= self.book_from.data:
            raise ValidationError(_l("The latest end must be after the earliest start."))

    def values(self, days: int) -> dict:
        return {
            "kind": ListingKind(self.kind.data), "category": Category(self.category.data),
            "title": self.title.data, "description": self.description.data or "",
            "area_id": int(self.area.data) if self.area.data else None,
            "available_from": self.available_from.data,
            "available_until": self.available_until.data,
            "urgency": Urgency(self.urgency.data),
            "expires_on": self.expires_on.data or today() + timedelta(days=days),
            "bookable": self.bookable.data, "book_days": "".join(sorted(self.book_days.data)),
            "book_from": self.book_from.data, "book_until": self.book_until.data,
            "notice_days": int(self.notice_days.data), "auto_approve": self.auto_approve.data,
        }

    def show(self, listing) -> None:
        """Fill the form from a listing being changed."""
        self.process(obj=listing)
        self.organisation.data = str(listing.organisation_id)
        self.kind.data, self.category.data = listing.kind.value, listing.category.value
        self.urgency.data = listing.urgency.value
        self.area.data = str(listing.area_id) if listing.area_id else ""
        self.book_days.data = list(listing.book_days)
        self.notice_days.data = str(listing.notice_days)


class EditListingForm(ListingForm):
    version = VersionField()
    live_bookings = 0  # of the listing being changed: requests and bookings not yet over

    def validate_bookable(self, field):
        super().validate_bookable(field)
        if self.live_bookings and not field.data:
            raise ValidationError(ngettext(
                "%(num)d booking or request from now on stands: cancel or decline it first "
                "(they are told), or keep it bookable.",
                "%(num)d bookings and requests from now on stand: cancel or decline them "
                "first (they are told), or keep it bookable.", self.live_bookings))


class SettleForm(Form):
    """Matched (with whom) or closed; an offer that can be booked is shared by its bookings,
    so it is only closed."""

    outcome = ChoiceField(_l("What happened"), choices=options(
        ("matched", _l("Matched: we found each other")),
        ("closed", _l("Closed: it is no longer needed or on offer"))),
        invalid=_l("Choose matched or closed."))
    matched_with = ChoiceField(_l("With which organisation"), default="",
                               invalid=_l("Choose one of the organisations listed."))

    def __init__(self, *args, organisations=(), bookable=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.matched_with.choices = options(("", _l("Choose one")),
                                            *[(str(o.id), o.name) for o in organisations])
        if bookable:
            self.outcome.choices = options(("closed", _l("Closed: no new bookings")))
            self.outcome.invalid = _l("Its bookings are what it shares: it can be closed, "
                                      "not marked matched.")
            self.matched_with.choices = options(("", _l("Choose one")))

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


class BookingForm(Form):
    """A time asked for, on one day, for one of the asker's organisations."""

    organisation = ChoiceField(_l("Booking for"), invalid=_l(
        "Choose one of your organisations."))
    day = DayField(_l("Day"), validators=[
        InputRequired(_l("Give the day, like 2026-12-08.")),
        DayWithin(0, FURTHEST_BOOKING_DAY, _l("Give a day from today, %(first)s, to %(last)s: "
                                              "bookings are taken up to a year ahead."))])
    starts = ClockField(_l("From"), validators=[InputRequired(_l(
        "Give the time it starts, like 18:00."))])
    ends = ClockField(_l("Until"), validators=[InputRequired(_l(
        "Give the time it ends, like 21:00."))])
    purpose = text_field(_l("What it is for"), PURPOSE_MAX, description=_l(
        "A few words: Youth club committee meeting."))
    note = textarea_field(_l("Anything they should know"), BOOKING_NOTE_MAX)
    to_calendar = CheckboxField(_l("Put it in the shared calendar when it is approved"),
                                description=_l("Everyone signed in then sees it in the calendar: "
                                               "what it is for, who booked, and this as its "
                                               "place."))
    submission = SubmissionKeyField()

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options(*[(str(o.id), o.name) for o in organisations])

    def validate_ends(self, field):
        if field.data and self.starts.data and field.data <= self.starts.data:
            raise ValidationError(_l("It must end after it starts, on the same day."))

    def values(self) -> dict:
        return {"starts_at": local_moment(self.day.data, self.starts.data),
                "ends_at": local_moment(self.day.data, self.ends.data),
                "purpose": self.purpose.data, "note": self.note.data or "",
                "to_calendar": self.to_calendar.data}


class AnswerBookingForm(Form):
    """Approve or decline a request; a reason for declining is passed on."""

    answer = ButtonChoiceField(choices=options(("approve", _l("Approve")),
                                               ("decline", _l("Decline"))),
                               invalid=_l("Choose approve or decline."))
    reason = text_field(_l("Why not (for declining; they are told)"), 500, optional=True)


class CancelBookingForm(Form):
    why = text_field(_l("Why (the other organisation is told)"), 500, optional=True)


class BookingWindowForm(SearchForm):
    """?start=: the first of the weeks a resource's calendar shows."""

    start = DayField(_l("From"), validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        super().validate(extra_validators)
        shown_day(self.start)
        self._errors = None
        return not self.errors


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
