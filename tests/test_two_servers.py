"""Two app servers behind one nginx, on one PostgreSQL database and one Redis (issue 23).

nginx runs deploy/nginx.conf itself, its placeholders filled in (loopback ports, a
self-signed certificate, this checkout's static folder), with two more upstreams beside it
so that a request can be sent to one server or the other for certain (`X-Test-Server: one`).
Each server is gunicorn with two workers as `make run` starts it, each worker's mail sender
running (gunicorn.conf.py), mail going to the suite's SMTP server. What one server does, the
other sees: a login, logging out everywhere, the login limit, a post, a booking, a paper;
two bookings of one time sent at once end in one; mail goes once.

Needs Debian's nginx and openssl beside PostgreSQL and Redis: skipped without them, failed
in CI. Waiting for the servers and for mail is a bounded poll on a condition, timing nothing.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from bench.server import BIN, wait_for
from network import create_app
from network.config import TestConfig
from network.extensions import db
from tests.conftest import (
    IN_CI,
    POSTGRES_URL,
    REDIS_URL,
    Mailbox,
    _ensure_postgres_database,
    free_port,
)

ROOT = Path(__file__).resolve().parent.parent
SITE = "network.localhost"  # the site's name, as BASE_URL and the nginx server_name give it
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
OPENSSL = shutil.which("openssl")
GUNICORN = BIN / "gunicorn"
SERVERS = ("one", "two")


def needs(what: str, found: bool, install: str) -> None:
    if found:
        return
    message = f"two-server test skipped: {what} is missing ({install})"
    if IN_CI:
        pytest.fail(f"CI=true: {message}; the two-server test must run in CI.", pytrace=False)
    pytest.skip(message)


# --- the site: two gunicorn servers, nginx in front ------------------------------------------

# What the test's nginx adds around deploy/nginx.conf: its own files, and a header that sends
# a request to one server (X-Test-Server: one, two) instead of either.
NGINX_MAIN = """\
daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
{user}
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream network_one {{ server 127.0.0.1:{one}; }}
    upstream network_two {{ server 127.0.0.1:{two}; }}
    map $http_x_test_server $network_upstream {{
        default network;
        one network_one;
        two network_two;
    }}
    add_header X-Upstream $upstream_addr always;
    include {tmp}/network.conf;
}}
"""


def site_config(ports: dict[str, int], http_port: int, https_port: int, tmp: Path) -> str:
    """deploy/nginx.conf with its placeholders filled in; each must be there."""
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    for old, new in [
        ("    server 10.0.0.11:8000;\n    server 10.0.0.12:8000;\n",
         f"    server 127.0.0.1:{ports['one']};\n    server 127.0.0.1:{ports['two']};\n"),
        ("listen 80 default_server;", f"listen 127.0.0.1:{http_port} default_server;"),
        ("listen 443 ssl default_server;", f"listen 127.0.0.1:{https_port} ssl default_server;"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/network.example.org/fullchain.pem", str(tmp / "cert.pem")),
        ("/etc/letsencrypt/live/network.example.org/privkey.pem", str(tmp / "key.pem")),
        ("network.example.org", SITE),
        ("alias /srv/network/app/static/;", f"alias {ROOT}/static/;"),
        ("proxy_pass http://network;", "proxy_pass http://$network_upstream;"),
    ]:
        assert old in text, f"deploy/nginx.conf no longer holds {old!r}: update this test"
        text = text.replace(old, new)
    return text


def tail(path: Path) -> str:
    return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@dataclass
class Site:
    tmp: Path
    https_port: int
    http_port: int
    ports: dict[str, int]
    app: object  # the test's own app on the same database, for setting up and looking
    world: dict
    mailbox: Mailbox
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    def visitor(self) -> Visitor:
        return Visitor(self)

    def alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                raise AssertionError(f"{name} stopped ({process.returncode}):\n"
                                     + tail(self.tmp / f"{name}.log")
                                     + tail(self.tmp / "nginx-error.log"))

    def stop_servers(self) -> None:
        """Both gunicorns stopped as systemd stops them (SIGTERM): each worker's mail sender
        finishes the email in hand first (gunicorn.conf.py)."""
        for name in SERVERS:
            stop(self.processes.pop(name, None), signal.SIGTERM)


def stop(process: subprocess.Popen | None, how: signal.Signals) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(how)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Connection(http.client.HTTPSConnection):
    """To nginx on loopback, naming the site in TLS (SNI) as a browser does."""

    def __init__(self, port: int) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own certificate
        super().__init__("127.0.0.1", port, context=context, timeout=30)
        self.tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=SITE)


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


class Forms(HTMLParser):
    """The hidden fields of each form on the page at `path`, by the path it sends to."""

    def __init__(self, page: str, path: str) -> None:
        super().__init__()
        self.path = path.split("?")[0]
        self.forms: dict[str, dict[str, str]] = {}
        self.current: dict[str, str] | None = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = (attrs.get("action") or self.path).split("#")[0]
            self.current = self.forms.setdefault(action, {})
        elif tag == "input" and self.current is not None and attrs.get("type") == "hidden":
            self.current[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


@dataclass
class Visitor:
    """A browser: its cookies, over HTTPS through nginx to either server, or to one."""

    site: Site
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, *, via: str | None = None, form=None,
                files=None, headers=None, host: str = SITE, fail_5xx: bool = True) -> Answer:
        # A browser names the page a form was on; Flask-WTF asks that of HTTPS posts.
        sent = {"Host": host, "Referer": f"https://{host}{path}", **(headers or {})}
        if via:
            sent["X-Test-Server"] = via
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if files is not None:
            boundary, body = encode_multipart({**(form or {}), **files})
            sent["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        elif form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        conn = Connection(self.site.https_port)
        try:
            conn.request(method, path, body=body, headers=sent)
            response = conn.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            conn.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if value and "expires=thu, 01 jan 1970" not in cookie.lower():
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        if fail_5xx and answer.status >= 500:
            raise AssertionError(f"{method} {path} via {via}: {answer.status}\n"
                                 + tail(self.site.tmp / f"{via or 'one'}.log"))
        return answer

    def get(self, path: str, via: str | None = None, **kwargs) -> Answer:
        return self.request("GET", path, via=via, **kwargs)

    def post(self, path: str, form: dict, *, via: str | None = None, page: str | None = None,
             **kwargs) -> Answer:
        """The form at `path` on `page` (default: path itself) filled in and sent: its hidden
        fields (the CSRF token, the submission key) as the page gave them."""
        opened = self.get(page or path, via=via)
        assert opened.status == 200, (page or path, opened.status)
        hidden = Forms(opened.text, page or path).forms.get(path)
        assert hidden is not None, f"no form sending to {path} on {page or path}"
        return self.request("POST", path, via=via, form={**hidden, **form}, **kwargs)

    def log_in(self, email: str, via: str, password: str | None = None, **kwargs) -> Answer:
        from tests.factories import PASSWORD

        return self.post("/login", {"email": email, "password": password or PASSWORD},
                         via=via, **kwargs)


def start_site(tmp: Path, smtp_port: int, processes: dict) -> tuple[int, int, dict]:
    """The certificate made, both gunicorns and nginx started (into `processes`); returns
    nginx's http and https ports and each server's."""
    subprocess.run([OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
                    f"/CN={SITE}", "-keyout", str(tmp / "key.pem"), "-out",
                    str(tmp / "cert.pem")], check=True, capture_output=True)
    from network.core.time import now

    ports = {name: free_port() for name in SERVERS}
    http_port, https_port = free_port(), free_port()
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": REDIS_URL,
           "SECRET_KEY": "two-servers-one-key", "BASE_URL": f"https://{SITE}",
           "PROXY_COUNT": "1", "INSTANCE_PATH": str(tmp), "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(smtp_port), "MAIL_USE_TLS": "0",
           # Every worker's sender looks at the outbox four times a second: they race.
           "MAIL_SEND_EVERY": "0.25", "NETWORK_TEST_CLOCK": now().isoformat()}
    for name in ("TRUSTED_HOSTS", "COOKIE_SECURE", "MAIL_USERNAME", "FILE_STORAGE"):
        env.pop(name, None)
    for name in SERVERS:
        with (tmp / f"{name}.log").open("w") as log:
            processes[name] = subprocess.Popen(
                [GUNICORN, "--workers", "2", "--preload", "--bind",
                 f"127.0.0.1:{ports[name]}", "bench.at_the_moment:app"],
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    (tmp / "network.conf").write_text(site_config(ports, http_port, https_port, tmp))
    (tmp / "nginx.conf").write_text(NGINX_MAIN.format(
        tmp=tmp, one=ports["one"], two=ports["two"],
        user="user root;" if os.geteuid() == 0 else ""))
    with (tmp / "nginx.log").open("w") as log:
        processes["nginx"] = subprocess.Popen(
            [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e",
             str(tmp / "nginx-error.log")], stdout=log, stderr=subprocess.STDOUT)
    return http_port, https_port, ports


def database_url() -> str:
    """A database of its own beside the suite's, whose tables the database tests empty."""
    url = sa.engine.make_url(POSTGRES_URL)
    return url.set(database=f"{url.database}_two_servers").render_as_string(hide_password=False)


