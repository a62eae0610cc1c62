"""The period a record covers: ?start= &end= (days in the borough, both included)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import Optional, ValidationError

from network.core.fields import DayField, DayWithin
from network.core.forms import SearchForm

FURTHEST_BACK = 3653  # days: ten years of a funder's reporting, and no more to count


class PeriodForm(SearchForm):
    start = DayField(_l("From"), validators=[Optional(), DayWithin(-FURTHEST_BACK, 0)])
    end = DayField(_l("To"), validators=[Optional(), DayWithin(-FURTHEST_BACK, 0)])

    def validate_end(self, field) -> None:
        if field.data and self.start.data and field.data < self.start.data:
            raise ValidationError(_l("Give a day on or after the first."))
