"""One place that decides whether a request gets a whole page or one block of it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import flash, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def fragment_wanted(fragments: Mapping[str, str]) -> str | None:
    """The block for the element htmx targets, if the page offers it; boosted requests and
    history restores get whole pages."""
    if not request.htmx or request.htmx.boosted or request.htmx.history_restore_request:
        return None
    return fragments.get(request.htmx.target)


def wants(target: str) -> bool:
    """Whether htmx asks for the element with this id alone (one post, say)."""
    return fragment_wanted({target: target}) is not None


def render(template: str, context: Mapping[str, Any] | None = None, *,
           fragments: Mapping[str, str] | Iterable[str] = (), status: int = 200,
           **more: Any):
    """Render a page, or only the block for the element htmx targets, from one context.

    `fragments` names the blocks a page offers, by the id of the element each replaces:
    `("results",)` when `<div id="results">` is `{% block results %}`, or a mapping when they
    differ (`{"p12": "one_post"}`). Both renders take the same context, so a block can never
    show what the page would not.
    """
    if not isinstance(fragments, Mapping):
        fragments = {name: name for name in fragments}
    values = {**(context or {}), **more}
    block = fragment_wanted(fragments)
    body = (render_block(template, block, **values) if block
            else render_template(template, **values))
    return make_response(body, status)


def see_other(url: str, message: str | None = None, category: str = "success", *,
              already: str | None = None, changed: bool = True):
    """Where a change that went through sends the browser, with a message shown there: a
    303 redirect; for htmx filling one element (not a boosted page), HX-Location, since a
    redirect would be followed inside the request and the whole page swapped into it.
    `already` is said instead, as information, when the service found it already so and
    changed nothing (changed=False)."""
    if not changed and already:
        message, category = already, "info"
    if message:
        flash(message, category)
    if request.htmx and not request.htmx.boosted:
        return make_response("", 204, {"HX-Location": url})
    return redirect(url, 303)

