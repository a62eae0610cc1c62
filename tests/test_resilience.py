"""PRODUCT.md, Safety and reliability: under mixed load on gunicorn, with a worker killed
mid-run, no 5xx, no lost or duplicated writes, and SQLite's integrity_check ok.

A real gunicorn on a real SQLite file; `python -m bench.resilience` is the longer run."""

from bench.resilience import run


def test_a_killed_worker_loses_no_acknowledged_write_and_causes_no_5xx():
    outcome = run(users=120, writers=30, seconds=6)

    assert outcome.killed_worker
    assert outcome.acknowledged, "no application was acknowledged: the load did not run"
    assert outcome.server_errors == 0, outcome.statuses
    assert outcome.lost == []
    assert outcome.duplicated == []
    assert outcome.integrity == "ok"
    # Nothing else was written: only what was sent, acknowledged or cut off.
    assert set(outcome.stored) <= {*outcome.acknowledged, *outcome.unanswered}
