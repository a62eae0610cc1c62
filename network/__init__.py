"""network: an intranet for a borough's partnership of community and voluntary groups."""

from __future__ import annotations

import contextlib
import logging
from importlib import import_module
from urllib.parse import urlsplit

import click
from flask import Flask, Response, g, render_template, request
from flask.globals import request_ctx
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from network.config import INSTANCE_DIR, Config
from network.core import files, i18n
from network.core.db import (
    IdConverter,
    include_migration_name,
    render_migration_item,
    writes_refused,
)
from network.extensions import babel, compress, csrf, db, htmx, login_manager

FEATURES = ("auth", "members", "coordination", "forum", "notify", "calendar", "board",
            "representation", "impact", "bulletin", "privacy")
# Features that show a part of an organisation's page (members.parts), in the page's order.
ORGANISATION_PARTS = ("calendar", "board", "impact")


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder="../templates", static_folder="../static",
                instance_path=str(INSTANCE_DIR))
    app.config.from_object(config or Config())
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", app.config["TIME_ZONE"])
    app.url_map.converters["int"] = IdConverter
    _init_base_url(app)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        # X-Forwarded-Host is never trusted: the proxy passes the real Host, which
        # TRUSTED_HOSTS checks, and links are built on BASE_URL alone.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0)
    # app.logger is the "network" logger: Flask gives it a stderr handler, and its INFO
    # lines (emails written to the log when no MAIL_SERVER is set) must show under gunicorn.
    if app.logger.level == logging.NOTSET:
        app.logger.setLevel(logging.INFO)

    db.init_app(app)
    if click.get_current_context(silent=True) is not None or app.testing:
        _init_migrate(app)
    # Before the CSRF check, which reads the body: a form taking a file raises the limit first.
    files.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(app, locale_selector=i18n.choose_locale)
    compress.init_app(app)
    _init_login(app)

    from network import cli
    from network.auth.routes import bp as auth_bp
    from network.board.routes import bp as board_bp
    from network.bulletin.routes import bp as bulletin_bp
    from network.calendar.routes import bp as calendar_bp
    from network.coordination.routes import bp as coordination_bp
    from network.core import security, templating
    from network.core.mail import send_after_response
    from network.forum.routes import bp as forum_bp
    from network.impact.routes import bp as impact_bp
    from network.members.routes import bp as members_bp
    from network.notify.routes import bp as notify_bp
    from network.pages.routes import bp as pages_bp
    from network.privacy.routes import bp as privacy_bp
    from network.representation.routes import bp as representation_bp
    from network.search.routes import bp as search_bp

    for feature in FEATURES:  # each declares its own rules (policies and scopes)
        import_module(f"network.{feature}.policies")
    for feature in ORGANISATION_PARTS:
        import_module(f"network.{feature}.organisation_part")
    import_module("network.search.index")  # keeps the search documents current
    import_module("network.mailin.models")
    for blueprint in (pages_bp, auth_bp, members_bp, coordination_bp, forum_bp, notify_bp,
                      calendar_bp, board_bp, representation_bp, impact_bp, bulletin_bp,
                      search_bp, privacy_bp):
        app.register_blueprint(blueprint)
    security.init_app(app)
    templating.init_app(app)
    app.after_request(send_after_response)
    _init_errors(app)
    cli.init_app(app)
    return app


DEBUG_BASE_URL = "http://127.0.0.1:5000"


def _init_base_url(app: Flask) -> None:
    """BASE_URL is where every emailed or fed link points; the site answers only its host.

    Production must say it: a link built from whatever Host a request names would send a
    password reset to an attacker's site. Debugging on one's own machine may go without.
    """
    base_url = app.config.get("BASE_URL")
    if not base_url:
        if not (app.debug or app.testing):
            raise RuntimeError(
                "Set BASE_URL to the address people use to reach this site, for example "
                "BASE_URL=https://network.example.org: every link in email is built on it.")
        base_url = DEBUG_BASE_URL
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query \
            or parts.fragment:
        raise RuntimeError(f"BASE_URL must be like https://network.example.org, not "
                           f"{base_url!r}.")
    app.config["BASE_URL"] = base_url.rstrip("/")
    if app.config.get("TRUSTED_HOSTS") is None:
        trusted = [parts.hostname]
        if app.debug and base_url == DEBUG_BASE_URL:
            trusted.append("localhost")
        app.config["TRUSTED_HOSTS"] = trusted


def _init_migrate(app: Flask) -> None:
    """Flask-Migrate, for `flask db` and the tests. Alembic costs 10 MB a worker, so the app
    gunicorn serves (created outside any click command) goes without it."""
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(app.root_path + "/../migrations"), render_as_batch=True,
            compare_type=True, render_item=render_migration_item,
            include_name=include_migration_name)


def _init_login(app: Flask) -> None:
    from network.core.permissions import Visitor

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.anonymous_user = Visitor
    # Sessions live server-side (auth.models.LoginSession); no IP/agent pinning, since phones
    # change address all day.
    login_manager.session_protection = None
    import network.auth.services  # noqa: F401  registers the user loader


