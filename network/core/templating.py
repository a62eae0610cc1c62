"""What every template can use: permissions, markdown, local times, the site's name."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

from flask import Flask, current_app, has_request_context, request, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from network.core import i18n
from network.core.forms import EmptyForm
from network.core.markdown import render_markdown
from network.core.names import who
from network.core.permissions import can
from network.core.time import (
    format_clock,
    format_day,
    format_dayname,
    format_month,
    format_number,
    format_weekday,
    format_when,
)


def page_url(page_number: int) -> str:
    """The current address with ?page= changed, keeping filters."""
    args = request.args.to_dict()
    args["page"] = str(page_number)
    return f"{request.path}?{urlencode(args)}"


# Stand-ins for the values in a link built once per endpoint (see path()): ids within the
# range every <int:> accepts, and a word no slug contains.
_ID_STAND_INS = [str(2147483000 + n) for n in range(8)]
_WORD_STAND_IN = "zqxstandinzqx{}"
_SLUG = re.compile(r"[a-z0-9-]+")
_patterns: dict[tuple, tuple[str, tuple[str, ...]]] = {}


def path(endpoint: str, **values) -> str:
    """url_for's path for the many links of a list (every post has six): the rule is built
    once for an endpoint and its argument names, then filled in, at a tenth of the cost.
    Takes ids and slugs; anything else goes to url_for."""
    if not all(isinstance(v, int) or (isinstance(v, str) and _SLUG.fullmatch(v))
               for v in values.values()) or len(values) > len(_ID_STAND_INS):
        return url_for(endpoint, **values)
    names = tuple(sorted(values))
    key = (request.script_root, endpoint, names,
           tuple(isinstance(values[name], int) for name in names))
    found = _patterns.get(key)
    if found is None:
        stand_ins = {name: (int(_ID_STAND_INS[n]) if isinstance(values[name], int)
                            else _WORD_STAND_IN.format(n)) for n, name in enumerate(names)}
        built = url_for(endpoint, **stand_ins)
        pattern = built.replace("{", "{{").replace("}", "}}")
        for n, name in enumerate(names):
            pattern = pattern.replace(str(stand_ins[name]), "{" + str(n) + "}")
        found = _patterns[key] = (pattern, names)
    pattern, names = found
    return pattern.format(*(values[name] for name in names))


def external_url(value: str | None) -> str:
    """A web address someone typed, only if it is http(s): never javascript: or data:."""
    value = (value or "").strip()
    return value if urlsplit(value).scheme in ("http", "https") else ""


def sentence(text: str | None) -> str:
    """Someone's words ending as a sentence: a full stop is added only if they end without
    one (or ! ? …), so "Off topic." never shows as "Off topic..". Closing quotes and brackets
    are looked past."""
    text = (text or "").rstrip()
    if not text or text.rstrip("\"'”’)]")[-1:] in (".", "!", "?", "…"):
        return text
    return text + "."


def empty_form() -> EmptyForm:
    """A form for a button (the header's log out): its token only, never the request's body,
    which may be what an error page is about (a 413 must not read it again)."""
    return EmptyForm(formdata=None)


def init_app(app: Flask) -> None:
    i18n.init_app(app)
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["when"] = format_when
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["clock"] = format_clock
    app.jinja_env.filters["weekday"] = format_weekday
    app.jinja_env.filters["month"] = format_month
    app.jinja_env.filters["dayname"] = format_dayname
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["external_url"] = external_url
    app.jinja_env.filters["sentence"] = sentence
    app.jinja_env.filters["who"] = who
    app.jinja_env.globals.update(can=can, page_url=page_url, empty_form=empty_form, path=path)
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def site():
        return {
            "site_name": current_app.config["SITE_NAME"],
            "borough_name": current_app.config["BOROUGH_NAME"],
            "coordinator_email": current_app.config["COORDINATOR_EMAIL"],
            "htmx_csrf_token": generate_csrf if (has_request_context()
                                                 and current_user.is_authenticated) else None,
        }
