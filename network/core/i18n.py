"""The languages the site speaks, whose language a request is in, and translations looked up
once per request rather than on every string: a page says some sixty things, and Flask-Babel
finds its translations anew for each.

A language is offered when its compiled catalogue is present
(network/translations/<locale>/LC_MESSAGES/messages.mo): adding one needs no code. English
(BABEL_DEFAULT_LOCALE) is the source text and always offered. A request's language is the
person's saved choice, else the `lang` cookie the footer's switch sets, else the browser's
Accept-Language best match, else English."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, g, has_request_context, request
from flask_babel import force_locale, get_locale, get_translations
from flask_babel.speaklater import LazyString

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Language:
    code: str  # as the catalogue's folder is named, and the cookie and Person.locale hold it
    name: str  # in its own language: "English", "Polski"
    tag: str  # BCP 47, for <html lang>: "en-GB", "pl"
    direction: str  # "ltr" or "rtl", for <html dir>


@cache
def _languages(default: str, folders: tuple[str, ...]) -> dict[str, Language]:
    codes = {found.parent.parent.name for folder in folders
             for found in Path(folder).glob("*/LC_MESSAGES/messages.mo")}
    return {code: _language(code) for code in [default, *sorted(codes - {default})]}


def _language(code: str) -> Language:
    locale = Locale.parse(code)
    name = locale.language_name or locale.display_name
    return Language(code=code, name=name[:1].upper() + name[1:],
                    tag=code.replace("_", "-"),
                    direction="rtl" if locale.character_order == "right-to-left" else "ltr")


def languages() -> dict[str, Language]:
    """Every language offered, English first, by code."""
    folders = current_app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations")
    return _languages(default_code(), tuple(str(Path(current_app.root_path) / folder)
                                            for folder in folders.split(";")))


def default_code() -> str:
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def offered(code: str | None) -> str | None:
    """The code if that language is offered (a saved or cookie value may be stale)."""
    return code if code and code in languages() else None


def choose_locale() -> str:
    """Flask-Babel's locale selector: asked once per request (Flask-Babel keeps the answer)."""
    from flask_login import current_user

    if not has_request_context():
        return default_code()
    saved = getattr(current_user, "locale", None) if current_user.is_authenticated else None
    return (offered(saved) or offered(request.cookies.get(COOKIE)) or browser_choice()
            or default_code())


def browser_choice() -> str | None:
    """Accept-Language's first language (by quality) that is offered, exactly (pl-PL for a
    pl_PL catalogue) or by its language alone (en-US for en_GB). Werkzeug's best_match would
    take "pl;q=0.3" over English for "en-US, pl;q=0.3": it tries every exact match first."""
    offered_codes = list(languages())
    by_language = {}
    for code in offered_codes:
        by_language.setdefault(code.split("_")[0].lower(), code)
    for asked, _quality in request.accept_languages:  # highest quality first
        exact = next((code for code in offered_codes
                      if code.replace("_", "-").lower() == asked.replace("_", "-").lower()),
                     None)
        found = exact or by_language.get(asked.replace("_", "-").split("-")[0].lower())
        if found:
            return found
    return None


def recipient_locale(recipient) -> str:
    """The language to write to someone in: their saved choice (a Person's, or the one an
    Application was made in), else English."""
    return offered(getattr(recipient, "locale", None)) or default_code()


@contextmanager
def in_locale(code: str | None) -> Iterator[None]:
    """Render in another language (an email in its recipient's), then back to the request's.
    None: the current language, unchanged."""
    if code is None:
        yield
        return
    kept = {key: g.pop(key) for key in ("_translations", "_locale_name") if key in g}
    try:
        with force_locale(code):
            yield
    finally:
        for key in ("_translations", "_locale_name"):
            g.pop(key, None)
        for key, value in kept.items():
            setattr(g, key, value)


def translations():
    found = g.get("_translations")
    if found is None:
        found = g._translations = get_translations()
    return found


def locale_name() -> str:
    found = g.get("_locale_name")
    if found is None:
        found = g._locale_name = str(get_locale() or default_code())
    return found


def current_language() -> Language:
    code = locale_name()
    return languages().get(code) or _language(code)


def is_english() -> bool:
    return locale_name() == default_code()


def init_app(app: Flask) -> None:
    """Templates' _() and ngettext() use the request's translations, found once."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: translations().ugettext(text),
        ngettext=lambda singular, plural, n: translations().ungettext(singular, plural, n),
        pgettext=lambda context, text: translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, n: translations().unpgettext(
            context, singular, plural, n),
        newstyle=True)
    app.jinja_env.globals.update(languages=languages, current_language=current_language)


def later(function, *args) -> LazyString:
    """A value worked out when it is shown, in the language of whoever reads it: a date in a
    notification's subject, written in its recipient's language (notify.services.notify)."""
    return LazyString(function, *args)