ERROR_MESSAGES = {
    400: (lambda: _("Something in that request was not right"),
          lambda: _("If you were sending a form, go back, reload the page and try again. "
                    "Your typing may still be there.")),
    403: (lambda: _("You may not do that"),
          lambda: _("Your account does not allow this. If you think it should, ask a "
                    "coordinator.")),
    404: (lambda: _("Page not found"),
          lambda: _("There is nothing here, or it has been moved. Check the address, or start "
                    "again from the home page.")),
    405: (lambda: _("That does not work here"),
          lambda: _("This address cannot be used that way.")),
    409: (lambda: _("That has changed"),
          lambda: _("Someone else changed this at the same moment. Go back and look again.")),
    410: (lambda: _("This link no longer works"),
          lambda: _("It has been used already, or has expired.")),
    413: (lambda: _("That is too large"),
          lambda: _("What you sent is bigger than this site accepts.")),
    429: (lambda: _("Too many attempts"),
          lambda: _("Please wait a few minutes, then try again.")),
    500: (lambda: _("Something went wrong on our side"),
          lambda: _("It is not your fault. Please try again in a minute; if it keeps "
                    "happening, tell the coordinators.")),
    503: (lambda: _("The site is unavailable for a moment"),
          lambda: _("It cannot reach its database. Please try again in a minute; if you were "
                    "sending a form, send it again.")),
}
# A 503 of another kind: the database reads but refuses writes (a full or read-only disk).
WRITES_REFUSED = (lambda: _("The site cannot save anything right now"),
                  lambda: _("Nothing was changed: what you sent was not saved. You can still "
                            "read the site. Please try again later; if it keeps happening, "
                            "tell the coordinators."))


def _init_errors(app: Flask) -> None:
    def render_error(code: int, messages=None):
        title, advice = messages or ERROR_MESSAGES.get(code, ERROR_MESSAGES[500])
        return render_template("errors/error.html", code=code, title=title(),
                               advice=advice()), code

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 400 and request.path.startswith("/static/"):
            return error
        if request_ctx.url_adapter is None:  # a Host not in TRUSTED_HOSTS: build no links
            return Response("This site does not answer to that address.\n", error.code,
                            mimetype="text/plain")
        return render_error(error.code)

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        db.session.rollback()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if app.config.get("TESTING") and app.config.get("PROPAGATE_TEST_ERRORS", True):
            raise error
        return render_error(500)

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        """Two faults of the database are a 503, not a 500 (docs/decisions.md, 2026-12-06):
        out of reach (restarting, or the network to it down), and a disk that is full or
        read-only (core.db.writes_refused). Every other database error is a 500."""
        if writes_refused(error):
            return writes_refused_page(error)
        if not unreachable(error):
            return server_error(error)
        # A page that asks nothing of the database, and no traceback in the log.
        with contextlib.suppress(SQLAlchemyError):
            db.session.rollback()
        app.logger.warning("Database unreachable on %s %s: %s", request.method, request.path,
                           str(error.orig).strip().splitlines()[0] if error.orig else error)
        # The page is drawn for a visitor: who is signed in is in the database.
        g._login_user = login_manager.anonymous_user()
        page, code = render_error(503)
        return page, code, {"Retry-After": "30"}

    def writes_refused_page(error: DBAPIError):
        """Nothing was saved (the transaction rolled back whole); the page is drawn by
        reading alone (core.db)."""
        g.writes_refused = True
        db.session.rollback()
        app.logger.error("The database refused a write on %s %s: %s", request.method,
                         request.path, error.orig)
        page, code = render_error(503, WRITES_REFUSED)
        return page, code, {"Retry-After": "60"}

    # Registered after Flask-SQLAlchemy's, so it runs first. A connection that dies between
    # the answer and the end of the request (the database restarting) fails the session's
    # closing rollback, and the answer already made would become gunicorn's 500: close the
    # session again (the connection is invalidated now, so nothing is asked of the server).
    @app.teardown_appcontext
    def end_session(_error: BaseException | None) -> None:
        try:
            db.session.remove()
        except DBAPIError as error:
            if not unreachable(error):
                raise
            app.logger.warning("Database connection lost at the end of a request: %s",
                               str(error.orig).strip().splitlines()[0] if error.orig else error)
            with contextlib.suppress(SQLAlchemyError):
                db.session.remove()
            db.session.registry.clear()


# SQLSTATEs that say the server is going or not there yet: a connection exception (class
# 08), and a shutdown or a start-up in progress (57P01-57P03), as in a restart.
UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def unreachable(error: DBAPIError) -> bool:
    """Whether a database error means the server could not be reached or the connection was
    lost: SQLAlchemy's own verdict (a disconnect: the connection invalidated), a SQLSTATE that
    says so, or a driver error with no SQLSTATE at all, as psycopg's are when it cannot
    connect (a refused connection). SQLite's errors (a locked or full database) are not."""
    if error.connection_invalidated:
        return True
    state = getattr(error.orig, "sqlstate", "")
    if state is None:
        return error.orig.__class__.__name__ in {"OperationalError", "InterfaceError"}
    return bool(state) and state.startswith(UNREACHABLE_STATES)
