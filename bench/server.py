"""A real deployment to measure: gunicorn on a fresh SQLite file (or a PostgreSQL database
emptied first) holding the demo borough (and, for the report, the busy forum), optionally
grown many times over.

- `prepare(factor, busy_forum, database_url)` makes the database (SQLite: in a temporary
  directory; PostgreSQL: the database the URL names, created or emptied) and returns a
  `Dataset`: its environment (production settings: BASE_URL and TRUSTED_HOSTS set, Secure
  cookies off because the bench speaks plain http) and the paths of its landmarks.
- `run_gunicorn(dataset, model)` starts gunicorn with a `WorkerModel` (workers, threads,
  worker class, preload) and stops it afterwards.
- `serve()` does both, as bench/resilience.py and tests/test_resilience.py use it.
- `Server.memory()` reads each process's resident (RSS) and proportional (PSS) memory.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

from network.core.time import clock_offset, now

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class WorkerModel:
    """How gunicorn serves: `make run` ships 2 sync workers, preloaded (docs/decisions.md);
    keep the default here the same as `make run` so that `make bench` measures what is
    deployed."""

    workers: int = 2
    threads: int = 1
    worker_class: str | None = None  # None: gunicorn's choice, sync for 1 thread else gthread
    preload: bool = True  # load the app in the master before forking

    @property
    def kind(self) -> str:
        return self.worker_class or ("sync" if self.threads == 1 else "gthread")

    def arguments(self) -> list[str]:
        args = ["--workers", str(self.workers), "--threads", str(self.threads)]
        if self.worker_class:
            args += ["--worker-class", self.worker_class]
        if self.preload:
            args.append("--preload")
        return args

    def describe(self) -> str:
        threads = f" x {self.threads} threads" if self.threads > 1 else ""
        return (f"gunicorn {self.workers} {self.kind} workers{threads}"
                + (", preloaded" if self.preload else ""))


@dataclass
class Dataset:
    """A database ready to serve: where it is, the environment to run the app on it, and
    the paths of the objects the bench's pages name (see bench.data.landmarks)."""

    factor: int
    directory: Path
    database: Path | None  # the SQLite file; None on PostgreSQL
    env: dict[str, str]
    landmarks: dict[str, str]

    @property
    def url(self) -> str:
        return self.env["DATABASE_URL"]

    def through(self, url: str) -> Dataset:
        """The same data served from another URL (PostgreSQL through bench.proxy)."""
        return replace(self, env={**self.env, "DATABASE_URL": url})


def environment(directory: Path, database_url: str) -> dict[str, str]:
    """The servers' and commands' settings. When this process's clock was set (a test's), they
    run on it too (bench.at_the_moment), so the data and what the load sends agree on today."""
    env = {**os.environ, "FLASK_APP": "wsgi", "DATABASE_URL": database_url,
           "SECRET_KEY": "bench", "COOKIE_SECURE": "0", "INSTANCE_PATH": str(directory),
           "BASE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1",
           # The load comes from one address; nginx would pass the real ones.
           "PROXY_COUNT": "1"}
    env.pop("MAIL_SERVER", None)
    if clock_offset():
        env.update(FLASK_APP="bench.at_the_moment", NETWORK_TEST_CLOCK=now().isoformat())
    return env


def flask(env: dict[str, str], *args: str) -> None:
    """A `flask` command, quietly (Alembic logs every migration); its output if it fails."""
    done = subprocess.run([BIN / "flask", *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, check=False)
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        done.check_returncode()


def empty_postgres(url: str) -> None:
    """Create the database the URL names if the server lacks it, else empty it. Only ever a
    bench's own database (network_..._bench): it is wiped."""
    url = sa.engine.make_url(url)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                           {"name": url.database}):
            conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@contextmanager
def prepare(factor: int = 1, busy_forum: bool = False, database_url: str | None = None,
            landmarks: bool = True) -> Iterator[Dataset]:
    """Migrate, load the demo, add the busy forum if asked, grow `factor` times: in a new
    SQLite file, or in the PostgreSQL database `database_url` names (emptied first). The
    landmarks (bench.data) only if asked: the demo alone needs no process of its own."""
    with tempfile.TemporaryDirectory(prefix="network-bench-") as tmp:
        directory = Path(tmp)
        database = None if database_url else directory / "bench.db"
        if database_url:
            empty_postgres(database_url)
        env = environment(directory, database_url or f"sqlite:///{database}")
        flask(env, "db", "upgrade")
        flask(env, "demo", "load")
        if not (landmarks or busy_forum or factor > 1):
            yield Dataset(factor, directory, database, env, {})
            return
        args = ["--factor", str(factor)] + (["--busy-forum"] if busy_forum else [])
        found = subprocess.run([BIN / "python", "-m", "bench.data", *args], env=env, cwd=ROOT,
                               check=True, stdout=subprocess.PIPE, text=True)
        yield Dataset(factor, directory, database, env, json.loads(found.stdout))


