"""The forms that close an account: one's own (the password and a box to tick), and a
coordinator's for someone else (the reference of their request and a box to tick)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField

from network.auth.passwords import MAX_LENGTH
from network.core.fields import CheckboxField
from network.core.forms import Form, required, text_field


class CloseAccountForm(Form):
    password = PasswordField(_l("Your password"),
                             validators=[required(_l("Type your password."))],
                             render_kw={"autocomplete": "current-password",
                                        "maxlength": MAX_LENGTH})
    confirm = CheckboxField(_l("I understand that this cannot be undone"),
                            must_tick=_l("Tick the box to say you understand."))


class CloseForSomeoneForm(Form):
    reference = text_field(_l("Reason or reference"), 200,
                           description=_l("Their request, for the audit log: “letter of 3 "
                                          "December”. Not their name or address."))
    confirm = CheckboxField(_l("They asked for their account to be closed, and I have "
                               "checked it was them"),
                            must_tick=_l("Tick the box to confirm."))
