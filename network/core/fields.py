"""Fields that take only their own values, and a length check that has the last word.

WTForms' BooleanField takes anything but "false" as a tick (`agree_memorandum=no` agreed), and
a select or button value read with request.form.get() takes anything at all. These refuse
every other value with a message, and stop there: one message per field, never two.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from wtforms import BooleanField, DateField, SelectField, SelectMultipleField, TimeField
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget, Select, html_params

from network.core.time import format_day, today


class PlainSelect(Select):
    """WTForms' select, drawn at a third of the cost: options as plain strings rather than
    a parameter dictionary each (a directory's filters draw some forty options a page)."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        if field.flags.required and "required" not in kwargs:
            kwargs["required"] = True
        if field.has_groups():
            return super().__call__(field, **kwargs)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for choice in field._iter_choices_normalized():
            if choice.render_kw:
                html.append(self.render_option(choice))
                continue
            label = escape(choice.label or choice.value)
            selected = " selected" if choice.selected else ""
            html.append(f'<option{selected} value="{escape(choice.value)}">{label}</option>')
        html.append("</select>")
        return Markup("".join(html))  # noqa: S704 -- escaped above  # nosec B704


class ChoiceField(SelectField):
    """One of its choices, or refused with `invalid` (WTForms says only "Not a valid choice")."""

    widget = PlainSelect()

    def __init__(self, label=None, validators=None, *, invalid=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        # `is None`, not `or`: asking a lazy message whether it is empty translates it.
        self.invalid = _l("Choose one of the options listed.") if invalid is None else invalid

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise StopValidation(self.invalid)


class ButtonChoiceField(ChoiceField):
    """A choice sent by the button pressed (`<button name=.. value=..>`) or a hidden input:
    the template draws the buttons; the value is checked like a select's."""

    widget = HiddenInput()

    def populate_obj(self, obj, name):
        """A button pressed is an instruction to the view, not a value to store."""


class CheckboxesField(SelectMultipleField):
    """Any number of its choices, as a list of checkboxes; a value not offered is refused."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label=None, validators=None, *, invalid=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.invalid = _l("Choose from the options listed.") if invalid is None else invalid

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise StopValidation(self.invalid)


class CheckboxField(BooleanField):
    """Ticked sends the box's value ("y"), unticked sends nothing; any other value is refused.
    must_tick: the message when the box has to be ticked (agreeing to the memorandum)."""

    refused = False

    def __init__(self, label=None, validators=None, *, must_tick=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.must_tick = must_tick
        if must_tick:
            self.flags.required = True

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and valuelist[0] == "y"
        self.refused = bool(valuelist) and valuelist[0] != "y"

    def _value(self):
        return "y"

    def pre_validate(self, form):
        if self.refused:
            raise StopValidation(self.must_tick or _l("Tick the box, or leave it empty."))
        if self.must_tick and not self.data:
            raise StopValidation(self.must_tick)


class MaxLength(Length):
    """Length(max=...) that ends the checks: a 300-character email address is too long, and
    being told it also "does not look like an email address" helps no one."""

    def __init__(self, max_length: int, message=None):
        super().__init__(max=max_length, message=message)

    def __call__(self, form, field):
        try:
            super().__call__(form, field)
        except ValidationError as error:
            raise StopValidation(error.args[0])


class DayField(DateField):
    """A date (YYYY-MM-DD, what a date picker sends), with our own message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%Y-%m-%d", **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Give a real date, like 2026-12-03.")) from None


class DayWithin:
    """A day within reach of today: from `earliest` days after it (negative: before) to `latest`.
    The input carries min and max, so a date picker offers only those days. A day the record
    already had is kept as it was (`Form(obj=record)` on POST too), so a row from before the
    rule can still be changed or cancelled without choosing a new day.

    Every date a person gives has one: an event within a year back and ten years on, a
    respond-by day after today and within a year."""

    def __init__(self, earliest: int, latest: int, message=None):
        self.earliest, self.latest, self.message = earliest, latest, message

    def bounds(self) -> tuple[date, date]:
        start = today()
        return start + timedelta(days=self.earliest), start + timedelta(days=self.latest)

    @property
    def field_flags(self) -> dict[str, str]:  # drawn as the input's min and max attributes
        first, last = self.bounds()
        return {"min": first.isoformat(), "max": last.isoformat()}

    def __call__(self, form, field) -> None:
        day = field.data
        if day is None or day == field.object_data:
            return
        first, last = self.bounds()
        if not first <= day <= last:
            message = self.message or _l("Give a day from %(first)s to %(last)s.")
            raise StopValidation(str(message) % {"first": format_day(first),
                                                 "last": format_day(last)})


# The days a page of days (a calendar) can start on: beyond them, weeks before and after are
# not dates Python can count.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2199, 12, 31)


def shown_day(field: DayField) -> None:
    """A page's first day from the address: a day it cannot show is as none given."""
    if field.errors or (field.data and not FIRST_DAY <= field.data <= LAST_DAY):
        field.errors, field.data = [], None


class ClockField(TimeField):
    """A time of day (HH:MM), with our own message."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format="%H:%M", **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None  # left empty: the form says what that means
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Give a time of day, like 19:00.")) from None
