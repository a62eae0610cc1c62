"""One line of cron (issue 23): `flask jobs run` each minute runs whatever is due, each job once
per due time however many runners there are; due times are the borough's wall-clock times;
a missed day runs once; a failing job is recorded and the others run; each worker's runner
(make run) starts and stops."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from network.bulletin.models import BulletinDelivery
from network.core import jobs
from network.core.jobs import Daily, Hourly, Job, JobRun, Outcome, Weekly, run_due
from network.core.mail import OutboxEmail
from network.extensions import db
from network.notify.models import Delivery, Notification
from tests.factories import make_event
from tests.test_bulletin import readers
from tests.test_calendar import answer, notifications
from tests.test_cli import cli

LONDON, WARSAW = ZoneInfo("Europe/London"), ZoneInfo("Europe/Warsaw")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_due_times_are_the_boroughs_wall_clock_across_the_clock_changes():
    seven = Daily(7)
    assert seven.latest(utc("2027-03-27 12:00"), LONDON) == utc("2027-03-27 07:00")  # GMT
    assert seven.latest(utc("2027-03-28 12:00"), LONDON) == utc("2027-03-28 06:00")  # BST
    assert seven.following(utc("2027-03-28 05:59"), LONDON) == utc("2027-03-28 06:00")
    monday = Weekly(0, 7)
    assert monday.latest(utc("2027-01-13 10:00"), LONDON) == utc("2027-01-11 07:00")
    assert monday.following(utc("2027-01-13 10:00"), LONDON) == utc("2027-01-18 07:00")
    assert str(monday) == "Mondays at 07:00" and str(Hourly(15)) == "hourly at :15"
    # The night the clocks go back, 01:15 comes twice: each is an hour's due time.
    hourly = Hourly(15)
    assert hourly.latest(utc("2026-10-25 00:20"), LONDON) == utc("2026-10-25 00:15")  # BST
    assert hourly.latest(utc("2026-10-25 01:20"), LONDON) == utc("2026-10-25 01:15")  # GMT
    assert hourly.following(utc("2026-10-25 00:15"), LONDON) == utc("2026-10-25 01:15")
    assert hourly.latest(utc("2026-10-25 01:14"), LONDON) == utc("2026-10-25 00:15")
    # Warsaw skips 02:00-03:00 in spring and repeats it in autumn: 02:30 runs once each day.
    night = Daily(2, 30)
    for day_before, day in (("2027-03-27", "2027-03-28"), ("2026-10-24", "2026-10-25")):
        after = night.following(utc(f"{day_before} 12:00"), WARSAW)
        assert after == night.latest(utc(f"{day} 12:00"), WARSAW)
        assert after.date().isoformat() == day
    assert night.latest(utc("2027-03-28 12:00"), WARSAW) == utc("2027-03-28 01:30")  # 03:30
    assert night.latest(utc("2026-10-25 12:00"), WARSAW) == utc("2026-10-25 00:30")  # first


class Counted:
    """A job's work that counts its runs; `fails` makes it raise."""

    def __init__(self, fails: str = "") -> None:
        self.runs = 0
        self.fails = fails
        self.lock = threading.Lock()

    def __call__(self) -> str:
        with self.lock:
            self.runs += 1
        if self.fails:
            raise RuntimeError(self.fails)
        return f"run {self.runs}"


def records(name: str) -> list[JobRun]:
    db.session.rollback()
    return list(db.session.scalars(select(JobRun).where(JobRun.job == name)
                                   .order_by(JobRun.due_at)))


def test_a_new_job_waits_and_a_missed_day_runs_once_for_the_latest_due_time(app, clock):
    work = Counted()
    job = Job("test-daily", lambda: Daily(7), work)
    assert run_due([job]) == [] and work.runs == 0  # first seen (Wednesday 10:00): waits
    clock.set(utc("2027-01-14 07:00:30"))
    [ran] = run_due([job])
    assert (ran.outcome, ran.due_at, ran.detail) == (Outcome.DONE, utc("2027-01-14 07:00"),
                                                      "run 1")
    assert run_due([job]) == [] and work.runs == 1  # the next minute: nothing due
    clock.set(utc("2027-01-17 10:00"))  # the server was down three days
    assert len(run_due([job])) == 1 and work.runs == 2
    assert [(r.outcome, r.due_at) for r in records("test-daily")] == [
        (Outcome.NEW, utc("2027-01-13 07:00")), (Outcome.DONE, utc("2027-01-14 07:00")),
        (Outcome.DONE, utc("2027-01-17 07:00"))]


def test_two_runners_at_once_run_a_job_once_per_due_time(app, clock):
    work = Counted()
    job = Job("test-hourly", lambda: Hourly(15), work)
    run_due([job])
    db.session.commit()
    for hour in range(1, 4):
        clock.set(utc(f"2027-01-13 {10 + hour}:15:01"))
        start = threading.Barrier(2)
        ran: list[list[int]] = []

        def runner(start=start, ran=ran) -> None:
            with app.app_context():
                try:
                    start.wait(timeout=30)
                    ran.append([run.id for run in run_due([job])])
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=runner) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(len(found) for found in ran) == [0, 1]
        assert work.runs == hour
    assert [r.outcome for r in records("test-hourly")] == [Outcome.NEW] + [Outcome.DONE] * 3


