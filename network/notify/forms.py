from __future__ import annotations

from wtforms import SelectField

from network.core.forms import Form, options
from network.notify.models import Delivery


def settings_form(current: dict[str, Delivery], kinds: dict) -> Form:
    """One select per kind of notification, each set to the person's current choice."""

    class NotificationSettingsForm(Form):
        pass

    for kind, (label, _default) in kinds.items():
        field = SelectField(label, choices=options(*[(d.value, d.label) for d in Delivery]),
                            default=current[kind].value)
        setattr(NotificationSettingsForm, kind.replace(".", "_"), field)
    return NotificationSettingsForm()
