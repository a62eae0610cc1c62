"""`make bench`: every page's cost, as one table, with each figure that misses its target
marked; the same written as JSON under bench/results/.

    python -m bench.report                      # the full run, as `make bench` (~10 min)
    python -m bench.report --quick              # shorter runs of everything (~2 min)
    python -m bench.report --workers 2 --threads 4 --no-preload   # gthread, as it was
    python -m bench.report --quick --pages thread,category  # only some pages
    python -m bench.report --large [--quick]    # the large borough beside the demo, on
                                                # PostgreSQL (bench.sizes, issue 23)

What it measures, in order, so that nothing of ours competes for the cores while it runs:
1. 1x data (the demo borough and the issue's busy forum), in one process (bench.inprocess):
   each page's cost as a multiple of /healthz, queries per request, bytes compressed;
2. the same data on gunicorn: p50/p95/p99 with 20 users reading (bench.load), then each
   page's requests/s flat out with wrk beside /healthz's (bench.throughput), then memory;
3. the data grown (100x by default): queries per request and how the cost grew, in one
   process, then p50/p95/p99 with the same 20 users on gunicorn, then memory.
/healthz walks with the readers as a control, and the CPU that other processes took during
each part is printed: on shared cores, that is what makes a p95 move.
Ratios measured in one run are what compare between machines; absolute figures are printed
for reading, not for judging. The bench asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bench import machine, sizes, throughput
from bench.load import logged_in, reading_load, warm_up
from bench.pages import ACCEPT_ENCODING, HEALTHZ, LOGINS, PASSWORD, THREAD_PAGE, Page, chosen
from bench.server import BIN, ROOT, Browser, Dataset, Server, WorkerModel, prepare, run_gunicorn
from bench.targets import MARK, TARGETS, judge_memory, judge_page

RESULTS = ROOT / "bench" / "results"


@dataclass(frozen=True)
class Settings:
    """How long each measurement runs. The full run keeps under ~15 minutes on 2 cores."""

    rounds: int  # in-process: rounds of paired requests (page, /healthz) per page
    requests: int  # in-process: pairs per round
    warmup: int  # in-process: requests per page before timing
    big_rounds: int  # in-process at the larger data: rounds (queries, and cost growth)
    big_requests: int  # in-process at the larger data: pairs per round
    load_seconds: float  # 20 users reading, at each data size
    wrk_seconds: float  # each wrk run: a page's, and /healthz's between them
    wrk_cycles: int  # wrk runs of each page, each between two of /healthz


FULL = Settings(rounds=5, requests=60, warmup=10, big_rounds=3, big_requests=40,
                load_seconds=90, wrk_seconds=1, wrk_cycles=4)
QUICK = Settings(rounds=3, requests=15, warmup=3, big_rounds=1, big_requests=5,
                 load_seconds=12, wrk_seconds=1, wrk_cycles=1)
ROLE_LABELS = {"visitor": "anon", "member": "member", "coordinator": "coord"}


# --- measuring -----------------------------------------------------------------------------

def run_inprocess(dataset: Dataset, pages: list[Page], rounds: int, requests: int,
                  warmup: int) -> dict:
    """bench.inprocess in a process of its own, on the dataset's database."""
    spec = {"pages": [{"name": p.name, "role": p.role, "path": p.path(dataset.landmarks)}
                      for p in pages],
            "logins": {role: [email, PASSWORD] if email else None
                       for role, email in LOGINS.items()},
            "rounds": rounds, "requests": requests, "warmup": warmup}
    spec_path, result_path = dataset.directory / "spec.json", dataset.directory / "inproc.json"
    spec_path.write_text(json.dumps(spec))
    subprocess.run([BIN / "python", "-m", "bench.inprocess", spec_path, result_path],
                   env=dataset.env, cwd=ROOT, check=True)
    return json.loads(result_path.read_text())


def wrk_headers(browser: Browser | None, role: str, keep_alive: bool) -> dict[str, str]:
    """What each wrk request sends: a browser's Accept-Encoding, the role's session cookie (a
    visitor comes without one, as on a first visit), and `Connection: close` unless asked
    to keep connections alive. nginx speaks to its upstream without keep-alive by default;
    and with 20 kept-alive connections, how gunicorn's gthread workers happen to share them
    at connect time decided /healthz's figure: 700 or 2,500 requests/s from one second to
    the next, on a quiet machine (sync workers close every connection anyway)."""
    headers = {"Accept-Encoding": ACCEPT_ENCODING}
    if not keep_alive:
        headers["Connection"] = "close"
    if browser is not None and LOGINS[role]:
        headers["Cookie"] = browser.cookie_header()
    return headers


