"""The privacy page's form: its whole text, in Markdown."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from network.core.forms import Form, textarea_field

NOTICE_LIMIT = 20_000  # characters: a long privacy notice is a few thousand


class PrivacyNoticeForm(Form):
    body = textarea_field(_l("The privacy page, in Markdown"), NOTICE_LIMIT, optional=False,
                          needed=_l("Write the page: it cannot be left empty."))
