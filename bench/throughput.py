"""Requests per second over HTTP with wrk, a standard load tool (Debian: `apt-get install
wrk`): 20 connections on loopback to gunicorn, flat out, one page at a time.

Why wrk: it is written in C and costs little CPU, which matters when the load tool shares the
server's 2 cores; a Python load generator would measure itself. Its figure for a page is only
meaningful beside /healthz's in the same run, so /healthz is run at the start, the middle and
the end, and a page's share is its requests/s over their mean.

Each request says `Connection: close` (as nginx to its upstream), unless bench.report is
given --keep-alive; see bench.report.wrk_headers for why. Logged-in pages send the session
cookie. Before and after each run the page is fetched once
and must answer 200: a lost session would turn a page into a cheap redirect, which wrk would
happily count. wrk counts non-2xx/3xx answers and socket errors; both are kept.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import asdict, dataclass, field

WRK = "wrk"
INSTALL_HINT = ("wrk is not installed, so the HTTP requests/s are marked missing. Install it "
                "with `sudo apt-get install wrk` (Debian, Ubuntu) or `brew install wrk` "
                "(macOS), then run `make bench` again.")
UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def available() -> bool:
    return shutil.which(WRK) is not None


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    latency_ms: dict[str, float] = field(default_factory=dict)  # "50%", "75%", "90%", "99%"
    non_2xx_3xx: int = 0
    socket_errors: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS_MS[unit]


def parse(output: str) -> WrkResult:
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if not rate or not total:
        raise RuntimeError(f"could not read wrk's output:\n{output}")
    latency = {share + "%": milliseconds(value) for share, value in
               re.findall(r"^\s+(\d+)%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.MULTILINE)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)
    socket_errors = dict(zip(("connect", "read", "write", "timeout"),
                             map(int, errors.groups()), strict=True)) if errors else {}
    return WrkResult(float(rate.group(1)), int(total.group(1)), latency,
                     int(non_2xx.group(1)) if non_2xx else 0, socket_errors)


def run(url: str, seconds: float, connections: int = 20, threads: int = 2,
        headers: dict[str, str] | None = None) -> WrkResult:
    """wrk -t threads -c connections -d seconds --latency, with the given headers."""
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
               "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return parse(done.stdout)
