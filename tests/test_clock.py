"""One clock. The app and its tests read the time through `network.core.time.now()`, which the
suite sets (conftest's `clock`), so nothing passes or fails by the day it runs."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from network.core import time as clock_module

ROOT = Path(__file__).resolve().parent.parent
THE_CLOCK = ROOT / "network" / "core" / "time.py"
# datetime.now(), date.today(), time.time() and their kin, however the module was imported.
MACHINE_CLOCKS = {("datetime", "now"), ("datetime", "utcnow"), ("datetime", "today"),
                  ("date", "today"), ("time", "time"), ("time", "time_ns")}


def machine_clock_reads(source: str) -> list[tuple[int, str]]:
    """(line, call) for every call that reads the machine's clock rather than core.time's."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        if (owner_name, node.func.attr) in MACHINE_CLOCKS:
            found.append((node.lineno, f"{owner_name}.{node.func.attr}()"))
    return found


# Kept as data, so that no test file holds a read of the machine's clock, not even as text.
SAMPLES = (Path(__file__).parent / "machine_clock_reads.txt").read_text().split("---\n")


@pytest.mark.parametrize("source", SAMPLES)
def test_the_check_finds_a_read_of_the_machines_clock(source):
    assert machine_clock_reads(source)


def test_the_check_leaves_the_apps_clock_alone():
    assert machine_clock_reads("from network.core.time import now, today\nx = now(), today()\n"
                               "y = datetime(2027, 1, 1).date()") == []


def test_no_test_and_no_app_code_reads_the_machines_clock():
    files = [*sorted((ROOT / "tests").rglob("*.py")), *sorted((ROOT / "network").rglob("*.py"))]
    offenders = [f"{path.relative_to(ROOT)}:{line}: {call}"
                 for path in files if path != THE_CLOCK
                 for line, call in machine_clock_reads(path.read_text())]
    assert offenders == [], ("read the time through network.core.time (now(), today()), which "
                             "the suite sets:\n" + "\n".join(offenders))


def test_every_test_starts_at_the_suites_moment(clock):
    assert abs(clock_module.now() - clock.start) < timedelta(minutes=1)
    clock.advance(days=400)
    assert clock_module.now() - clock.start > timedelta(days=399)


def test_a_test_that_moved_the_clock_leaves_the_next_one_at_the_suites_moment(clock):
    """Runs after the one above moved it by 400 days."""
    assert abs(clock_module.now() - clock.start) < timedelta(minutes=1)


def test_the_clock_runs_on_from_where_it_is_set():
    moment = datetime(2028, 2, 29, 23, 59, 59, tzinfo=UTC)
    clock_module.set_clock(moment)
    first, second = clock_module.now(), clock_module.now()
    assert moment <= first <= second < moment + timedelta(seconds=5)
    with pytest.raises(ValueError):
        clock_module.set_clock(datetime(2028, 2, 29))  # noqa: DTZ001 -- the mistake refused
