from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network.core.fields import ChoiceField
from network.core.forms import Form, options
from network.notify.models import Delivery


def settings_form(current: dict[str, Delivery], kinds: dict) -> Form:
    """One select per kind of notification, each set to the person's current choice."""

    class NotificationSettingsForm(Form):
        pass

    for kind, (label, _default) in kinds.items():
        field = ChoiceField(label, choices=options(*[(d.value, d.label) for d in Delivery]),
                            default=current[kind].value,
                            invalid=_l("Choose one of the ways listed."))
        setattr(NotificationSettingsForm, kind.replace(".", "_"), field)
    return NotificationSettingsForm()