def run_http(server: Server, browsers: dict[str, Browser], pages: list[Page],
             landmarks: dict[str, str], settings: Settings, connections: int,
             wrk_threads: int, keep_alive: bool) -> tuple[list[dict], dict[str, dict]]:
    """wrk on /healthz and each page in turn, a second at a time: /healthz, page, /healthz,
    page, ..., /healthz, next page. A page's share in a cycle is its requests/s over the mean
    of the /healthz runs either side of it; its figure is the median of its cycles' shares.
    (Windows of 8 s, or two of 4 s minutes apart, left shares 50% apart between runs on
    shared cores: a neighbour's burst fell on the page's window or on /healthz's.)"""
    def wrk(path: str, headers: dict[str, str]) -> dict:
        return throughput.run(server.url + path, settings.wrk_seconds, connections,
                              wrk_threads, headers).as_dict()

    healthz_headers = wrk_headers(None, "visitor", keep_alive)
    healthz = [wrk(HEALTHZ, healthz_headers)]
    figures = {}
    for page in pages:
        path, browser = page.path(landmarks), browsers[page.role]
        cycles = []
        for _cycle in range(settings.wrk_cycles):
            before, _ = browser.request("GET", path)
            result = wrk(path, wrk_headers(browser, page.role, keep_alive))
            after, _ = browser.request("GET", path)
            healthz.append(wrk(HEALTHZ, healthz_headers))
            result["status_before_after"] = [before, after]
            result["healthz_rps"] = statistics.fmean(r["requests_per_second"]
                                                     for r in healthz[-2:])
            result["share"] = result["requests_per_second"] / result["healthz_rps"]
            cycles.append(result)
        figures[page.name] = {
            "requests_per_second": statistics.median(r["requests_per_second"]
                                                     for r in cycles),
            "share": statistics.median(r["share"] for r in cycles),
            "non_2xx_3xx": sum(r["non_2xx_3xx"] for r in cycles),
            "socket_errors": {kind: sum(r["socket_errors"].get(kind, 0) for r in cycles)
                              for kind in ("connect", "read", "write", "timeout")},
            "cycles": cycles}
    return healthz, figures


def measure_on_gunicorn(dataset: Dataset, pages: list[Page], model: WorkerModel,
                        settings: Settings, args, with_wrk: bool) -> dict:
    log = dataset.directory / "gunicorn.log"
    try:
        return measure_on(dataset, log, pages, model, settings, args, with_wrk)
    except Exception:
        if log.exists():  # what the server said is the first thing to read
            print("".join(log.read_text().splitlines(keepends=True)[-40:]), file=sys.stderr)
        raise


def measure_on(dataset: Dataset, log: Path, pages: list[Page], model: WorkerModel,
               settings: Settings, args, with_wrk: bool) -> dict:
    with run_gunicorn(dataset, model, log) as server:
        def gunicorn() -> list[int]:
            return [server.process.pid, *server.workers()]

        roles = sorted({p.role for p in pages})
        browsers = logged_in(server, set(roles))
        # /healthz among each role's pages: its p95 shows what the machine did to everyone's.
        walked = pages + [Page(HEALTHZ, role, HEALTHZ) for role in roles]
        warm_up(browsers, walked, dataset.landmarks)
        with machine.watch(gunicorn) as readers_cpu:
            load = reading_load(server, browsers, walked, dataset.landmarks, args.users,
                                settings.load_seconds)
        healthz, http, wrk_cpu = [], {}, None
        if with_wrk:
            with machine.watch(gunicorn) as wrk_cpu:
                healthz, http = run_http(server, browsers, pages, dataset.landmarks,
                                         settings, args.connections, args.wrk_threads,
                                         args.keep_alive)
        memory = [asdict(m) for m in server.memory()]
    return {"load": load, "healthz": healthz, "http": http, "memory": memory,
            "cpu": {"readers": readers_cpu, "wrk": wrk_cpu}}


# --- assembling ----------------------------------------------------------------------------

