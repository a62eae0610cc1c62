"""The search form: ?q= &kind= &area= &from= &to= (and ?page=, read by core.pagination)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SearchField
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from network.core.fields import FIRST_DAY, LAST_DAY, ChoiceField, DayField
from network.core.forms import SearchForm, lazy_label, options, strip
from network.search.models import Kind

QUERY_MAX = 200


def within_reach(form, field) -> None:
    if field.data is not None and not FIRST_DAY <= field.data <= LAST_DAY:
        raise StopValidation(_l("Give a day between 1970 and 2199."))


class SearchPageForm(SearchForm):
    q = SearchField(_l("Search for"), filters=[strip], validators=[Length(
        max=QUERY_MAX, message=_l("Keep your search to %(max)d characters or fewer.",
                                  max=QUERY_MAX))],
        description=_l('Words, "a phrase", OR between two words, -a word to leave out.'),
        render_kw={"maxlength": QUERY_MAX, "autocomplete": "off", "spellcheck": "false"})
    kind = ChoiceField(_l("Type"), default="", invalid=_l("Choose one of the types listed."),
                       choices=options(("", _l("Everything")),
                                       *[(kind.value, lazy_label(kind)) for kind in Kind]))
    area = ChoiceField(_l("Area"), default="", invalid=_l("Choose one of the areas listed."))
    since = DayField(_l("From"), name="from", validators=[Optional(), within_reach])
    until = DayField(_l("To"), name="to", validators=[Optional(), within_reach])

    def validate_until(self, field) -> None:
        """A "to" before the "from" finds nothing; say so rather than show no results."""
        if field.data and self.since.data and not self.since.errors \
                and field.data < self.since.data:
            raise ValidationError(_l("Give a day on or after the first."))

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.area.choices = options(("", _l("Any area")), *[(str(a.id), a.name) for a in areas])
