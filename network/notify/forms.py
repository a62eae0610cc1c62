from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network.core.fields import CheckboxField, ChoiceField
from network.core.forms import Form, lazy_label, options
from network.notify.models import Delivery


def settings_form(current: dict[str, Delivery], kinds: dict, letters: dict | None = None,
                  chosen: dict[str, bool] | None = None) -> Form:
    """One select per kind of notification, each set to the person's current choice; a box
    to tick for each letter (the weekly bulletin), ticked if they get it."""

    class NotificationSettingsForm(Form):
        pass

    for kind, (label, _default) in kinds.items():
        field = ChoiceField(label, choices=options(*[(d.value, lazy_label(d)) for d in Delivery]),
                            default=current[kind].value,
                            invalid=_l("Choose one of the ways listed."))
        setattr(NotificationSettingsForm, kind.replace(".", "_"), field)
    for kind, label in (letters or {}).items():
        setattr(NotificationSettingsForm, f"letter_{kind}",
                CheckboxField(label, default=(chosen or {}).get(kind, False)))
    return NotificationSettingsForm()
