"""A real deployment to measure: gunicorn (2 workers, as `make run`) on a fresh SQLite file
holding the demo borough, optionally grown many times over."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    database: Path
    env: dict[str, str]

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def rss_mb(self) -> dict[int, float]:
        """Resident memory of each worker, in MB."""
        sizes = {}
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            kb = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1))
            sizes[pid] = kb / 1024
        return sizes

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([BIN / "flask", *args], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)


def grow(env: dict[str, str], factor: int) -> None:
    script = f"from wsgi import app\nfrom bench.data import grow\n" \
             f"with app.app_context():\n    grow({factor})\n"
    subprocess.run([BIN / "python", "-c", script], env=env, cwd=ROOT, check=True)


@contextmanager
def serve(factor: int = 1, workers: int = 2, threads: int = 4, log: Path | None = None):
    """Migrate, load the demo (times `factor`), start gunicorn; stop it afterwards."""
    with tempfile.TemporaryDirectory(prefix="network-bench-") as tmp:
        database = Path(tmp) / "bench.db"
        env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": f"sqlite:///{database}",
               "SECRET_KEY": "bench", "COOKIE_SECURE": "0", "INSTANCE_PATH": tmp,
               "BASE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1",
               # The load comes from one address; nginx would pass the real ones.
               "PROXY_COUNT": "1"}
        env.pop("MAIL_SERVER", None)
        flask(env, "db", "upgrade")
        flask(env, "demo", "load")
        if factor > 1:
            grow(env, factor)
        port = free_port()
        output = open(log or os.devnull, "w")  # noqa: SIM115 -- closed below
        process = subprocess.Popen(
            [BIN / "gunicorn", "--workers", str(workers), "--threads", str(threads),
             "--bind", f"127.0.0.1:{port}", "wsgi:app"],
            env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        server = Server(port, process, database, env)
        try:
            wait_until_up(server)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
            output.close()


def wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        conn = server.connect()
        try:
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200 and len(server.workers()) > 0:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError("gunicorn did not start")


@dataclass
class Browser:
    """A user agent whose cookie jar is a dict: enough for this app's session cookie."""

    server: Server
    cookies: dict[str, str] = field(default_factory=dict)
    address: str = "127.0.0.1"

    def request(self, method: str, path: str, form: dict | None = None, *,
                compressed: bool = True) -> tuple[int, bytes]:
        """Send one request on a new connection; returns the status and the body."""
        headers = {"X-Forwarded-For": self.address}
        if compressed:
            headers["Accept-Encoding"] = "gzip"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = self.server.connect()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def csrf_token(self, path: str) -> str:
        _status, page = self.request("GET", path, compressed=False)
        return CSRF_INPUT.search(page.decode()).group(1)

    def log_in(self, email: str, password: str) -> None:
        token = self.csrf_token("/login")
        status, _ = self.request("POST", "/login", {"csrf_token": token, "email": email,
                                                     "password": password})
        if status != 303:
            raise RuntimeError(f"could not log in as {email}: {status}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]
