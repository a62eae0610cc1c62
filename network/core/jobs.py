"""Jobs that run on a schedule (digests, reminders, the bulletin, calendars brought in, the
backup): `flask jobs run` every minute, or each worker's runner, runs whatever is due.

Infrastructure, like the outbox: it imports no feature. The jobs themselves are registered
from above (network/tasks.py, imported by the CLI that create_app sets up).

- A due time is a wall-clock time in the borough (core/time.py), so 07:00 stays 07:00 when
  the clocks change; a time the change skips runs once, an hour late, and one it repeats
  runs once, the first time.
- Each job runs at most once per due time, however many runners there are: a `job_run` row,
  unique on (job, due time), is the claim, inserted before the job runs; the runner whose
  insert made the row runs it, the others go on.
- Only the latest due time is ever run: after a stop of hours or days a job runs once, for
  the last time it was due, never once for each time missed.
- A job seen for the first time waits for its next due time, as a new cron line would (so
  a weekly digest does not go out on the day it is deployed).
- A job that fails is recorded (its error) and logged, and the others run; it is not tried
  again for that due time: it runs at its next one (docs/decisions.md, 2026-12-06).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import String, UniqueConstraint, func, select
from sqlalchemy.orm import Mapped, mapped_column

from network.core.db import enum_type, insert_for
from network.core.time import borough_zone, now
from network.extensions import db

log = logging.getLogger("network.jobs")

DETAIL_LIMIT = 500  # JobRun.detail


class Outcome(StrEnum):
    NEW = "new"  # seen for the first time: not run, it waits for its next due time
    RUNNING = "running"  # claimed and started (still, or its runner was stopped mid-way)
    DONE = "done"
    FAILED = "failed"


class JobRun(db.Model):
    """One job at one due time: the claim that lets one runner alone run it, and the record
    of what happened (kept, so an admin can see when each job last ran and how)."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(40))
    due_at: Mapped[datetime]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[Outcome] = mapped_column(enum_type(Outcome))
    detail: Mapped[str] = mapped_column(String(DETAIL_LIMIT), default="")


# --- schedules: due times in the borough's wall time ------------------------------------------

class Schedule(Protocol):
    def latest(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The last due time at or before `moment` (UTC)."""

    def following(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first due time after `moment` (UTC)."""


@dataclass(frozen=True)
class Hourly:
    """Every hour at this minute past (every hour of a day the clocks change, too)."""

    minute: int

    def latest(self, moment: datetime, zone: ZoneInfo) -> datetime:
        # replace() keeps the local time's fold: in the hour the clocks go back, the second
        # 01:15 is a due time of its own.
        due = (moment.astimezone(zone).replace(minute=self.minute, second=0, microsecond=0)
               .astimezone(UTC))
        return due if due <= moment else due - timedelta(hours=1)

    def following(self, moment: datetime, zone: ZoneInfo) -> datetime:
        return self.latest(moment, zone) + timedelta(hours=1)

    def __str__(self) -> str:
        return f"hourly at :{self.minute:02d}"


DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays",
             "Sundays")


@dataclass(frozen=True)
class Daily:
    """Every day at this time in the borough, or one weekday (Monday 0) with `weekday`."""

    hour: int
    minute: int = 0
    weekday: int | None = None

    def _times(self, moment: datetime, zone: ZoneInfo) -> Iterator[datetime]:
        day = moment.astimezone(zone).date()
        for offset in range(-8, 9):
            date = day + timedelta(days=offset)
            if self.weekday is None or date.weekday() == self.weekday:
                # fold=0: a time the clocks skip is read with the offset before the change
                # (an hour late, once); a time they repeat is its first occurrence.
                yield datetime.combine(date, time(self.hour, self.minute),
                                       tzinfo=zone).astimezone(UTC)

    def latest(self, moment: datetime, zone: ZoneInfo) -> datetime:
        return max(due for due in self._times(moment, zone) if due <= moment)

    def following(self, moment: datetime, zone: ZoneInfo) -> datetime:
        return min(due for due in self._times(moment, zone) if due > moment)

    def __str__(self) -> str:
        days = "daily" if self.weekday is None else DAY_NAMES[self.weekday]
        return f"{days} at {self.hour:02d}:{self.minute:02d}"


def Weekly(weekday: int, hour: int, minute: int = 0) -> Daily:  # noqa: N802 -- reads as a type
    return Daily(hour, minute, weekday)


# --- the registry -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    name: str
    # The job's schedule, read when it is needed (a setting may decide it); None: off.
    schedule: Callable[[], Schedule | None]
    # Does the work in the app context and returns a line saying what it did. It may commit
    # (most services do); what it leaves uncommitted is committed after it.
    run: Callable[[], str]
    about: str = ""


JOBS: dict[str, Job] = {}


def register(name: str, schedule: Schedule | Callable[[], Schedule | None],
             run: Callable[[], str], about: str = "") -> Job:
    """Add a job (network/tasks.py registers the borough's). A name is registered once."""
    read = schedule if callable(schedule) else (lambda: schedule)
    job = Job(name, read, run, about)
    JOBS[name] = job
    return job


# --- running what is due ------------------------------------------------------------------------

