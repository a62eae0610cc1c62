from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.validators import ValidationError

from network.auth.models import ROLE_LABELS
from network.core.fields import ButtonChoiceField, ChoiceField
from network.core.forms import Form, SearchForm, options, text_field, textarea_field
from network.extensions import db


def role_choices():
    return options(*((role.value, label) for role, label in ROLE_LABELS.items()))


class DeclineForm(Form):
    reason = textarea_field(_l("Reason, sent to the applicant"), 500, optional=False,
                        description=_l("Be kind and specific: what would make a new "
                                       "application succeed?"))


class RoleForm(Form):
    role = ChoiceField(_l("Role"), choices=role_choices(),
                       invalid=_l("Choose one of the roles listed."))


class SuspendForm(Form):
    reason = textarea_field(_l("Reason"), 500, optional=False,
                        description=_l("Recorded in the audit log and shown to coordinators."))


class ListEntryForm(Form):
    name = text_field(_l("Name"), 80)
    description = text_field(_l("Short description"), 300, optional=True)

    def __init__(self, *args, model=None, entry=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = model
        self.entry = entry

    def validate_name(self, field):
        query = select(self.model.id).where(self.model.name == field.data)
        if self.entry is not None:
            query = query.where(self.model.id != self.entry.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(_l("There is already one with this name."))


class RetireForm(Form):
    """Retire an area or theme, or bring it back: the button says which, so pressing it twice
    does not undo the first press."""

    retire = ButtonChoiceField(choices=options(("yes", _l("Retire")), ("no", _l("Bring back"))),
                               invalid=_l("That did not work: press the button again."))


class PeopleFilterForm(SearchForm):
    q = text_field(_l("Name or email contains"), 80, optional=True,
                   render_kw={"type": "search"})
    role = ChoiceField(_l("Role"), default="", invalid=_l("Choose one of the roles listed."))
    status = ChoiceField(_l("Status"), default="", choices=options(
        ("", _l("Active or suspended")), ("active", _l("Active")),
        ("suspended", _l("Suspended"))), invalid=_l("Choose one of the statuses listed."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = [*options(("", _l("Any role"))), *role_choices()]


class AuditFilterForm(SearchForm):
    action = text_field(_l("Action starts with"), 60, optional=True,
                        description=_l("For example: application, person, organisation."))
