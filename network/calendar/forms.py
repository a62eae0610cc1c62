"""The calendar's forms: an event (new or changed), cancelling, answering, filtering."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from wtforms import DateField, FileField, IntegerField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional, StopValidation, ValidationError

from network.calendar.models import ACCESS, DESCRIPTION_MAX, TITLE_MAX, EventKind
from network.calendar.recurrence import PATTERNS, parse_key
from network.core import files
from network.core.audience import Audience
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
    text_field,
    textarea_field,
)
from network.core.time import local_moment

# Without a time, an event runs for this long.
DEFAULT_LENGTH = timedelta(hours=2)
COUNT_MAX = 500


def audience_choices():
    """Who may see an event, or a calendar brought in's events."""
    return options((Audience.MEMBERS.value, _l("Members and associates")),
                   (Audience.PUBLIC.value, _l("Everyone (public)")))


class MonthField(DateField):
    """A month, YYYY-MM: its first day."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m", **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Give a month, like 2026-12.")) from None


# The most frequent pattern is weekly: ten years is 522 starts, under MAX_OCCURRENCES, so a
# series' last start is always found.
LONGEST_SERIES = timedelta(days=3653)
# How far from today an event's days may be: a year back (a meeting written down after it
# was held), ten years on; a series' last date is within ten years of its first.
EVENT_DAYS = DayWithin(-365, 3650)
LAST_DAYS = DayWithin(-365, 3650 + LONGEST_SERIES.days)
CLOSING_DAYS = DayWithin(0, 3650, _l("Give a closing day from today to %(last)s."))


class EventForm(Form):
    organisation = ChoiceField(_l("Whose event is it?"),
                               invalid=_l("Choose one of your organisations."))
    title = text_field(_l("Title"), TITLE_MAX)
    kind = ChoiceField(_l("What kind of event?"), choices=options(
        *[(kind.value, lazy_label(kind)) for kind in EventKind]),
        invalid=_l("Choose one of the kinds listed."))
    starts_on = DayField(_l("Date"), validators=[
        InputRequired(_l("Give the day, like 2026-12-08.")), EVENT_DAYS])
    starts_time = ClockField(_l("Starts at"))
    ends_on = DayField(_l("Ends on (if not the same day)"), validators=[Optional(), EVENT_DAYS])
    ends_time = ClockField(_l("Ends at"))
    all_day = CheckboxField(_l("All day"))
    place = text_field(_l("Place"), 200, optional=True,
                       description=_l("An address people can find, with the room."))
    online_link = text_field(_l("Online link"), 300, optional=True,
                             render_kw={"inputmode": "url", "placeholder": "https://"})
    audience = ChoiceField(_l("Who can see it?"), choices=audience_choices(),
        default=Audience.MEMBERS.value, invalid=_l("Choose who can see it."))
    area = ChoiceField(_l("Neighbourhood area"))
    body = ChoiceField(_l("Is it a meeting of a body we sit on?"), default="",
                       invalid=_l("Choose one of the bodies listed."), description=_l(
                           "It is then listed on the body's page and under "
                           "“My representatives”. “Who can see it?” still decides who sees "
                           "the meeting: choose “Everyone” only if the body meets in public."))
    themes = CheckboxesField(_l("Themes"))
    description = textarea_field(_l("What it is about"), DESCRIPTION_MAX,
                                 description=_l("Markdown works, as in the forum."))
    closes_on = DayField(_l("Responses close on"), validators=[Optional(), CLOSING_DAYS],
                         description=_l("For a consultation: the last day to respond."))
    rsvp = CheckboxField(_l("Ask people whether they are coming"), default=True)
    capacity = IntegerField(_l("Places (leave empty if there is no limit)"),
                            validators=[Optional(), NumberRange(1, 100_000, _l(
                                "Give a number of places from 1 to 100,000."))])
    step_free = CheckboxField(ACCESS[0][1])
    hearing_loop = CheckboxField(ACCESS[1][1])
    interpreter = CheckboxField(ACCESS[2][1])
    childcare = CheckboxField(ACCESS[3][1])
    travel_expenses = CheckboxField(ACCESS[4][1])
    access_note = text_field(_l("Anything else about access"), 300, optional=True)
    repeat = ChoiceField(_l("Repeats"), choices=options(
        ("", _l("Does not repeat")), *PATTERNS.items()), default="",
        invalid=_l("Choose how it repeats."))
    repeat_end = ChoiceField(_l("Until"), choices=options(
        ("never", _l("No end date")), ("until", _l("A date")), ("count", _l("A number of times"))),
        default="never", invalid=_l("Choose how the repeats end."))
    repeat_until = DayField(_l("Last date"), validators=[Optional(), LAST_DAYS])
    repeat_count = IntegerField(_l("Number of times"), validators=[Optional(), NumberRange(
        2, COUNT_MAX, _l("From 2 to %(max)d times.", max=COUNT_MAX))])
    submission = SubmissionKeyField()

    def __init__(self, *args, organisations=(), areas=(), themes=(), bodies=(), **kwargs):
        """bodies: (id, name) of those whose meetings may be chosen."""
        super().__init__(*args, **kwargs)
        self.organisation.choices = options(*[(str(org.id), org.name) for org in organisations])
        self.body.choices = options(("", _l("No")), *[(str(id_), name) for id_, name in bodies])
        self.area.choices = options(("", _l("Borough-wide, or not sure")),
                                    *[(str(area.id), area.name) for area in areas])
        self.area.invalid = _l("Choose one of the areas listed.")
        self.themes.choices = options(*[(str(theme.id), theme.name) for theme in themes])

    # --- what the fields mean together ---------------------------------------------------

    def times(self) -> tuple[datetime, datetime]:
        """(starts_at, ends_at) in UTC. An all-day event runs from midnight to midnight."""
        starts_on = self.starts_on.data
        ends_on = self.ends_on.data or starts_on
        if self.all_day.data:
            return local_moment(starts_on, None), local_moment(ends_on + timedelta(days=1), None)
        starts_at = local_moment(starts_on, self.starts_time.data)
        if self.ends_time.data is None:
            return starts_at, starts_at + DEFAULT_LENGTH
        return starts_at, local_moment(ends_on, self.ends_time.data)

    def closes_at(self) -> datetime | None:
        if self.closes_on.data is None:
            return None
        return local_moment(self.closes_on.data + timedelta(days=1), None) - timedelta(seconds=1)

    def validate_starts_time(self, field):
        if not self.all_day.data and field.data is None and not field.errors:
            raise ValidationError(_l("Give the time it starts, or tick “All day”."))

    def validate_ends_time(self, field):
        if self.starts_on.data is None or self.starts_time.data is None and not self.all_day.data:
            return
        if self.starts_on.errors or self.ends_on.errors or field.errors:
            return
        starts_at, ends_at = self.times()
        if ends_at <= starts_at:
            raise ValidationError(_l("It must end after it starts."))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("It must end on or after the day it starts."))

    def validate_online_link(self, field):
        if field.data and not field.data.startswith(("https://", "http://")):
            raise ValidationError(_l("Give the whole address, starting https://"))

    def validate_closes_on(self, field):
        if self.kind.data == EventKind.CONSULTATION and field.data is None and not field.errors:
            raise ValidationError(_l("A consultation needs the date responses close."))

    def validate_capacity(self, field):
        if field.data and not self.rsvp.data:
            raise ValidationError(_l("Places are counted from answers: tick “Ask people "
                                     "whether they are coming” too, or leave this empty."))

    def validate_repeat_until(self, field):
        if self.repeat.data and self.repeat_end.data == "until":
            if field.data is None and not field.errors:
                raise ValidationError(_l("Give the last date, or choose another end."))
            if field.data and self.starts_on.data and field.data < self.starts_on.data:
                raise ValidationError(_l("The last date must be on or after the first."))
            if field.data and self.starts_on.data and \
                    field.data > self.starts_on.data + LONGEST_SERIES:
                raise ValidationError(_l("A series can run for up to ten years: choose an "
                                         "earlier last date, or no end."))

    def validate_repeat_count(self, field):
        if self.repeat.data and self.repeat_end.data == "count" and field.data is None \
                and not field.errors:
            raise ValidationError(_l("Give the number of times, or choose another end."))

    def repeats(self) -> tuple[str, date | None, int | None] | None:
        """(pattern, until, count), or None for a one-off event."""
        if not self.repeat.data:
            return None
        end = self.repeat_end.data
        return (self.repeat.data, self.repeat_until.data if end == "until" else None,
                self.repeat_count.data if end == "count" else None)

    def event_values(self) -> dict:
        """The fields that are the event's own columns."""
        starts_at, ends_at = self.times()
        values = {
            "title": self.title.data, "kind": EventKind(self.kind.data),
            "audience": Audience(self.audience.data), "starts_at": starts_at,
            "ends_at": ends_at, "all_day": bool(self.all_day.data),
            "place": self.place.data or "", "online_link": self.online_link.data or "",
            "description": self.description.data or "", "closes_at": self.closes_at(),
            "rsvp": bool(self.rsvp.data), "capacity": self.capacity.data,
            "access_note": self.access_note.data or "",
            "area_id": int(self.area.data) if self.area.data else None,
            "body_id": int(self.body.data) if self.body.data else None,
        }
        values.update({column: bool(self[column].data) for column, _label in ACCESS})
        return values

    def theme_ids(self) -> list[int]:
        return [int(value) for value in self.themes.data or []]


