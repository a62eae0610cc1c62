"""Representation's forms: a body, a seat and whom it speaks for, a term of a seat."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import InputRequired, ValidationError

from network.core.audience import Audience
from network.core.fields import CheckboxesField, ChoiceField, DayField
from network.core.forms import Form, options, text_field, textarea_field
from network.representation.models import NAME_MAX, Selection


class BodyForm(Form):
    name = text_field(_l("Name"), NAME_MAX, description=_l(
        "As the body calls itself: Riverside Strategic Partnership Board."))
    description = textarea_field(_l("What it does"), 5000, description=_l(
        "What it decides, who sits on it. Markdown works."))
    meets = text_field(_l("How often it meets"), 200, optional=True,
                       description=_l("Every two months, on a Thursday evening."))
    audience = ChoiceField(_l("Who can see it, its seats and its reports"), choices=options(
        (Audience.MEMBERS.value, _l("Everyone signed in")),
        (Audience.PUBLIC.value, _l("Everyone (public)"))),
        default=Audience.MEMBERS.value, invalid=_l("Choose who can see it."))

    def values(self) -> dict:
        return {"name": self.name.data, "description": self.description.data or "",
                "meets": self.meets.data or "", "audience": Audience(self.audience.data)}


class SeatForm(Form):
    title = text_field(_l("Seat"), NAME_MAX, description=_l(
        "Its name on the body: Voluntary sector seat, Faith communities seat."))
    description = textarea_field(_l("About the seat"), 500)
    areas = CheckboxesField(_l("It speaks for these areas"), description=_l(
        "Tick nothing here, in themes or in organisations, and it speaks for the whole "
        "network."))
    themes = CheckboxesField(_l("It speaks for these themes"))
    organisations = CheckboxesField(_l("It speaks for these organisations"))

    def __init__(self, *args, areas=(), themes=(), organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.areas.choices = options(*[(str(a.id), a.name) for a in areas])
        self.themes.choices = options(*[(str(t.id), t.name) for t in themes])
        self.organisations.choices = options(*[(str(o.id), o.name) for o in organisations])

    def chosen(self) -> dict:
        return {name: [int(value) for value in getattr(self, name).data]
                for name in ("areas", "themes", "organisations")}


class TermForm(Form):
    """Who holds a seat, from one day to another."""

    holder = ChoiceField(_l("Who holds it"), invalid=_l("Choose one of the people listed."))
    deputy = ChoiceField(_l("Deputy"), default="", invalid=_l(
        "Choose one of the people listed."))
    selection = ChoiceField(_l("How they were chosen"), choices=options(
        ("", _l("Choose one")), *[(s.value, s.label) for s in Selection]),
        invalid=_l("Choose elected, nominated or co-opted."))
    selection_note = text_field(_l("The vote or nomination"), 500, optional=True,
                                description=_l("Elected at the AGM on 12 March, 14 votes to 9."))
    starts_on = DayField(_l("Term starts"), validators=[InputRequired(_l(
        "Give the first day of the term, like 2026-04-01."))])
    ends_on = DayField(_l("Term ends"), validators=[InputRequired(_l(
        "Give the last day of the term, like 2028-03-31."))])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(p.id), p.display_name) for p in people]
        self.holder.choices = options(("", _l("Choose one")), *choices)
        self.deputy.choices = options(("", _l("No deputy")), *choices)

    def validate_holder(self, field):
        if not field.data:
            raise ValidationError(_l("Choose who holds the seat."))

    def validate_selection(self, field):
        if not field.data:
            raise ValidationError(_l("Say how they were chosen."))

    def validate_deputy(self, field):
        if field.data and field.data == self.holder.data:
            raise ValidationError(_l("The deputy is someone other than the holder."))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The term must end on or after the day it starts."))

    def values(self) -> dict:
        return {"holder_id": int(self.holder.data),
                "deputy_id": int(self.deputy.data) if self.deputy.data else None,
                "selection": Selection(self.selection.data),
                "selection_note": self.selection_note.data or "",
                "starts_on": self.starts_on.data, "ends_on": self.ends_on.data}
