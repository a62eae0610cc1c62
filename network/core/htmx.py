"""One place that decides whether a request gets a whole page or one block of it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import make_response, render_template, request
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


def form_status(form) -> int:
    """422 for a form sent back with errors (htmx is configured to swap it), else 200."""
    return 422 if form.errors else 200