def git_version() -> dict:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                              check=False).stdout.strip()

    return {"sha": git("rev-parse", "--short", "HEAD") or "unknown",
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def assemble(pages: list[Page], small: dict, small_inproc: dict, big: dict | None,
             big_inproc: dict | None, big_label: str) -> list[dict]:
    rows = []
    for page in pages:
        inproc = small_inproc["pages"][page.name]
        row = {"name": page.name, "role": page.role, "path": inproc["path"], "main": page.main,
               "inprocess": {"ratio": inproc["ratio"], "mean_ms": inproc["mean_ms"],
                             "ratio_rounds": inproc["ratio_rounds"]},
               "queries": {"1x": inproc["queries"]}, "statements": inproc["statements"],
               "bytes": inproc["bytes"], "http": small["http"].get(page.name),
               "latency": {"1x": small["load"].percentiles(page.name)}}
        if big is not None:
            big_page = big_inproc["pages"][page.name]
            row["queries"][big_label] = big_page["queries"]
            row["inprocess_big"] = {"ratio": big_page["ratio"], "mean_ms": big_page["mean_ms"],
                                    "ratio_rounds": big_page["ratio_rounds"]}
            # Each against its own /healthz: the two runs are minutes apart.
            row["inprocess_growth"] = big_page["ratio"] / inproc["ratio"]
            row["latency"][big_label] = big["load"].percentiles(page.name)
            small_p95 = (row["latency"]["1x"] or {}).get("p95")
            big_p95 = (row["latency"][big_label] or {}).get("p95")
            row["growth"] = big_p95 / small_p95 if small_p95 and big_p95 else None
        rows.append(row)
    return rows


def control_growth(small: dict, big: dict | None) -> float | None:
    """/healthz's p95 among the readers at the larger data over at 1x: it does the same work
    at both sizes, so what it shows is the machine's doing."""
    if big is None:
        return None
    small_p95 = (small["load"].percentiles(HEALTHZ) or {}).get("p95")
    big_p95 = (big["load"].percentiles(HEALTHZ) or {}).get("p95")
    return big_p95 / small_p95 if small_p95 and big_p95 else None


# --- printing ------------------------------------------------------------------------------

def cell(value, spec: str, width: int, missed: bool = False) -> str:
    """A figure right-aligned in `width`, then one character: the mark, or a space."""
    text = "-" if value is None else format(value, spec)
    return text.rjust(width) + (MARK if missed else " ")


# The table's figures: (heading, width, format). "|" separates the latency groups.
def columns(big: str) -> list:
    return [("in-proc", 7, ".1f"), (f"@{big}", 6, ".2f"), ("r/s", 6, ".0f"),
            ("share", 6, ".3f"), ("queries", 7, ""), ("gzip B", 7, "d"), ("br B", 6, "d"),
            "|", ("1x p50", 6, ".0f"), ("p95", 4, ".0f"), ("p99", 4, ".0f"),
            "|", (f"{big} p50", 8, ".0f"), ("p95", 4, ".0f"), ("p99", 4, ".0f"),
            "|", (f"{big}/1x", 7, ".2f")]


def line(name: str, role: str, big: str, values: list, missed: list[bool]) -> str:
    """One row: the figures in `columns` order (None: not measured)."""
    text, figures = f"{name[:22]:22} {role[:6]:6}", iter(zip(values, missed, strict=True))
    for column in columns(big):
        if column == "|":
            text += "|"
            continue
        _heading, width, spec = column
        value, miss = next(figures)
        text += cell(value, spec, width, miss) if not isinstance(value, str) else \
            value.rjust(width) + (MARK if miss else " ")
    return text


def print_table(result: dict) -> None:
    big = result["big_label"]
    print(f"\n{result['title']}")
    print(f"marked {MARK}: misses its target; '-': not measured. in-proc: mean time per "
          f"request / /healthz's, one process; @{big}: how that grows at {big} the data.\n"
          f"r/s: requests/s with wrk ({result['settings']['connections']} connections"
          f"{', kept alive' if result['settings'].get('keep_alive') else ', closed after each'}"
          "); "
          f"share: of /healthz's r/s. Bytes as sent. p50/p95/p99 in ms with "
          f"{result['settings']['users']} users reading; {big}/1x: their p95s'.")
    head = f"{'page':22} {'as':6}" + "".join(
        c if c == "|" else c[0].rjust(c[1]) + " " for c in columns(big))
    print(head)
    print("-" * len(head))
    healthz = result["healthz"]
    small_control = healthz["latency"].get("1x") or {}
    big_control = healthz["latency"].get(big) or {}
    values = [f"{healthz['inprocess_ms']:.2f}ms", "", healthz["http_rps_median"], "",
              str(healthz["queries"]), "", "",
              *(small_control.get(k) for k in ("p50", "p95", "p99")),
              *(big_control.get(k) for k in ("p50", "p95", "p99")),
              healthz.get("growth") if healthz.get("growth") is not None else ""]
    print(line("/healthz (control)", "anon", big, values, [False] * len(values)))
    for row in result["pages"]:
        missed = {m["figure"] for m in row["misses"]}
        http = row["http"] or {}
        small_latency = row["latency"].get("1x") or {}
        big_latency = row["latency"].get(big) or {}
        figures = [
            (row["inprocess"]["ratio"], "inprocess"), (row.get("inprocess_growth"), ""),
            (http.get("requests_per_second"), ""), (http.get("share"), "http"),
            ("/".join(str(q) for q in dict.fromkeys(row["queries"].values())), "queries"),
            (row["bytes"].get("gzip"), "bytes"), (row["bytes"].get("br"), ""),
            (small_latency.get("p50"), ""), (small_latency.get("p95"), "p95 1x"),
            (small_latency.get("p99"), ""), (big_latency.get("p50"), ""),
            (big_latency.get("p95"), f"p95 {big}"), (big_latency.get("p99"), ""),
            (row.get("growth"), "growth")]
        print(line(row["name"], ROLE_LABELS.get(row["role"], row["role"]), big,
                   [value for value, _ in figures],
                   [bool(figure) and figure in missed for _, figure in figures]))
    counts = [v["n"] for row in result["pages"] for v in row["latency"].values() if v]
    if counts:
        print(f"percentiles from {min(counts)} to {max(counts)} requests a page "
              "(p99 of few requests is close to the slowest one)")
    if result["settings"]["quick"]:
        print("quick run: too few requests for steady p95/p99 and their ratio; use the full "
              "run to judge them")
    control = healthz.get("growth")
    if control is not None and not 1 / 1.3 <= control <= 1.3:
        print(f"the control's own p95 went {control:.2f}x from 1x to {big} with the same work "
              f"to do: the machine moved every {big}/1x ratio "
              f"({'up' if control > 1 else 'down, which can hide growth'}); @{big} (in one "
              "process, beside /healthz) says how each page's cost grows")


def print_memory(result: dict) -> None:
    for label, processes in result["memory"].items():
        missed = {m["figure"] for m in result["memory_misses"] if label in m["subject"]}
        print(f"\nmemory after the {label} run ({result['settings']['model']}):")
        for p in processes:
            rss_missed = f"rss {p['pid']}" in missed
            print(f"  {p['role']:7} pid {p['pid']:<8} RSS {p['rss_mb']:6.1f} MB"
                  f"{MARK if rss_missed else ' '}  PSS {p['pss_mb']:6.1f} MB")
        total = sum(p["pss_mb"] for p in processes)
        print(f"  master + {len(processes) - 1} workers: PSS {total:.1f} MB"
              f"{MARK if 'pss total' in missed else ''} (target <= 120 MB for master + 2 "
              "workers; each worker <= 80 MB RSS)")


def print_noise(result: dict) -> None:
    healthz = result["healthz"]
    runs = healthz["http_rps_runs"]
    if runs:
        print(f"\n/healthz over HTTP, {len(runs)} runs between the pages': from "
              f"{min(runs):.0f} to {max(runs):.0f} requests/s, median "
              f"{statistics.median(runs):.0f}")
    spread = [r for row in result["pages"] for r in row["inprocess"]["ratio_rounds"]]
    if spread:
        rel = [max(row["inprocess"]["ratio_rounds"]) / min(row["inprocess"]["ratio_rounds"])
               for row in result["pages"] if min(row["inprocess"]["ratio_rounds"]) > 0]
        print(f"in-process: the rounds of a page differ by a median of "
              f"{(statistics.median(rel) - 1) * 100:.0f}% between fastest and slowest")
    about = result["machine"]
    print(f"load average before and after: {about['loadavg_before']} -> "
          f"{about['loadavg_after']} on {about['cpus']} cores")
    print(f"CPU that other processes took, in cores of {about['cpus']} (0: a quiet machine): "
          + ", ".join(f"{phase} {figures['cores_others']:.2f}"
                      for phase, figures in about["cpu_of_others"].items()))
    errors = result["errors"]
    if errors:
        print("errors: " + "; ".join(errors[:10]))


def print_misses(result: dict) -> None:
    misses = [m for row in result["pages"] for m in row["misses"]] + result["memory_misses"]
    print("\ntargets: " + "; ".join(f"{k} {v}" for k, v in TARGETS.items()))
    if not misses:
        print("every figure measured meets its target")
        return
    print(f"{len(misses)} figures miss their targets:")
    for miss in misses:
        print(f"  {miss['subject']}: {miss['text']}")


# --- the command ---------------------------------------------------------------------------

def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="short runs of everything, about 2 minutes")
    parser.add_argument("--workers", type=int, default=WorkerModel.workers)
    parser.add_argument("--threads", type=int, default=WorkerModel.threads)
    parser.add_argument("--worker-class", help="gunicorn's --worker-class (default: sync "
                        "for 1 thread, gthread for more)")
    parser.add_argument("--no-preload", dest="preload", action="store_false",
                        help="load the app in each worker, not once in the master")
    parser.add_argument("--factor", type=int, default=100,
                        help="the larger data, times the 1x data (default 100; 1 skips it)")
    parser.add_argument("--pages", help="`main`, or words from page names, comma-separated")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--connections", type=int, default=20, help="wrk's connections")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--wrk-seconds", type=float, help="override the mode's, per run")
    parser.add_argument("--wrk-cycles", type=int, help="override the mode's")
    parser.add_argument("--load-seconds", type=float, help="override the mode's")
    parser.add_argument("--no-wrk", action="store_true", help="skip the HTTP requests/s")
    parser.add_argument("--keep-alive", action="store_true",
                        help="wrk keeps connections alive (default: Connection: close)")
    parser.add_argument("--large", action="store_true",
                        help="issue 23's main pages at the large borough's size beside the "
                        "demo's, on PostgreSQL (bench.sizes; BENCH_POSTGRES_URL names the "
                        "server)")
    parser.add_argument("--database", help="with --large: the PostgreSQL database to make "
                        "afresh (default network_bench_large)")
    parser.add_argument("--output", type=Path, help="JSON file (default bench/results/...)")
    return parser.parse_args()


