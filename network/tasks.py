"""The borough's scheduled jobs, registered with core/jobs.py: what each does and when (in the
borough's time). `flask jobs run` (each minute) runs those due; the old commands (`flask digest
send`, `flask calendar remind`, ...) run the same functions by hand. Like the CLI, this sits
above every feature; only the CLI imports it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from flask import current_app

from network.core.jobs import Daily, Hourly, Weekly, register
from network.core.time import today
from network.extensions import db


def digests(frequency: str) -> str:
    """Queue a summary for everyone with unsent notifications of this frequency."""
    from network.notify.models import Delivery
    from network.notify.services import send_digests

    sent = send_digests(Delivery(frequency))
    return f"Queued {sent} {frequency} summaries."


def bulletin() -> str:
    """This week's bulletin to everyone who chose it and has not had it. The job is due on
    BULLETIN_WEEKDAY; run later (a server down that morning), it still sends that week's."""
    from network.bulletin.services import send

    result = send(force=True)
    return (f"Issue {result.issue.number}: queued for {result.sent} people"
            f" ({result.already} had it already).")


def bulletin_schedule() -> Daily:
    from network.bulletin.services import bulletin_day

    return Weekly(bulletin_day(), 7, 30)


def calendar_reminders() -> str:
    from network.calendar.attendance import send_reminders

    sent = send_reminders()
    db.session.commit()
    return f"Queued {sent} reminders."


def import_calendars() -> Iterator[tuple[str, bool]]:
    """Bring every calendar brought in up to date: (a line for each source, whether it
    failed). Each address is fetched before its transaction begins, and each source is
    imported and committed on its own: one that fails keeps its events and its error, and
    the rest go on."""
    from network.calendar import sources
    from network.calendar.fetching import FetchRefused, fetch
    from network.calendar.models import CalendarSource

    found = [(source.id, source.name, source.url) for source in sources.live_sources()]
    db.session.rollback()
    for source_id, name, url in found:
        body, refused = None, ""
        if url:
            try:
                body = fetch(url)
            except FetchRefused as refusal:
                refused = refusal.message
        source = db.session.get(CalendarSource, source_id)
        if source is None or source.removed_at is not None:  # removed meanwhile
            db.session.rollback()
            continue
        result = sources.import_source(source, body, refused=refused)
        db.session.commit()
        yield f"{name}: {sources.summary(result)}", bool(result.error)


def calendar_import() -> str:
    lines = [line for line, _failed in import_calendars()]
    return "\n".join(lines) or "No calendars brought in."


def board_reminders() -> str:
    from network.board.services import warn_expiring

    told = warn_expiring()
    db.session.commit()
    return f"Told {told} people of listings about to leave the board."


def representation_reminders() -> str:
    from network.representation.record import remind_overdue_reports

    told = remind_overdue_reports()
    db.session.commit()
    return f"Told {told} people of overdue reports."


# network-2027-01-13.db (SQLite) or .dump (pg_dump's custom format): the backup job's files,
# the only ones in BACKUP_DIR it removes.
BACKUP_NAME = re.compile(r"network-(\d{4}-\d{2}-\d{2})\.(db|dump)")


def backup_schedule() -> Daily | None:
    return Daily(2, 30) if current_app.config["BACKUP_DIR"] else None


def nightly_backup() -> str:
    """Today's copy into BACKUP_DIR, then those older than BACKUP_KEEP_DAYS removed."""
    from network.core.backup import suffix, write_backup

    folder = Path(current_app.config["BACKUP_DIR"])
    path = folder / f"network-{today().isoformat()}{suffix()}"
    said = (f"Backed up to {path} ({write_backup(path):,} bytes)." if not path.exists()
            else f"{path} is there already.")
    oldest = (today() - timedelta(days=current_app.config["BACKUP_KEEP_DAYS"])).isoformat()
    old = sorted(found for found in folder.iterdir()
                 if (name := BACKUP_NAME.fullmatch(found.name)) and name.group(1) < oldest)
    for found in old:
        found.unlink()
    return said + (f" Removed {len(old)} older than {oldest}." if old else "")


def retention() -> str:
    """What holds personal details and has no use any more, removed (RETAIN_* settings)."""
    from network.privacy.retention import remove_old, summary

    return summary(remove_old())


# The nine cron lines of before, as jobs (README: production).
register("digest-daily", Daily(7, 0), lambda: digests("daily"),
         "daily summaries of notifications")
register("digest-weekly", Weekly(0, 7, 0), lambda: digests("weekly"),
         "weekly summaries of notifications")
register("bulletin", bulletin_schedule, bulletin, "the weekly bulletin (BULLETIN_WEEKDAY)")
register("calendar-remind", Hourly(15), calendar_reminders,
         "reminders of events in the next 24 hours")
register("calendar-import", Hourly(40), calendar_import, "calendars brought in, updated")
register("board-remind", Daily(8, 0), board_reminders, "listings about to leave the board")
register("representation-remind", Daily(8, 5), representation_reminders,
         "report-backs overdue")
register("backup", backup_schedule, nightly_backup,
         "a copy of the database in BACKUP_DIR, kept BACKUP_KEEP_DAYS days")
register("retention", Daily(3, 30), retention,
         "old login-limit hits, sessions, mail, links removed (RETAIN_* days)")
