"""Browser tests: Debian's chromium, driven by Playwright, against the app served on loopback.

One browser and one live server per session. The server runs the real app on a SQLite file
with the demo borough loaded, real CSRF, and mail going to the suite's aiosmtpd server.
They run on SQLite; a journey that asks for `any_server` runs on PostgreSQL too (a database of
its own). They do not use the `database_url` or `app` fixtures.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import make_server

from network import create_app
from network.config import TestConfig
from network.extensions import db
from tests.conftest import IN_CI, POSTGRES_URL, _ensure_postgres_database

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SKIP_MESSAGE = ("browser tests skipped: Debian's chromium is not installed "
                "(apt-get install chromium)")

# Flask-Compress (1.25) compresses streamed responses (static files) without closing the file
# that send_file opened; CPython closes it when the response is dropped, with a ResourceWarning,
# which filterwarnings=error turns into an unraisable exception in the server thread. Only that
# warning, only for our static files, is let through; the test modules apply it.
FLASK_COMPRESS_UNCLOSED_STATIC_FILE = pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <_io.FileIO name='[^']*/static/(css|js)/[^']*' mode='rb'"
    ":pytest.PytestUnraisableExceptionWarning")

VIEWPORTS = [
    pytest.param({"width": 360, "height": 740}, id="360x740"),
    pytest.param({"width": 1280, "height": 900}, id="1280x900"),
]

# Long enough for a slow CI machine, short enough that a missing element fails quickly.
TIMEOUT_MS = 10_000


# --- the browser -------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def chromium() -> str:
    """The path of Debian's chromium; skips without it, and fails in CI."""
    path = shutil.which(CHROMIUM)
    if path is None:
        if IN_CI:
            pytest.fail(f"CI=true but Debian's chromium is not installed at {CHROMIUM}: the "
                        "browser tests must run in CI (apt-get install chromium).",
                        pytrace=False)
        pytest.skip(SKIP_MESSAGE)
    return path


@pytest.fixture(scope="package")
def browser(chromium) -> Iterator[Browser]:
    """One chromium for all the browser tests; never `playwright install`ed, Debian's own.

    Launched once per session. It is scoped to this package, not the session, so that it stops
    after the last browser test: while Playwright's sync API is running, the main thread looks
    as if an asyncio loop were running in it, and asyncio.run() in any later test would fail.
    """
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# --- the live server ---------------------------------------------------------------------------

@dataclass
class LiveServer:
    app: Flask
    url: str
    paths: list[str] = field(default_factory=list)  # every path asked for, in order

    def deliver_mail(self) -> tuple[int, int]:
        """Send what the app has put in its outbox to the suite's SMTP server."""
        from network.core.mail import deliver_due

        with self.app.app_context():
            return deliver_due()


def serve(url: str, smtp_server) -> Iterator[LiveServer]:
    """The app with the demo borough on the database at `url`, served on loopback."""
    from network.demo import load_demo

    config = TestConfig(url)
    config.MAIL_SERVER = "127.0.0.1"
    config.MAIL_PORT = smtp_server.port
    config.MAIL_USE_TLS = False
    config.MAIL_SEND_IMMEDIATELY = False
    config.WTF_CSRF_ENABLED = True  # the browser carries real tokens
    # Every browser request comes from 127.0.0.1: the journeys send several applications.
    config.APPLY_LIMIT_PER_ADDRESS = (100, 24 * 60 * 60)
    # SESSION_COOKIE_SECURE stays as in TestConfig (True): chromium treats 127.0.0.1 as a
    # secure context and keeps Secure cookies over plain http there.
    config.BASE_URL = "http://127.0.0.1"  # the port is known once the server listens
    app = create_app(config)
    with app.app_context():
        upgrade()
        load_demo()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    live = LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    serve_app = app.wsgi_app

    def recording(environ, start_response):
        live.paths.append(environ.get("PATH_INFO", ""))
        return serve_app(environ, start_response)

    app.wsgi_app = recording
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(chromium, smtp_server, tmp_path_factory) -> Iterator[LiveServer]:
    tmpdir = tmp_path_factory.mktemp("browser")
    yield from serve(f"sqlite:///{tmpdir}/browser.db", smtp_server)


