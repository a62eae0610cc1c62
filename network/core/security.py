"""Response headers every page carries, and a hashed-URL helper so static files cache forever."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, current_app, request, url_for

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])


def add_security_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if request.endpoint == "static":
        # Read our small static files into memory so Flask-Compress can gzip them: the
        # budgets hold without a proxy in front.
        response.direct_passthrough = False
        response.make_sequence()
        if request.args.get("v"):
            headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        # A page's language comes from the `lang` cookie (or the account, through the session
        # cookie) or Accept-Language: a cache keeps one copy per language.
        headers.add("Vary", "HX-Request, Cookie, Accept-Language")
        headers.setdefault("Cache-Control", "no-store" if _private(response) else "no-cache")
    return response


def _private(response) -> bool:
    from flask_login import current_user

    return current_user.is_authenticated or "Set-Cookie" in response.headers


@cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


_static_urls: dict[tuple[str, str, str], str] = {}


def static_url(filename: str) -> str:
    """/static/css/site.css?v=<content hash>: a new URL whenever the file changes (files are
    read once per process: a deployment restarts it)."""
    key = (current_app.static_folder, request.script_root, filename)
    if key not in _static_urls:
        path = Path(current_app.static_folder) / filename
        _static_urls[key] = url_for("static", filename=filename, v=_file_digest(str(path)))
    return _static_urls[key]


def init_app(app: Flask) -> None:
    app.after_request(add_security_headers)
    app.jinja_env.globals["static_url"] = static_url
