"""Addresses for links that leave the site (email, feeds): always on BASE_URL.

Never ask url_for for an external address: it takes the host from the request, and a
request can name any host it likes. These work in a request or outside one (commands run
from cron).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from werkzeug.routing import MapAdapter


def _adapter() -> MapAdapter:
    base = urlsplit(current_app.config["BASE_URL"])
    return current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                    url_scheme=base.scheme)


def absolute_url(endpoint: str, **values) -> str:
    """url_for's address for an endpoint, absolute on BASE_URL."""
    return _adapter().build(endpoint, values, force_external=True)


def site_path(endpoint: str, **values) -> str:
    """url_for's path for an endpoint (BASE_URL's path included), where no request is."""
    return _adapter().build(endpoint, values)


def absolute(path: str) -> str:
    """A path on this site (as notifications store them) made absolute on BASE_URL's origin."""
    base = urlsplit(current_app.config["BASE_URL"])
    return f"{base.scheme}://{base.netloc}{path}"
