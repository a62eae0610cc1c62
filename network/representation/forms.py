"""Representation's forms: a body, a seat and whom it speaks for, a term of a seat; an item
raised, a report back and what goes in it, a response."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import InputRequired, ValidationError

from network.calendar.recurrence import occurrence_key
from network.core.audience import Audience
from network.core.fields import (
    ButtonChoiceField,
    CheckboxesField,
    ChoiceField,
    DayField,
    DayWithin,
)
from network.core.forms import (
    Form,
    SearchForm,
    SubmissionKeyField,
    VersionField,
    lazy_label,
    options,
    text_field,
    textarea_field,
)
from network.core.time import format_day
from network.representation.models import NAME_MAX, ActionStatus, ItemStatus, Selection

# How far from today each day may be, in days. A term is recorded from five years back (past
# holders go on record) and starts at most two years on; it ends at most six years on.
TERM_STARTS = (-5 * 365, 2 * 365)
TERM_ENDS = (-5 * 365, 6 * 365)
ACTION_DUE = (0, 2 * 365)  # from today (due at once) to two years on
RESPOND_BY = (1, 365)  # after today, within a year


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
        ("", _l("Choose one")), *[(s.value, lazy_label(s)) for s in Selection]),
        invalid=_l("Choose elected, nominated or co-opted."))
    selection_note = text_field(_l("The vote or nomination"), 500, optional=True,
                                description=_l("Elected at the AGM on 12 March, 14 votes to 9."))
    starts_on = DayField(_l("Term starts"), validators=[
        InputRequired(_l("Give the first day of the term, like 2026-04-01.")),
        DayWithin(*TERM_STARTS, _l("A term starts from %(first)s to %(last)s: past terms "
                                   "go back five years, and a new one starts within two."))])
    ends_on = DayField(_l("Term ends"), validators=[
        InputRequired(_l("Give the last day of the term, like 2028-03-31.")),
        DayWithin(*TERM_ENDS, _l("A term ends from %(first)s to %(last)s."))])

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(p.id), p.name) for p in people]
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


class ItemForm(Form):
    """An item raised for a seat's representative."""

    title = text_field(_l("What do you want raised?"), 200, description=_l(
        "In a line: Will the new health centre keep evening opening?"))
    body = textarea_field(_l("More about it"), 5000, description=_l(
        "The question, the concern, or your group's evidence: what the representative needs "
        "to raise it well. Markdown works."))
    organisation = ChoiceField(_l("Raised for"), invalid=_l(
        "Choose one of your organisations."))
    submission = SubmissionKeyField()

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = options(*[(str(o.id), o.name) for o in organisations])


class BackItemForm(Form):
    """The button "this matters to us too", or taking it back."""

    back = ButtonChoiceField(choices=options(("1", _l("This matters to us too")),
                                             ("0", _l("Take back"))),
                             invalid=_l("Choose to back the item or not."))


class MarkItemForm(Form):
    """The representative's answer to a raised item."""

    status = ChoiceField(_l("What became of it"), choices=options(
        *[(s.value, lazy_label(s)) for s in ItemStatus]), invalid=_l("Choose one of the answers."))
    reply = textarea_field(_l("Why not, or the answer"), 5000, description=_l(
        "Needed when it was not taken, or is answered. Who raised it is told."))


class StartReportForm(Form):
    """Which meeting a report is for: one held, with no report yet."""

    meeting = ChoiceField(_l("Which meeting?"), invalid=_l(
        "Choose one of the meetings held: a report comes after its meeting."))

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting.choices = options(*[(
            f"{m.event.id}-{occurrence_key(m.original_start)}",
            f"{format_day(m.starts_at)}: {m.event.title}") for m in meetings])


