from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField

from network.core.forms import options
from network.notify.models import Delivery


def settings_form(current: dict[str, Delivery], kinds: dict) -> FlaskForm:
    """One select per kind of notification, each set to the person's current choice."""

    class NotificationSettingsForm(FlaskForm):
        pass

    for kind, (label, _default) in kinds.items():
        field = SelectField(label, choices=options(*[(d.value, d.label) for d in Delivery]),
                            default=current[kind].value)
        setattr(NotificationSettingsForm, kind.replace(".", "_"), field)
    return NotificationSettingsForm()
