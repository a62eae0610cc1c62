"""Translations and the locale, looked up once per request rather than on every string: a
page says some sixty things, and Flask-Babel finds its translations anew for each."""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_locale, get_translations


def translations():
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


def locale_name() -> str:
    found = g.get("_locale_name")
    if found is None:
        found = g._locale_name = str(get_locale())
    return found


def init_app(app: Flask) -> None:
    """Templates' _() and ngettext() use the request's translations, found once."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: translations().ugettext(text),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, text: translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n),
        newstyle=True)
