"""One place that decides whether a request gets a whole page or one block of it."""

from __future__ import annotations

from typing import Any

from flask import make_response, render_template, request
from jinja2_fragments.flask import render_block


def fragment_wanted(fragments: tuple[str, ...]) -> str | None:
    """The block an htmx request targets, if this page offers it; boosted requests get pages."""
    if not request.htmx or request.htmx.boosted or request.htmx.history_restore_request:
        return None
    target = request.htmx.target
    return target if target in fragments else None


def render(template: str, *, fragments: tuple[str, ...] = (), status: int = 200,
           **context: Any):
    """Render a page, or only the block named like the element htmx targets.

    Blocks offered as fragments are named after their element's id, so `<div id="results">`
    is `{% block results %}`. Both renders take the same context.
    """
    block = fragment_wanted(fragments)
    body = render_block(template, block, **context) if block else render_template(template,
                                                                                  **context)
    return make_response(body, status)


def form_status(form) -> int:
    """422 for a form sent back with errors (htmx is configured to swap it), else 200."""
    return 422 if form.errors else 200