class ReportForm(Form):
    """A report back: the guided parts, who may read it, and an answer per raised item
    (fields answer_<item id>, added by report_form)."""

    summary = textarea_field(_l("In short"), 2000, optional=False, description=_l(
        "Two or three sentences a busy member reads first: what the meeting was about and "
        "what matters to us."))
    decisions = textarea_field(_l("What was decided"), 10000, description=_l(
        "One decision a line, starting with a dash. Markdown works."))
    said = textarea_field(_l("What I said on our behalf"), 10000, description=_l(
        "The points you made for the network, and how the meeting took them."))
    audience = ChoiceField(_l("Who can read it"), invalid=_l("Choose who can read it."))
    version = VersionField()

    def __init__(self, *args, public=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = options((Audience.MEMBERS.value, _l("Members (signed in)")),
                                        *([(Audience.PUBLIC.value, _l("Everyone (public)"))]
                                          if public else []))
        if public:
            self.audience.description = _l(
                "Public: everyone reads it, with your answers to the items members raised "
                "beside each item's line, and members' responses without their names. Who "
                "raised or backed an item, and items not yet answered, stay for members.")

    def values(self) -> dict:
        return {"summary": self.summary.data or "", "decisions": self.decisions.data or "",
                "said": self.said.data or "", "audience": Audience(self.audience.data)}

    def answers(self) -> dict[int, str]:
        return {int(name.removeprefix("answer_")): field.data or ""
                for name, field in self._fields.items() if name.startswith("answer_")}


def report_form(items, public: bool, **kwargs) -> ReportForm:
    """The report form, with a box for the answer to each item raised for its meeting."""
    fields = {f"answer_{item.id}": textarea_field(
        _l("Answer to “%(title)s”", title=item.title), 5000) for item in items}
    return type("ReportWithAnswers", (ReportForm,), fields)(public=public, **kwargs)


class ActionForm(Form):
    what = text_field(_l("What is to be done"), 300, description=_l(
        "Council to publish the consultation timetable."))
    owner = text_field(_l("Who does it"), 120, description=_l(
        "A person or a body: Housing team, Grace Okafor."))
    due_on = DayField(_l("By when"), validators=[
        InputRequired(_l("Give the day it is due, like 2027-01-31.")),
        DayWithin(*ACTION_DUE, _l("Give a day from today, %(first)s, to %(last)s: an action "
                                  "is due within two years."))])


class ActionUpdateForm(Form):
    status = ChoiceField(_l("Status"), choices=options(
        *[(s.value, lazy_label(s)) for s in ActionStatus]), invalid=_l("Choose a status."))
    note = text_field(_l("What has happened"), 500, optional=True)


class QuestionForm(Form):
    text = text_field(_l("Question to the members"), 500, description=_l(
        "What the meeting needs from us: Which of our groups could host a listening event?"))
    respond_by = DayField(_l("Respond by"), validators=[
        InputRequired(_l("Give the last day for answers, like 2027-01-15.")),
        DayWithin(*RESPOND_BY, _l("Give a day from %(first)s to %(last)s: after today, and "
                                  "within a year."))])


class ResponseForm(Form):
    body = textarea_field(_l("Your response"), 5000, optional=False, description=_l(
        "Markdown works."))
    question = ChoiceField(_l("Is it an answer to a question?"), default="", invalid=_l(
        "Choose one of the report's questions."))
    reply_to = ChoiceField(default="", invalid=_l("That response is not on this report."))
    submission = SubmissionKeyField()

    def __init__(self, *args, questions=(), responses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.question.choices = options(("", _l("No: a comment")),
                                        *[(str(q.id), q.text) for q in questions])
        self.reply_to.choices = options(("", ""), *[(str(r.id), str(r.id)) for r in responses])


class ReplyToForm(SearchForm):
    """?reply_to=<response id>: the report's page opens its response form as a reply."""

    reply_to = StringField()


class HideResponseForm(Form):
    reason = text_field(_l("Why hide it"), 500, description=_l("Its author sees the reason."))


class ArchiveForm(Form):
    """The button that takes a body or a seat out of use, or brings it back."""

    archive = ButtonChoiceField(choices=options(("1", _l("Archive")), ("0", _l("Restore"))),
                                invalid=_l("Choose to archive or restore."))