class EditEventForm(EventForm):
    """Changing an event; for a series, which occurrences the change is for."""

    # Opened on one date of a series: that date alone, unless the person chooses more.
    scope = ChoiceField(_l("Change"), choices=options(
        ("this", _l("Only this one")), ("following", _l("This one and the ones after it")),
        ("all", _l("Every occurrence"))),
        default="this", invalid=_l("Choose which occurrences to change."))
    version = VersionField()

    def __init__(self, *args, recurring=False, rule=None, most_going=lambda: 0, **kwargs):
        """recurring, rule: the event's, as (pattern, until, count); most_going(): the most
        people going to one of its upcoming occurrences (asked only when places are given)."""
        super().__init__(*args, **kwargs)
        self.recurring, self.rule, self.most_going = recurring, rule, most_going

    def chosen_scope(self) -> str:
        return self.scope.data if self.recurring else "all"

    def validate_capacity(self, field):
        super().validate_capacity(field)
        if field.data and field.data < (going := self.most_going()):
            raise ValidationError(_l(
                "%(num)d people are already going to an occurrence: there must be at least "
                "as many places.", num=going))

    def validate_scope(self, field):
        if self.capacity.errors:
            return
        if self.chosen_scope() == "this" and self.repeats() != self.rule:
            raise ValidationError(_l("For one occurrence, only its date, times and place can "
                                     "change. To change how it repeats, choose every "
                                     "occurrence."))