BENCH_POSTGRES_DATABASE = "network_bench_large"


def postgres_url(database: str | None = None) -> str:
    """The PostgreSQL database the large-borough bench makes afresh: on the server that
    BENCH_POSTGRES_URL names (else the local default), named `database` (else
    network_bench_large, whatever database the URL names: bench.search reads the same
    variable as a server's address)."""
    from sqlalchemy.engine import make_url

    server = os.environ.get("BENCH_POSTGRES_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/"
    url = make_url(server).set(drivername="postgresql+psycopg",
                               database=database or BENCH_POSTGRES_DATABASE)
    return url.render_as_string(hide_password=False)


def fresh_database(url: str) -> None:
    """Drop the database if it is there, and make it empty."""
    import sqlalchemy as sa

    url_ = sa.engine.make_url(url)
    admin = sa.create_engine(url_.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url_.database}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{url_.database}"')
    admin.dispose()


@contextmanager
def prepare_postgres(url: str, large: bool, reuse: bool = False) -> Iterator[Dataset]:
    """The demo borough and the busy forum on a fresh PostgreSQL database, topped up to the
    large borough (bench.large) if asked. The database is left behind for a look afterwards
    and dropped at the next run; `reuse` takes it as it is (made by an earlier run)."""
    if not reuse:
        fresh_database(url)
    with tempfile.TemporaryDirectory(prefix="network-bench-") as tmp:
        directory = Path(tmp)
        env = {**environment(directory, directory / "unused.db"), "DATABASE_URL": url}
        if not reuse:
            flask(env, "db", "upgrade")
            flask(env, "demo", "load")
        args = [] if reuse else ["--busy-forum"] + (["--large"] if large else [])
        found = subprocess.run([BIN / "python", "-m", "bench.data", *args], env=env, cwd=ROOT,
                               check=True, stdout=subprocess.PIPE, text=True)
        yield Dataset(100 if large else 1, directory, directory / "unused.db", env,
                      json.loads(found.stdout))


@dataclass
class ProcessMemory:
    pid: int
    role: str  # "master" or "worker"
    rss_mb: float  # resident: every page the process maps, shared or not
    pss_mb: float  # proportional: shared pages divided among the processes sharing them


def kilobytes(path: Path, field_name: str) -> int:
    match = re.search(rf"^{field_name}:\s+(\d+) kB", path.read_text(), re.MULTILINE)
    return int(match.group(1)) if match else 0


def process_memory(pid: int, role: str) -> ProcessMemory:
    proc = Path(f"/proc/{pid}")
    return ProcessMemory(pid, role, kilobytes(proc / "status", "VmRSS") / 1024,
                         kilobytes(proc / "smaps_rollup", "Pss") / 1024)


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    database: Path | None  # the SQLite file; None on PostgreSQL (env's DATABASE_URL)
    env: dict[str, str]
    model: WorkerModel = field(default_factory=WorkerModel)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]

    def memory(self) -> list[ProcessMemory]:
        """The master first, then each worker."""
        return [process_memory(self.process.pid, "master"),
                *(process_memory(pid, "worker") for pid in self.workers())]

    def rss_mb(self) -> dict[int, float]:
        """Resident memory of each worker, in MB."""
        return {m.pid: m.rss_mb for m in self.memory() if m.role == "worker"}

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)


@contextmanager
def run_gunicorn(dataset: Dataset, model: WorkerModel | None = None,
                 log: Path | None = None) -> Iterator[Server]:
    """Start gunicorn on the dataset; stop it (SIGTERM) afterwards."""
    model = model or WorkerModel()
    port = free_port()
    output = open(log or os.devnull, "w")  # noqa: SIM115 -- closed below
    process = subprocess.Popen(
        [BIN / "gunicorn", *model.arguments(), "--bind", f"127.0.0.1:{port}",
         f"{dataset.env['FLASK_APP']}:app"],
        env=dataset.env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    server = Server(port, process, dataset.database, dataset.env, model)
    try:
        wait_until_up(server)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        output.close()


@contextmanager
def serve(factor: int = 1, workers: int = 2, threads: int = 1, log: Path | None = None,
          busy_forum: bool = False, database_url: str | None = None) -> Iterator[Server]:
    """Migrate, load the demo (times `factor`), start gunicorn; stop it afterwards."""
    with prepare(factor, busy_forum, database_url) as dataset, \
            run_gunicorn(dataset, WorkerModel(workers, threads), log) as server:
        yield server


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
            headers["Cookie"] = self.cookie_header()
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

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

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
    """The value below which `share` of the values lie (nearest rank, no interpolation)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def wait_for(condition, seconds: float) -> bool:
    """Whether `condition()` comes true within `seconds`, asked every tenth of a second."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
