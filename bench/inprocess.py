"""Server cost in one process: each page's mean time per request called straight through the
WSGI app (no network, no server), as a multiple of `/healthz` in the same process.

Why: a machine's speed, and what else runs on it, changes absolute times; the ratio of a
page to a health check measured moments apart does not, much. Each page is timed in rounds:
/healthz and the page requested in turn, so both meet the same machine; the page's cost is
the median over rounds of (page mean / healthz mean). Requests carry a browser's
Accept-Encoding, so compressing the page is part of its cost.

Also, per page: SQL statements per request (transaction control left out, as
tests/test_queries.py counts them; the thread's read marker counts), and the body's size as
sent with gzip, with brotli and uncompressed.

Run by bench.report in a subprocess, on a prepared database (the environment names it):
`python -m bench.inprocess SPEC.json RESULT.json`.
"""

from __future__ import annotations

import io
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from sqlalchemy import event
from werkzeug.test import EnvironBuilder

from bench.pages import ACCEPT_ENCODING, HEALTHZ

NOT_QUERIES = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|PRAGMA|SAVEPOINT|RELEASE)\b", re.I)
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BASE_URL = "http://127.0.0.1"  # the host TRUSTED_HOSTS allows


@dataclass
class WsgiClient:
    """Calls the app as gunicorn does (environ in, iterable out, closed afterwards) and, if
    asked, keeps the cookies it sets (a visitor's are dropped: every request a first visit,
    as wrk's visitors make them)."""

    app: object
    keeps_cookies: bool = True
    cookies: dict[str, str] = field(default_factory=dict)

    def environ(self, method: str, path: str, body: bytes = b"", **headers: str) -> dict:
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        builder = EnvironBuilder(path=path, base_url=BASE_URL, method=method, data=body,
                                 headers=headers,
                                 environ_base={"REMOTE_ADDR": "127.0.0.1"})
        if body:
            builder.content_type = "application/x-www-form-urlencoded"
        return builder.get_environ()

    def call(self, environ: dict) -> tuple[int, dict[str, str], bytes, list[str]]:
        """One request from a copy of `environ`: status, headers, body, Set-Cookie values."""
        environ = dict(environ)
        environ["wsgi.input"] = io.BytesIO(environ.pop("bench.body", b""))
        answer: dict = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), headers

        result = self.app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        cookies = [v for k, v in answer["headers"] if k.lower() == "set-cookie"]
        return answer["status"], dict(answer["headers"]), body, cookies

    def request(self, method: str, path: str, form: dict | None = None,
                **headers: str) -> tuple[int, dict[str, str], bytes]:
        body = urlencode(form).encode() if form else b""
        environ = self.environ(method, path, body, **headers)
        environ["bench.body"] = body
        status, response_headers, data, cookies = self.call(environ)
        for cookie in cookies if self.keeps_cookies else []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return status, response_headers, data

    def log_in(self, email: str, password: str) -> None:
        _status, _headers, page = self.request("GET", "/login")
        token = CSRF_INPUT.search(page.decode()).group(1)
        status, _headers, _body = self.request(
            "POST", "/login", {"csrf_token": token, "email": email, "password": password})
        if status != 303:
            raise RuntimeError(f"could not log in as {email}: {status}")


def paired_seconds(healthz: tuple[WsgiClient, dict], page: tuple[WsgiClient, dict],
                   requests: int, path: str) -> tuple[float, float]:
    """Mean wall time of /healthz and of the page, requested in turn `requests` times each,
    so that both meet the same machine (other processes come and go on shared cores)."""
    totals = [0.0, 0.0]
    for _ in range(requests):
        for n, (client, environ) in enumerate((healthz, page)):
            started = time.perf_counter()
            status, _headers, _body, _cookies = client.call(environ)
            totals[n] += time.perf_counter() - started
            if status != 200:
                raise RuntimeError(f"{path if n else HEALTHZ} answered {status}")
    return totals[0] / requests, totals[1] / requests


class StatementCounter:
    """SQL statements sent to the database while it listens."""

    def __init__(self, engine) -> None:
        self.engine, self.statements = engine, []

    def listener(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not NOT_QUERIES.match(statement):
            self.statements.append(" ".join(statement.split())[:160])

    def __enter__(self) -> StatementCounter:
        event.listen(self.engine, "before_cursor_execute", self.listener)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self.listener)


def sizes(client: WsgiClient, path: str) -> dict[str, int]:
    """Bytes of the body as sent for each encoding a client may ask for."""
    found = {}
    for encoding in ("gzip", "br", "identity"):
        _status, headers, body = client.request("GET", path, **{"Accept-Encoding": encoding})
        served = headers.get("Content-Encoding", "identity")
        found[encoding if served == encoding else f"{encoding} (sent {served})"] = len(body)
    return found


def measure(spec: dict) -> dict:
    from network.extensions import db
    from wsgi import app

    with app.app_context():
        engine = db.engine
    clients = {}
    for role, login in spec["logins"].items():
        clients[role] = WsgiClient(app, keeps_cookies=bool(login))
        if login:
            clients[role].log_in(*login)
    visitor = clients["visitor"]
    targets = [("/healthz", "visitor", HEALTHZ)] + [
        (page["name"], page["role"], page["path"]) for page in spec["pages"]]
    result: dict = {"rounds": spec["rounds"], "requests": spec["requests"], "pages": {}}
    environs = {}
    for name, role, path in targets:
        client = clients[role]
        for _ in range(spec["warmup"]):  # templates compiled, caches filled, read marker set
            status, _headers, _body = client.request("GET", path,
                                                     **{"Accept-Encoding": ACCEPT_ENCODING})
            if status != 200:
                raise RuntimeError(f"{name}: {path} answered {status} to the {role}")
        environs[name] = client.environ("GET", path, **{"Accept-Encoding": ACCEPT_ENCODING})
        counts = []
        for _ in range(2):
            with StatementCounter(engine) as counter:
                client.call(environs[name])
            counts.append(counter.statements)
        result["pages"][name] = {"path": path, "role": role,
                                 "queries": max(len(c) for c in counts),
                                 "statements": max(counts, key=len),
                                 "bytes": sizes(client, path), "round_ms": [],
                                 "healthz_round_ms": [], "ratio_rounds": []}
    for _round in range(spec["rounds"]):
        for name, role, path in targets[1:]:
            healthz, page = paired_seconds((visitor, environs["/healthz"]),
                                           (clients[role], environs[name]),
                                           spec["requests"], path)
            figures = result["pages"][name]
            figures["round_ms"].append(page * 1000)
            figures["healthz_round_ms"].append(healthz * 1000)
            figures["ratio_rounds"].append(page / healthz)
    for figures in result["pages"].values():
        if figures["round_ms"]:
            figures["mean_ms"] = statistics.fmean(figures["round_ms"])
            figures["healthz_ms"] = statistics.fmean(figures["healthz_round_ms"])
            figures["ratio"] = statistics.median(figures["ratio_rounds"])
    healthz = result["pages"].pop("/healthz")
    result["healthz"] = {"queries": healthz["queries"], "bytes": healthz["bytes"],
                         "mean_ms": statistics.fmean(
                             ms for f in result["pages"].values()
                             for ms in f["healthz_round_ms"])}
    return result


def main() -> None:
    spec_path, result_path = sys.argv[1:3]
    with open(spec_path) as spec_file:
        spec = json.load(spec_file)
    result = measure(spec)
    with open(result_path, "w") as result_file:
        json.dump(result, result_file, indent=1)


if __name__ == "__main__":
    main()
