"""Issue 10's targets (PRODUCT.md's budgets, made machine-independent where they are about
time), and the judging of each figure: a figure that misses is marked, and said by how much.

The bench prints and marks; it never fails on time (machines and their neighbours differ).
"""

from __future__ import annotations

from dataclasses import dataclass

INPROCESS_MAX = 4.0  # a page costs at most 4x /healthz, in one process
THREAD_HTTP_SHARE_MIN = 0.25  # the thread page serves >= 1/4 of /healthz's requests/s
P95_MAX_MS = 50.0  # 20 users reading, at 1x and at 100x the data
GROWTH_MAX = 1.5  # p95 at 100x / p95 at 1x
QUERIES_MAX = 10  # and the same number at 1x and 100x
HTML_MAX_BYTES = 14 * 1024  # compressed (gzip, which every browser accepts)
PSS_TOTAL_MAX_MB = 120.0  # master + 2 workers
WORKER_RSS_MAX_MB = 80.0

MARK = "!"  # after a figure that misses its target

TARGETS = {
    "in-process cost": f"<= {INPROCESS_MAX:g}x /healthz, every page",
    "HTTP": f"thread page >= {THREAD_HTTP_SHARE_MIN:g} of /healthz's requests/s",
    "p95": f"<= {P95_MAX_MS:g} ms at 1x and at the larger data",
    "growth": f"p95 at the larger data / p95 at 1x <= {GROWTH_MAX:g}",
    "queries": f"<= {QUERIES_MAX} a page, the same at 1x and the larger data",
    "HTML": f"<= {HTML_MAX_BYTES // 1024} KB compressed (gzip)",
    "memory": f"master + 2 workers <= {PSS_TOTAL_MAX_MB:g} MB PSS; each worker <= "
              f"{WORKER_RSS_MAX_MB:g} MB RSS",
}


@dataclass(frozen=True)
class Miss:
    subject: str  # a page's name, or "memory"
    figure: str  # which figure, as the table's marks and the JSON name it
    text: str  # what was measured, the target, and by how much it misses

    def __str__(self) -> str:
        return f"{self.subject}: {self.text}"


def times(value: float, limit: float) -> str:
    return f"{value / limit:.2f} times the target"


def judge_page(page: dict, thread_page: str, big: str) -> list[Miss]:
    """Every target a page's figures (as bench.report assembles them) miss."""
    name, misses = page["name"], []
    ratio = (page.get("inprocess") or {}).get("ratio")
    if ratio is not None and ratio > INPROCESS_MAX:
        misses.append(Miss(name, "inprocess", f"in-process {ratio:.2f}x /healthz, target <= "
                           f"{INPROCESS_MAX:g}x ({times(ratio, INPROCESS_MAX)})"))
    share = (page.get("http") or {}).get("share")
    if name == thread_page and share is not None and share < THREAD_HTTP_SHARE_MIN:
        misses.append(Miss(name, "http", f"over HTTP {share:.3f} of /healthz's requests/s, "
                           f"target >= {THREAD_HTTP_SHARE_MIN:g} ("
                           f"{THREAD_HTTP_SHARE_MIN / share:.1f} times too slow)"))
    queries = page.get("queries") or {}
    most = max((q for q in queries.values() if q is not None), default=None)
    if most is not None and most > QUERIES_MAX:
        misses.append(Miss(name, "queries", f"{most} queries, target <= {QUERIES_MAX}"))
    if len({q for q in queries.values() if q is not None}) > 1:
        misses.append(Miss(name, "queries", "queries change with the data: "
                           + ", ".join(f"{k} {v}" for k, v in queries.items())))
    gzip_bytes = (page.get("bytes") or {}).get("gzip")
    if gzip_bytes is not None and gzip_bytes > HTML_MAX_BYTES:
        misses.append(Miss(name, "bytes", f"{gzip_bytes / 1024:.1f} KB gzipped, target <= "
                           f"{HTML_MAX_BYTES // 1024} KB"))
    for label, figures in (page.get("latency") or {}).items():
        if figures and figures["p95"] > P95_MAX_MS:
            misses.append(Miss(name, f"p95 {label}", f"p95 {figures['p95']:.0f} ms at "
                               f"{label}, target <= {P95_MAX_MS:g} ms (+"
                               f"{figures['p95'] - P95_MAX_MS:.0f} ms)"))
    growth = page.get("growth")
    if growth is not None and growth > GROWTH_MAX:
        misses.append(Miss(name, "growth", f"p95 grows {growth:.2f}x from 1x to {big}, "
                           f"target <= {GROWTH_MAX:g}"))
    return misses


def judge_memory(processes: list[dict], label: str) -> list[Miss]:
    """Memory of the master and workers after a run, against the budgets."""
    misses = []
    subject = f"memory after the {label} run"
    for process in processes:
        if process["role"] == "worker" and process["rss_mb"] > WORKER_RSS_MAX_MB:
            misses.append(Miss(subject, f"rss {process['pid']}",
                               f"worker {process['pid']} {process['rss_mb']:.1f} MB RSS, "
                               f"target <= {WORKER_RSS_MAX_MB:g} MB "
                               f"(+{process['rss_mb'] - WORKER_RSS_MAX_MB:.1f} MB)"))
    total = sum(p["pss_mb"] for p in processes)
    if total > PSS_TOTAL_MAX_MB:
        workers = sum(1 for p in processes if p["role"] == "worker")
        misses.append(Miss(subject, "pss total",
                           f"master + {workers} workers {total:.1f} MB PSS, target <= "
                           f"{PSS_TOTAL_MAX_MB:g} MB for master + 2 workers "
                           f"(+{total - PSS_TOTAL_MAX_MB:.1f} MB)"))
    return misses