def last_due() -> dict[str, datetime]:
    """Each job's latest due time claimed (run, running, failed or first seen)."""
    return dict(db.session.execute(select(JobRun.job, func.max(JobRun.due_at))
                                   .group_by(JobRun.job)).all())


def _claim(job: Job, due: datetime, outcome: Outcome) -> int | None:
    """Insert the (job, due time) row: its id if this runner made it, None if another did."""
    moment = now()
    values = {"job": job.name, "due_at": due, "started_at": moment, "outcome": outcome,
              "detail": ""}
    if outcome is Outcome.NEW:
        values.update(finished_at=moment, detail="First seen: runs from its next due time.")
    made = db.session.execute(
        insert_for(db.engine, JobRun.__table__).values(values)
        .on_conflict_do_nothing(index_elements=["job", "due_at"]).returning(JobRun.id))
    run_id = made.scalar()
    db.session.commit()
    return run_id


def _run(job: Job, run_id: int) -> JobRun:
    try:
        detail, outcome = job.run(), Outcome.DONE
        db.session.commit()
    except Exception as error:  # noqa: BLE001 -- recorded against this job; the rest run
        db.session.rollback()
        detail, outcome = f"{type(error).__name__}: {error}", Outcome.FAILED
        log.exception("Job %s failed; it runs again at its next due time", job.name)
    record = db.session.get(JobRun, run_id)
    record.finished_at = now()
    record.outcome = outcome
    record.detail = (detail or "")[:DETAIL_LIMIT]
    db.session.commit()
    return record


def run_due(jobs: Iterable[Job] | None = None) -> list[JobRun]:
    """Run each job that is due and not yet claimed for its latest due time, one after the
    other; returns the records of those this runner ran (done or failed). Safe to run from
    any number of processes at once."""
    moment, zone = now(), borough_zone()
    jobs = list(JOBS.values() if jobs is None else jobs)
    claimed = last_due()
    db.session.commit()
    ran = []
    for job in jobs:
        try:
            schedule = job.schedule()
            if schedule is None:
                continue
            due = schedule.latest(moment, zone)
            if claimed.get(job.name) is not None and claimed[job.name] >= due:
                continue
            first = job.name not in claimed
            run_id = _claim(job, due, Outcome.NEW if first else Outcome.RUNNING)
            if run_id is None or first:
                continue
            log.info("Job %s (due %s) started", job.name, due.isoformat())
            ran.append(_run(job, run_id))
        except Exception:  # the schedule or the record: this job's alone
            db.session.rollback()
            log.exception("Job %s could not be run", job.name)
    return ran


@dataclass(frozen=True)
class Status:
    job: Job
    schedule: Schedule | None
    last: JobRun | None
    next_due: datetime | None
    problem: str = ""  # its schedule could not be read (a setting): why


def statuses() -> list[Status]:
    """Each job, its schedule, its last record and its next due time (`flask jobs list`)."""
    moment, zone = now(), borough_zone()
    latest = (select(JobRun.job, func.max(JobRun.due_at).label("due_at"))
              .group_by(JobRun.job).subquery())
    last = {run.job: run for run in db.session.scalars(select(JobRun).join(
        latest, (JobRun.job == latest.c.job) & (JobRun.due_at == latest.c.due_at)))}
    found = []
    for job in JOBS.values():
        try:
            schedule = job.schedule()
        except Exception as error:  # noqa: BLE001 -- said in the list, beside the job
            found.append(Status(job, None, last.get(job.name), None,
                                f"{type(error).__name__}: {error}"))
            continue
        found.append(Status(job, schedule, last.get(job.name),
                            next_due(schedule, last.get(job.name), moment, zone)))
    return found


def next_due(schedule: Schedule | None, last: JobRun | None, moment: datetime,
             zone: ZoneInfo) -> datetime | None:
    """When the job runs next: its latest due time if that has not been claimed yet (it is
    due now, after a stop too), else the one after. A job never seen waits for the next."""
    if schedule is None:
        return None
    due = schedule.latest(moment, zone)
    if last is not None and last.due_at < due:
        return due
    return schedule.following(moment, zone)


# --- the runner: each gunicorn worker runs what is due once a minute (make run) ---------------

_stop_running = threading.Event()
_runners: list[threading.Thread] = []


def start_runner(app, every: float | None = None) -> threading.Thread | None:
    """Run what is due now, then every JOBS_EVERY seconds, on a thread of this process
    (gunicorn.conf.py, when JOBS_IN_WORKERS is set, as `make run` does). None when it is
    not set: in production one `flask jobs run` a minute (cron or a systemd timer) runs them,
    in a process of its own."""
    if not app.config["JOBS_IN_WORKERS"]:
        return None
    every = app.config["JOBS_EVERY"] if every is None else every
    _stop_running.clear()

    def run() -> None:
        while True:
            with app.app_context():
                try:
                    run_due()
                except Exception:
                    log.exception("Running the jobs failed; trying again in %ss", every)
                finally:
                    db.session.remove()
            if _stop_running.wait(every):
                return

    thread = threading.Thread(target=run, name="jobs-runner", daemon=True)
    _runners.append(thread)
    thread.start()
    return thread


def stop_runner(timeout: float | None = None) -> None:
    """Let the runner finish the job in hand and stop (a worker shutting down)."""
    _stop_running.set()
    for thread in _runners:
        thread.join(timeout)
    _runners.clear()
