"""How much of the machine was someone else's while a measurement ran.

On shared cores (other engineers' test suites, a CI job) a p95 can double without the app
changing. `watch(own_pids)` counts the CPU time all processes used during a block
(/proc/stat) and subtracts ours: this process and the children it has waited for (the
in-process run, wrk), and the gunicorn master and workers named by `own_pids`. What remains,
in cores, is what others took: near 0 on a quiet machine; on 2 cores, 1 means half of it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def busy_ticks() -> int:
    """CPU time used by everything since boot: all but idle and I/O wait, in ticks."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return sum(fields[:8]) - idle - iowait  # user..steal; guest time is inside user


def process_ticks(pid: int, with_children: bool) -> int:
    """A process's user + system time; with its waited-for children's when asked."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return utime + stime + (cutime + cstime if with_children else 0)


def own_ticks(pids: list[int]) -> int:
    return process_ticks(os.getpid(), True) + sum(process_ticks(p, True) for p in pids)


@contextmanager
def watch(own_pids: Callable[[], list[int]] = list) -> Iterator[dict]:
    """Yields a dict that, after the block, holds `seconds`, `cores_busy` (all processes) and
    `cores_others` (all but ours), each in cores' worth of CPU over the block."""
    figures: dict = {}
    started, busy, own = time.monotonic(), busy_ticks(), own_ticks(own_pids())
    yield figures
    seconds = time.monotonic() - started
    busy_used = (busy_ticks() - busy) / TICKS
    own_used = (own_ticks(own_pids()) - own) / TICKS
    figures.update(seconds=round(seconds, 1), cores_busy=round(busy_used / seconds, 2),
                   cores_others=round(max(0.0, busy_used - own_used) / seconds, 2))