def test_a_failing_job_is_recorded_and_logged_and_the_others_run(app, clock, caplog):
    broken, fine = Counted(fails="the disk is full"), Counted()
    both = [Job("test-broken", lambda: Daily(7), broken), Job("test-fine", lambda: Daily(7),
                                                              fine)]
    run_due(both)
    clock.set(utc("2027-01-14 07:01"))
    ran = run_due(both)
    assert [(r.job, r.outcome) for r in ran] == [("test-broken", Outcome.FAILED),
                                                 ("test-fine", Outcome.DONE)]
    assert ran[0].detail == "RuntimeError: the disk is full" and ran[0].finished_at
    assert "Job test-broken failed" in caplog.text and "the disk is full" in caplog.text
    clock.advance(minutes=1)
    assert run_due(both) == [] and broken.runs == 1  # not retried for the same due time
    clock.set(utc("2027-01-15 07:01"))
    assert [r.job for r in run_due(both)] == ["test-broken", "test-fine"]  # the next day


def test_flask_jobs_run_queues_what_the_old_commands_did(app, client, world, login, mailbox,
                                                         clock):
    app.config["BULLETIN_WEEKDAY"] = "thursday"
    first = cli(app, "jobs", "run")  # Wednesday 10:00: every job seen for the first time
    assert first.exit_code == 0, first.output
    assert {r.outcome for r in db.session.scalars(select(JobRun))} == {Outcome.NEW}
    readers(world)
    db.session.add(Notification(person_id=world.other_member.id, kind="forum.reply",
                                subject="A reply", url="/forum/p/1", delivery=Delivery.DAILY))
    db.session.commit()
    event = make_event(world.org_a, world.contact, "Thursday evening",
                       starts_at=utc("2027-01-14 19:00"))
    login(world.member)
    answer(client, event, "going")
    clock.set(utc("2027-01-14 08:20"))  # Thursday: 03:30, 07:00, 07:30, 07:40, 08:00, 08:05, 08:15
    result = cli(app, "jobs", "run")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "digest-daily", "bulletin", "calendar-remind", "calendar-import", "board-remind",
        "representation-remind", "retention"]
    assert lines[0].startswith("digest-daily: Queued ")  # as `flask digest send daily`
    assert "bulletin: Issue 1: queued for 2 people (0 had it already)." in lines
    assert "calendar-remind: Queued 1 reminders." in lines
    assert len(notifications(world.member, "calendar.reminder")) == 1
    assert db.session.scalar(select(func.count()).select_from(BulletinDelivery)) == 2
    # ...and the outbox delivered, as `flask mail send` did.
    assert lines[-1].startswith("Sent ") and db.session.scalar(
        select(func.count()).where(OutboxEmail.sent_at.is_(None))) == 0
    assert any("daily summary" in m["Subject"] for m in mailbox.to(world.other_member.email))
    assert cli(app, "jobs", "run").output == ""  # a minute later: nothing due, nothing sent
    listed = cli(app, "jobs", "list").output
    assert "digest-daily           daily at 07:00       next 2027-01-15 07:00" in listed
    assert "digest-weekly          Mondays at 07:00     next 2027-01-18 07:00" in listed
    assert "backup                 off" in listed
    assert "last due 2027-01-14 07:30: done" in listed
    # Due and not yet run (the runner was stopped an hour): it says so, not the hour after.
    clock.set(utc("2027-01-14 09:20"))
    assert "calendar-remind        hourly at :15        next 2027-01-14 09:15" in cli(
        app, "jobs", "list").output


def test_the_backup_job_writes_to_backup_dir_and_keeps_its_days(app, clock, tmp_path):
    app.config.update(BACKUP_DIR=str(tmp_path), BACKUP_KEEP_DAYS=2)
    old, other = tmp_path / "network-2027-01-10.db", tmp_path / "notes-2027-01-01.txt"
    old.write_text("old")
    other.write_text("not ours")
    backup = jobs.JOBS["backup"]
    run_due([backup])
    clock.set(utc("2027-01-14 02:31"))
    [ran] = run_due([backup])
    assert ran.outcome is Outcome.DONE, ran.detail
    made = sorted(path.name for path in tmp_path.iterdir())
    assert made in (["network-2027-01-14.db", "notes-2027-01-01.txt"],
                    ["network-2027-01-14.dump", "notes-2027-01-01.txt"])
    assert "Removed 1 older than 2027-01-12" in ran.detail


def test_the_runner_in_each_worker_starts_only_when_set_and_stops(app, clock):
    assert jobs.start_runner(app) is None  # JOBS_IN_WORKERS is off but for make run
    app.config["JOBS_IN_WORKERS"] = True
    db.session.commit()
    thread = jobs.start_runner(app, every=3600)
    jobs.stop_runner(timeout=60)  # after its first pass, which runs at once
    assert not thread.is_alive()
    db.session.rollback()
    seen = set(db.session.scalars(select(JobRun.job)))
    assert seen == set(jobs.JOBS) - {"backup"}  # BACKUP_DIR is not set


@pytest.fixture(autouse=True)
def _no_runner_left():
    yield
    jobs.stop_runner(timeout=60)