@pytest.fixture(scope="session")
def live_server_postgres(chromium, smtp_server) -> Iterator[LiveServer]:
    """The same on PostgreSQL, in a database of its own beside the suite's (whose tables the
    database tests empty after each test)."""
    yield from serve(empty_postgres_database("browser"), smtp_server)


def empty_postgres_database(suffix: str) -> str:
    """The URL of a PostgreSQL database of its own (the suite's name and `_suffix`), made if
    missing and emptied; the test is skipped without TEST_DATABASE_URL."""
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL browser journeys skipped: TEST_DATABASE_URL is not set")
    url = sa.engine.make_url(POSTGRES_URL)
    url = url.set(database=f"{url.database}_{suffix}").render_as_string(hide_password=False)
    _ensure_postgres_database(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def any_server(request) -> LiveServer:
    """A journey run on each database: request it instead of live_server."""
    return request.getfixturevalue("live_server" if request.param == "sqlite"
                                   else "live_server_postgres")


# A journey runs twice: JavaScript on over SQLite, and off over PostgreSQL (docs/decisions.md,
# "Each journey in two runs"). What the database changes is the server's (test_fragments
# renders every htmx block on both); what JavaScript changes is the browser's.
JOURNEY_MODES = [pytest.param("sqlite", True, id="sqlite-js"),
                 pytest.param("postgresql", False, id="postgresql-no-js")]
journeys = pytest.mark.parametrize(("any_server", "javascript"), JOURNEY_MODES,
                                   indirect=["any_server"])


# --- the world the URLs are built from -----------------------------------------------------------

def detached(value):
    """What tests/urls.py reads of an object (id, slug, a paper's filename, an issue's
    number), kept after its session closes."""
    if isinstance(value, str):
        return value
    return SimpleNamespace(id=value.id, slug=getattr(value, "slug", None),
                           filename=getattr(value, "filename", None),
                           number=getattr(value, "number", None))


@pytest.fixture(scope="session")
def w(live_server) -> SimpleNamespace:
    """The demo borough's objects for tests/urls.py (made once: it adds a notification and an
    invitation to the demo)."""
    from tests.urls import demo_world

    with live_server.app.app_context():
        world = demo_world()
        return SimpleNamespace(**{name: detached(value) for name, value in vars(world).items()})


# --- contexts and pages ------------------------------------------------------------------------

IGNORED_CONSOLE = re.compile(r"^Failed to load resource: ")  # network, not script, errors


@dataclass
class ScriptProblems:
    """Uncaught script errors and CSP refusals seen in a context: with JS on there must be none."""

    seen: list[str] = field(default_factory=list)

    def console(self, message) -> None:
        if message.type == "error" and not IGNORED_CONSOLE.search(message.text):
            self.seen.append(f"console: {message.text}")

    def error(self, web_error) -> None:
        self.seen.append(f"uncaught: {web_error.error}")


@pytest.fixture
def new_context(browser, request) -> Iterator[Callable[..., BrowserContext]]:
    """Make browser contexts (one per person) on the live server (or base_url=another's); all
    closed after the test."""
    made: list[tuple[BrowserContext, ScriptProblems]] = []

    def make(**options) -> BrowserContext:
        if "base_url" not in options:
            options["base_url"] = request.getfixturevalue("live_server").url
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        problems = ScriptProblems()
        context.on("console", problems.console)
        context.on("weberror", problems.error)
        made.append((context, problems))
        return context

    yield make
    seen = [problem for context, problems in made for problem in problems.seen]
    for context, _problems in made:
        context.close()
    if seen:
        pytest.fail("Script errors in the browser:\n" + "\n".join(seen), pytrace=False)


def main_nav(page: Page):
    return page.get_by_role("navigation", name="Main")


def log_in(page: Page, email: str, password: str) -> None:
    """Log in through the form, from wherever the page is, and wait for the home page of what
    is new."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Hello, "))).to_be_visible()
    expect(page).to_have_url(re.compile(r"://[^/]+/$"))