class CancelForm(Form):
    reason = textarea_field(_l("Why (people who said they would come are told)"), 500,
                            optional=False,
                            needed=_l("Say why, so the people who were coming know."))
    scope = ChoiceField(_l("Cancel"), choices=options(
        ("this", _l("Only this occurrence")),
        ("following", _l("This occurrence and the ones after it")),
        ("all", _l("The whole event"))),
        default="this", invalid=_l("Choose what to cancel."))


class RsvpForm(Form):
    answer = ButtonChoiceField(choices=options(
        *[(value, label) for value, label in (("going", _l("Going")), ("maybe", _l("Maybe")),
                                              ("not_going", _l("Can't go")))]),
        invalid=_l("Choose going, maybe or can't go."))


class PaperForm(files.PaperForm):
    """A paper to attach: a new one, or a new version of one already there."""

    title_example = _l("Say what it is: Agenda, Minutes of the March meeting.")
    replaces = ChoiceField(_l("Is it a new version of a paper already attached?"), default="",
                           invalid=_l("Choose one of the papers listed."))

    def __init__(self, *args, papers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.replaces.choices = options(("", _l("No: it is a new paper")),
                                        *[(str(paper.id), paper.title) for paper in papers])


class ResetFeedForm(Form):
    """A new feed address: every calendar program using the old one stops updating, so the
    box says so and must be ticked."""

    confirm = CheckboxField(
        _l("I understand: calendar programs using the old address will stop updating until I "
           "give them the new one."),
        must_tick=_l("Tick the box to make a new address."))


class FollowForm(Form):
    """The button on an organisation's page: hear of its new events, or stop."""

    follow = ButtonChoiceField(choices=options(("1", _l("Follow")), ("0", _l("Unfollow"))),
                               invalid=_l("Choose to follow or unfollow."))


class OccurrenceKeyField(StringField):
    """An occurrence named by its key (its original start in UTC, 20261203T183000Z): data is
    the moment, or None when the value is not one."""

    def process_formdata(self, valuelist):
        self.data = parse_key(valuelist[0]) if valuelist else None

    @property
    def given(self) -> bool:
        """Whether the address names an occurrence at all (rightly or not)."""
        return bool(self.raw_data and self.raw_data[0])


class OccurrenceForm(SearchForm):
    """?at=: the occurrence of a series an address is about."""

    at = OccurrenceKeyField()


class CalendarFilterForm(SearchForm):
    """?area= &theme= &organisation= &kind= &mine= &start= (or &before=): the URL holds the
    state."""

    area = ChoiceField(_l("Area"), default="", invalid=_l("Choose one of the areas listed."))
    theme = ChoiceField(_l("Theme"), default="", invalid=_l("Choose one of the themes listed."))
    organisation = ChoiceField(_l("Organisation"), default="",
                               invalid=_l("Choose one of the organisations listed."))
    kind = ChoiceField(_l("Kind"), default="", invalid=_l("Choose one of the kinds listed."),
                       choices=options(
        ("", _l("Any kind")), *[(kind.value, lazy_label(kind)) for kind in EventKind]))
    mine = CheckboxField(_l("Only mine (my organisations’, and those I answered)"))
    start = DayField(_l("From"), validators=[Optional()])  # the agenda's first day
    before = DayField(_l("Before"), validators=[Optional()])  # the agenda's page before this day
    week = DayField(_l("Week of"), validators=[Optional()])
    month = MonthField(_l("Month"), validators=[Optional()])

    def __init__(self, *args, areas=(), themes=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = options(("", _l("Any area")),
                                    *[(str(a.id), a.name) for a in areas])
        self.theme.choices = options(("", _l("Any theme")),
                                     *[(str(t.id), t.name) for t in themes])
        self.organisation.choices = options(("", _l("Any organisation")),
                                            *[(str(o.id), o.name) for o in organisations])

    def validate(self, extra_validators=None) -> bool:
        """A day or month in the address that is not one, or is out of any calendar's reach
        (year 9999), shows the weeks from today rather than an error: they are no field a
        person filled in."""
        valid = super().validate(extra_validators)
        for field in (self.start, self.before, self.week, self.month):
            shown_day(field)
        self._errors = None
        return valid and not self.errors


class IcsFileField(FileField):
    """An uploaded .ics file: its bytes (`data`), up to CALENDAR_IMPORT_MAX_BYTES; whether it
    is a calendar is for the import to say."""

    def process_formdata(self, valuelist):
        self.data, self.refusal = None, None
        upload = next((v for v in valuelist if isinstance(v, FileStorage) and v.filename), None)
        if upload is not None:
            limit = current_app.config["CALENDAR_IMPORT_MAX_BYTES"]
            self.data = upload.stream.read(limit + 1)
            if len(self.data) > limit:
                self.data, self.refusal = None, _l(
                    "That file is larger than %(size)s MB: nothing was brought in.",
                    size=f"{limit / (1024 * 1024):g}")

    def pre_validate(self, form):
        if getattr(self, "refusal", None) is not None:
            raise StopValidation(str(self.refusal))

    def _value(self):
        return ""


class SourceForm(Form):
    """A calendar to bring in: its address or a file, and how its events show."""

    name = text_field(_l("Name"), 120, description=_l(
        "Events show “From:” this name, say “Council committee dates”."))
    url = text_field(_l("Its ICS address"), 500, optional=True,
                     render_kw={"inputmode": "url", "placeholder": "https://"})
    file = IcsFileField(_l("Or an .ics file"), render_kw={"accept": ".ics,text/calendar"})
    website = text_field(_l("Its website (optional)"), 300, optional=True,
                         render_kw={"inputmode": "url", "placeholder": "https://"})
    audience = ChoiceField(_l("Who can see its events?"), choices=audience_choices(),
        default=Audience.MEMBERS.value, invalid=_l("Choose who can see them."))
    kind = ChoiceField(_l("What kind of events?"), choices=options(
        *[(kind.value, lazy_label(kind)) for kind in EventKind]), default=EventKind.MEETING.value,
        invalid=_l("Choose one of the kinds listed."))
    organisation = ChoiceField(_l("Which organisation do they show as?"), default="",
                               validators=[required(_l("Choose the organisation they show as."))],
                               invalid=_l("Choose one of the organisations listed."))

    def __init__(self, *args, organisations=(), editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.organisation.choices = options(("", _l("Choose one")),
                                            *[(str(org.id), org.name) for org in organisations])
        if editing is not None and editing.from_file:  # the file alone, no address before it
            self.file.label.text = _l("A new .ics file (leave it empty to keep the one it has)")

    def validate_url(self, field):
        if urlsplit(field.data).scheme.lower() not in {"http", "https"}:
            raise ValidationError(_l("Give an address starting with https:// or http://."))

    validate_website = validate_url

    def validate(self, extra_validators=None) -> bool:
        """An address or a file, as the calendar is (a new one: either, not both)."""
        valid = super().validate(extra_validators)
        if self.url.errors or self.file.errors:
            return valid
        given, file = bool(self.url.data), self.file.data is not None
        by_file = self.editing.from_file if self.editing is not None else file and not given
        message = None
        if self.editing is None and not given and not file:
            message = _l("Give its address, or choose a file.")
        elif given and file:
            message = _l("Give its address or a file, not both.")
        elif by_file and given:
            message = _l("This calendar came from a file: upload a new one instead.")
        elif not by_file and not given:
            message = _l("Give its address.")
        if message is None:
            return valid
        self.url.errors = [*self.url.errors, str(message)]
        return False

    def source_values(self) -> dict:
        return {"name": self.name.data, "url": self.url.data or "",
                "website": self.website.data or "", "audience": Audience(self.audience.data),
                "kind": EventKind(self.kind.data),
                "organisation_id": int(self.organisation.data)}