@pytest.fixture(scope="module")
def site(tmp_path_factory, smtp_server):
    needs("TEST_DATABASE_URL (PostgreSQL)", bool(POSTGRES_URL), "set TEST_DATABASE_URL")
    needs("TEST_REDIS_URL (Redis)", bool(REDIS_URL), "set TEST_REDIS_URL")
    needs("Debian's nginx", Path(NGINX).exists(), "apt-get install nginx")
    needs("openssl", OPENSSL is not None, "apt-get install openssl")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # no login counted from an earlier run
    url = database_url()
    _ensure_postgres_database(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    tmp = tmp_path_factory.mktemp("two-servers")
    app = create_app(TestConfig(url))
    saved_mailbox = smtp_server.handler_ref.mailbox
    mailbox = smtp_server.handler_ref.mailbox = Mailbox()
    processes: dict[str, subprocess.Popen] = {}
    try:
        # The servers start while the schema is built: both take a few seconds.
        http_port, https_port, ports = start_site(tmp, smtp_server.port, processes)
        with app.app_context():
            upgrade()
            world = set_up_world()
        site = Site(tmp, https_port, http_port, ports, app, world, mailbox, processes)
        both_up(site)
        yield site
    finally:
        smtp_server.handler_ref.mailbox = saved_mailbox
        for name in SERVERS:
            stop(processes.get(name), signal.SIGTERM)
        stop(processes.get("nginx"), signal.SIGQUIT)
        with app.app_context():
            db.engine.dispose()


def set_up_world() -> dict:
    """The suite's world, and the member told of replies at once (by email)."""
    from network.notify.models import Delivery, NotificationSetting
    from tests.factories import build_world

    world = build_world()
    db.session.add(NotificationSetting(person_id=world.member.id, kind="forum.reply",
                                       delivery=Delivery.IMMEDIATELY))
    db.session.commit()
    return {"member": world.member.email, "contact": world.contact.email,
            "coordinator": world.coordinator.email, "associate": world.associate.email,
            "org_a": world.org_a.id, "thread": world.thread.id, "event": world.event.id,
            "thread_path": f"/forum/t/{world.thread.id}-{world.thread.slug}",
            "listing": world.listing.id, "thread_title": world.thread.title}


def both_up(site: Site) -> None:
    """Each server answers through nginx (a bounded poll: they start in a few seconds)."""
    probe = site.visitor()

    def up(name: str) -> bool:
        site.alive()
        try:
            return probe.request("GET", "/healthz", via=name, fail_5xx=False).status == 200
        except (OSError, http.client.HTTPException):
            return False

    for name in SERVERS:
        assert wait_for(lambda name=name: up(name), 60), f"{name} did not come up:\n" + tail(
            site.tmp / f"{name}.log")


def at_once(*calls):
    """Each call on a thread of its own, all let go at the same moment; their results."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index: int, call) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def days_ahead(site: Site, days: int) -> str:
    """A day that many days after today in the borough, as a form gives it."""
    from network.core.time import today

    with site.app.app_context():
        return (today() + timedelta(days=days)).isoformat()


def scalar(site: Site, statement: str, **values):
    with site.app.app_context():
        found = db.session.scalar(sa.text(statement), values)
        db.session.rollback()
        return found


# --- what one server does, the other sees ----------------------------------------------------

def test_nginx_sends_requests_to_both_with_the_headers_the_app_trusts(site):
    visitor = site.visitor()
    served_by = {visitor.get("/healthz").headers["X-Upstream"] for _ in range(4)}
    assert served_by == {f"127.0.0.1:{port}" for port in site.ports.values()}
    login = visitor.get("/login", headers={"Accept-Encoding": "gzip",
                                           "X-Forwarded-Host": "attacker.example"})
    assert login.status == 200  # a forged X-Forwarded-Host is dropped (believed, it is a 400)
    # The app compresses (nginx adds nothing), and knows it was asked over HTTPS.
    assert login.headers["Content-Encoding"] == "gzip"
    assert login.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in login.headers["Set-Cookie"]
    # Static files from nginx itself, at a hashed address: kept a year.
    css = re.search(r'href="(/static/css/site\.css\?v=[0-9a-f]+)"',
                    visitor.get("/login").text).group(1)
    static = visitor.get(css)
    assert static.status == 200 and static.body == (ROOT / "static/css/site.css").read_bytes()
    assert static.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "X-Upstream" not in static.headers  # nginx answered, not a server
    assert visitor.get(css, headers={"Accept-Encoding": "gzip"}).headers[
        "Content-Encoding"] == "gzip"
    # Plain http is sent to https; a Host other than the site's gets no answer at all.
    conn = http.client.HTTPConnection("127.0.0.1", site.http_port, timeout=10)
    conn.request("GET", "/forum", headers={"Host": SITE})
    moved = conn.getresponse()
    assert (moved.status, moved.headers["Location"]) == (301, f"https://{SITE}/forum")
    conn.close()
    with pytest.raises(http.client.RemoteDisconnected):
        visitor.get("/login", host="attacker.example")


def test_a_login_on_one_is_honoured_by_the_other(site):
    visitor = site.visitor()
    assert visitor.log_in(site.world["member"], via="one").status == 303
    for server in SERVERS:
        account = visitor.get("/account", via=server)
        assert account.status == 200 and site.world["member"] in account.text


def test_logging_out_everywhere_on_one_ends_the_session_on_the_other(site):
    laptop, phone = site.visitor(), site.visitor()
    assert laptop.log_in(site.world["contact"], via="two").status == 303
    assert phone.log_in(site.world["contact"], via="one").status == 303
    assert phone.post("/account/sessions/end-others", {}, via="one",
                      page="/account").status == 303
    for server in SERVERS:
        assert laptop.get("/account", via=server).status == 302  # to the login page
        assert phone.get("/account", via=server).status == 200


def test_the_login_limit_counts_across_both_servers(site):
    """Five failures on one account, alternately on each server, each naming a different
    address in X-Forwarded-For (nginx adds the real one, which the app takes)."""
    email = site.world["associate"]
    for attempt in range(5):
        failed = site.visitor().log_in(email, via=SERVERS[attempt % 2], password="not it!",
                                       headers={"X-Forwarded-For": f"198.51.100.{attempt}"})
        assert failed.status == 422
    for server in SERVERS:  # even the right password waits now, on either server
        held = site.visitor().log_in(email, via=server)
        assert held.status == 429 and "Too many failed attempts" in held.text


def test_a_post_a_booking_and_a_paper_made_on_one_are_seen_and_downloaded_on_the_other(site):
    world = site.world
    coordinator, member, contact = site.visitor(), site.visitor(), site.visitor()
    coordinator.log_in(world["coordinator"], via="one")
    member.log_in(world["member"], via="two")
    contact.log_in(world["contact"], via="one")

    thread = world["thread_path"]
    posted = coordinator.post(f"/forum/t/{world['thread']}/reply",
                              {"body": "Our hall is free on Thursdays."}, via="one", page=thread)
    assert posted.status == 303
    assert "Our hall is free on Thursdays." in member.get(thread, via="two").text

    listing = f"/board/l/{world['listing']}"
    day = days_ahead(site, 3)
    booked = contact.post(f"{listing}/book", {
        "organisation": str(world["org_a"]), "day": day, "starts": "10:00", "ends": "11:00",
        "purpose": "Tenants' committee"}, via="one", page=f"{listing}/bookings")
    assert booked.status == 303
    booking = booked.headers["Location"].split("#")[0]
    assert "Tenants&#39; committee" in member.get(booking, via="two").text

    event = f"/calendar/e/{world['event']}"
    minutes = b"The minutes of the last meeting.\n" * 75_000  # 2.5 MB: more than a form
    uploaded = contact.post(f"{event}/papers", {"title": "Minutes", "replaces": ""},
                            files={"file": FileStorage(io.BytesIO(minutes), "minutes.txt")},
                            via="one")
    assert uploaded.status == 303
    page = member.get(uploaded.headers["Location"], via="two").text
    link = re.search(r'href="(/calendar/papers/\d+/minutes\.txt)"', page).group(1)
    downloaded = member.get(link, via="two")
    assert downloaded.status == 200 and downloaded.body == minutes


def test_two_bookings_of_one_time_sent_at_once_to_the_two_servers_end_in_one(site):
    world = site.world
    listing = f"/board/l/{world['listing']}"
    bookers = {"one": site.visitor(), "two": site.visitor()}
    bookers["one"].log_in(world["contact"], via="one")
    bookers["two"].log_in(world["member"], via="two")
    for days in (4, 5):
        day = days_ahead(site, days)
        forms = {}
        for server, visitor in bookers.items():  # each opens the form first
            page = visitor.get(f"{listing}/bookings", via=server).text
            forms[server] = {**Forms(page, "").forms[f"{listing}/book"], "day": day,
                             "organisation": str(world["org_a"]), "starts": "18:00",
                             "ends": "20:00", "purpose": f"Meeting on day {days}"}
        statuses = at_once(*(partial(bookers[server].request, "POST", f"{listing}/book",
                                     via=server, form=forms[server]) for server in SERVERS))
        assert sorted(answer.status for answer in statuses) == [303, 422]
        assert scalar(site, "SELECT count(*) FROM listing_booking WHERE listing_id = :listing "
                      "AND purpose LIKE :purpose", listing=world["listing"],
                      purpose=f"Meeting on day {days}") == 1


def test_a_notifications_mail_goes_once_though_every_worker_of_both_servers_sends(site):
    """The reply above told the member by email. Twenty more emails are queued at once; the
    four workers' senders (two a server) all find them due and claim them one by one."""
    from network.core.mail import OutboxEmail

    with site.app.app_context():
        db.session.add_all([OutboxEmail(to_address=f"batch{n}@example.org",
                                        subject=f"Batch {n}", body="Once.")
                            for n in range(20)])
        db.session.commit()
    mailbox = site.mailbox

    def all_sent() -> bool:
        site.alive()
        return scalar(site, "SELECT count(*) FROM outbox_email WHERE sent_at IS NULL") == 0

    assert wait_for(all_sent, 30), "the outbox was not sent"
    site.stop_servers()  # any sender still sending finishes first
    told = [m for m in mailbox.to(site.world["member"])
            if site.world["thread_title"] in m["Subject"]]
    assert len(told) == 1, [m["Subject"] for m in mailbox.messages]
    batch = sorted(m["To"] for m in mailbox.messages if m["To"].startswith("batch"))
    assert batch == sorted(f"batch{n}@example.org" for n in range(20))
    assert scalar(site, "SELECT count(*) FROM outbox_email WHERE attempts <> 1") == 0