def main() -> None:
    args = parse_arguments()
    settings = QUICK if args.quick else FULL
    if args.wrk_seconds:
        settings = replace(settings, wrk_seconds=args.wrk_seconds)
    if args.wrk_cycles:
        settings = replace(settings, wrk_cycles=args.wrk_cycles)
    if args.load_seconds:
        settings = replace(settings, load_seconds=args.load_seconds)
    model = WorkerModel(args.workers, args.threads, args.worker_class, args.preload)
    pages = chosen(args.pages if args.pages or not args.large else "large")
    with_wrk = not args.no_wrk and not args.large and throughput.available()
    if not args.no_wrk and not args.large and not with_wrk:
        print(throughput.INSTALL_HINT, file=sys.stderr)
    big_label = f"{args.factor}x" if args.factor > 1 else "(none)"
    version = git_version()
    if args.large:
        print(f"bench: the large borough beside the demo, {model.describe()}, "
              f"{'quick' if args.quick else 'full'} run, git {version['sha']}",
              file=sys.stderr)
        result = sizes.main(args, model, version)
        path = args.output or sizes.results_path(version)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=1) + "\n")
        print(f"\nwritten to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
              f"in {result['took_seconds'] // 60} min {result['took_seconds'] % 60} s")
        return
    started, loadavg_before = time.monotonic(), os.getloadavg()
    print(f"bench: {len(pages)} pages, {model.describe()}, "
          f"{'quick' if args.quick else 'full'} run, git {version['sha']}"
          f"{' (uncommitted changes)' if version['dirty'] else ''}", file=sys.stderr)

    errors: list[str] = []
    others: dict[str, dict] = {}  # phase -> CPU that other processes used meanwhile
    with prepare(1, busy_forum=True) as dataset:
        with machine.watch() as others["in-process 1x"]:
            small_inproc = run_inprocess(dataset, pages, settings.rounds, settings.requests,
                                         settings.warmup)
        small = measure_on_gunicorn(dataset, pages, model, settings, args, with_wrk)
    others["readers 1x"] = small["cpu"]["readers"]
    if small["cpu"]["wrk"]:
        others["wrk 1x"] = small["cpu"]["wrk"]
    errors += [f"1x: {e}" for e in small["load"].errors]
    big = big_inproc = None
    if args.factor > 1:
        with prepare(args.factor, busy_forum=True) as dataset:
            with machine.watch() as others[f"in-process {big_label}"]:
                big_inproc = run_inprocess(dataset, pages, settings.big_rounds,
                                           settings.big_requests, 3)
            big = measure_on_gunicorn(dataset, pages, model, settings, args, False)
        others[f"readers {big_label}"] = big["cpu"]["readers"]
        errors += [f"{big_label}: {e}" for e in big["load"].errors]

    rows = assemble(pages, small, small_inproc, big, big_inproc, big_label)
    for row in rows:
        row["misses"] = [asdict(m) for m in judge_page(row, THREAD_PAGE, big_label)]
        http = row["http"] or {}
        if http.get("non_2xx_3xx") or any(http.get("socket_errors", {}).values()):
            errors.append(f"wrk on {row['name']}: {http['non_2xx_3xx']} non-2xx/3xx, "
                          f"socket errors {http['socket_errors']}")
        for run in http.get("cycles", []):
            if run["status_before_after"] != [200, 200]:
                errors.append(f"{row['name']} answered {run['status_before_after']} before "
                              "and after wrk: its figure is not the page's")
    memory = {"1x": small["memory"]}
    if big is not None:
        memory[big_label] = big["memory"]
    memory_misses = [asdict(m) for label, processes in memory.items()
                     for m in judge_memory(processes, label)]
    healthz_runs = [r["requests_per_second"] for r in small["healthz"]]
    result = {
        "title": f"network bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, git "
                 f"{version['sha']}{'+changes' if version['dirty'] else ''}, "
                 f"{model.describe()}, {'quick' if args.quick else 'full'} run",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": version,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "loadavg_before": [round(x, 2) for x in loadavg_before],
                    "loadavg_after": [round(x, 2) for x in os.getloadavg()],
                    "cpu_of_others": others},
        "settings": {**asdict(settings), "quick": args.quick, "model": model.describe(),
                     "workers": model.workers, "threads": model.threads,
                     "worker_class": model.kind, "preload": model.preload,
                     "factor": args.factor, "users": args.users,
                     "connections": args.connections, "wrk_threads": args.wrk_threads,
                     "wrk": with_wrk, "keep_alive": args.keep_alive,
                     "accept_encoding": ACCEPT_ENCODING},
        "targets": TARGETS,
        "big_label": big_label,
        "healthz": {"inprocess_ms": small_inproc["healthz"]["mean_ms"],
                    "queries": small_inproc["healthz"]["queries"],
                    "latency": {label: run["load"].percentiles(HEALTHZ)
                                for label, run in (("1x", small), (big_label, big)) if run},
                    "growth": control_growth(small, big),
                    "http_rps_runs": healthz_runs,
                    "http_rps_median": statistics.median(healthz_runs) if healthz_runs else None},
        "pages": rows,
        "memory": memory,
        "memory_misses": memory_misses,
        "load": {label: {"requests": run["load"].requests, "seconds": run["load"].seconds,
                         "errors": run["load"].errors}
                 for label, run in (("1x", small), (big_label, big)) if run},
        "errors": errors,
        "took_seconds": round(time.monotonic() - started),
    }
    print_table(result)
    print_memory(result)
    print_noise(result)
    print_misses(result)
    if not with_wrk and not args.no_wrk:
        print("\n" + throughput.INSTALL_HINT)
    path = args.output or RESULTS / (f"{datetime.now(UTC):%Y-%m-%dT%H%M}-{version['sha']}"
                                     f"{'-changes' if version['dirty'] else ''}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(f"\nwritten to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} "
          f"in {result['took_seconds'] // 60} min {result['took_seconds'] % 60} s")


if __name__ == "__main__":
    main()
