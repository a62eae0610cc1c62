"""`flask` commands: create-admin, demo load, mail send | receive | listen, digest send,
bulletin send, backup, restore, search rebuild, calendar remind | import, board remind,
representation remind, jobs run | list."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from network import tasks
from network.extensions import db


def init_app(app: Flask) -> None:
    app.cli.add_command(create_admin)
    app.cli.add_command(demo)
    app.cli.add_command(mail)
    app.cli.add_command(digest)
    app.cli.add_command(bulletin)
    app.cli.add_command(calendar)
    app.cli.add_command(board)
    app.cli.add_command(representation)
    app.cli.add_command(search)
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(jobs)


@click.command("create-admin")
@click.option("--email", prompt=True, help="The admin's email address, used to log in.")
@click.option("--name", prompt="Display name", help="The name other people see.")
@click.password_option(help="At least 10 characters; asked for if not given.")
@with_appcontext
def create_admin(email: str, name: str, password: str) -> None:
    """Create an admin account, or make an existing account an admin."""
    from network.auth.models import Person, Role
    from network.auth.passwords import hash_password, password_problem
    from network.auth.services import normalise_email
    from network.core import audit

    email = normalise_email(email)
    if problem := password_problem(password, email, name):
        raise click.ClickException(problem)
    person = db.session.scalar(select(Person).where(Person.email == email))
    if person is None:
        person = Person(email=email, display_name=name.strip()[:80])
        db.session.add(person)
    person.password_hash = hash_password(password)
    person.role = Role.ADMIN
    person.suspended_at = None
    db.session.flush()
    audit.record("person.role", person, "Made admin from the command line",
                 new="admin")
    db.session.commit()
    click.echo(f"{email} is an admin.")


@click.group()
def demo() -> None:
    """The demo borough."""


@demo.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing if anyone has an account already.")
@with_appcontext
def demo_load(if_empty: bool) -> None:
    """Load the fictional demo borough (never in production unless you ask)."""
    from network.auth.models import Person
    from network.core.mail import deliver_due
    from network.demo import DEMO_PASSWORD, load_demo

    if db.session.scalar(select(Person.id).limit(1)) is not None:
        if if_empty:
            click.echo("The database already has people in it; the demo borough was not loaded.")
            return
        raise click.ClickException("The database is not empty; the demo needs an empty one.")
    logins = load_demo()
    # Its mail goes now (to the log, with no MAIL_SERVER), so the logins below are the last
    # thing printed before `make run` starts the server.
    deliver_due()
    click.echo("\nThe demo borough is loaded. Log in as any of these, with the password "
               f"{DEMO_PASSWORD!r}:")
    for email, what in logins:
        click.echo(f"  {email:<34} {what}")
    click.echo("")


@click.group()
def mail() -> None:
    """The outbox of email."""


@mail.command("send")
@click.option("--every", type=int, default=0,
              help="Keep running, sending what is due every N seconds.")
@with_appcontext
def mail_send(every: int) -> None:
    """Deliver queued email that is due, retrying what failed before."""
    from network.core.mail import deliver_due

    while True:
        sent, failed = deliver_due()
        if sent or failed or not every:
            click.echo(f"Sent {sent}, failed {failed} (will retry).")
        if not every:
            return
        time.sleep(every)


# sysexits.h: what a mail server reads from a delivery command. EX_TEMPFAIL keeps the message
# queued and tries again later; EX_SOFTWARE returns it to its sender.
EX_TEMPFAIL = 75
EX_SOFTWARE = 70


@mail.command("receive")
@click.option("--sender", default=None, help="The envelope sender (Postfix: ${sender}); "
              "empty for a bounce.")
@click.option("--recipient", "recipients", multiple=True,
              help="The address it was delivered to (Postfix: ${original_recipient}).")
@with_appcontext
def mail_receive(sender: str | None, recipients: tuple[str, ...]) -> None:
    """Read one email (RFC 5322) on standard input: a reply posted, or explained, or nothing.
    Exits 0 when it is handled (posted or not), 75 when the database fails (the mail server
    tries again later)."""
    import sys

    from sqlalchemy.exc import SQLAlchemyError

    from network.mailin.receiving import handle

    raw = sys.stdin.buffer.read(current_limit() + 1)
    while sys.stdin.buffer.read(1 << 16):  # the rest of one too large, read to its end: a
        pass  # mail server whose pipe is closed early takes it for a failed delivery
    try:
        outcome = handle(raw, list(recipients), sender)
    except SQLAlchemyError as error:
        click.echo(f"Not handled, try again later: {type(error).__name__}", err=True)
        sys.exit(EX_TEMPFAIL)
    except Exception as error:  # noqa: BLE001 -- the mail server is told, the sender too
        click.echo(f"Could not be handled: {type(error).__name__}: {error}", err=True)
        sys.exit(EX_SOFTWARE)
    click.echo(outcome.value)


def current_limit() -> int:
    from flask import current_app

    return current_app.config["MAIL_IN_MAX_BYTES"]


@mail.command("listen")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=2525, show_default=True, type=int)
@click.option("--smtp", is_flag=True, help="Speak SMTP rather than LMTP.")
@with_appcontext
def mail_listen(host: str, port: int, smtp: bool) -> None:
    """Receive replies over LMTP (or SMTP) until stopped: for a mail server that relays them
    (Postfix: lmtp:inet:127.0.0.1:2525)."""
    import signal

    from flask import current_app

    from network.mailin.listener import ReplyListener

    stopping = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, stopping)  # for sigwait, here alone
    listener = ReplyListener(current_app._get_current_object(), host, port, lmtp=not smtp)
    listener.start()
    click.echo(f"Receiving replies over {'SMTP' if smtp else 'LMTP'} on {host}:{port}.")
    try:
        signal.sigwait(stopping)
    finally:
        listener.stop()


@click.group()
def digest() -> None:
    """Summaries of notifications, for people who chose them."""


@digest.command("send")
@click.argument("frequency", type=click.Choice(["daily", "weekly"]))
@with_appcontext
def digest_send(frequency: str) -> None:
    """Queue a summary email for everyone with unsent notifications of this frequency.

    `flask jobs run` does it at 07:00 (weekly: on Mondays); `flask mail send` delivers them.
    Links in the emails are on BASE_URL.
    """
    click.echo(tasks.digests(frequency))


@click.group()
def bulletin() -> None:
    """The weekly bulletin, for people who chose it."""


@bulletin.command("send")
@click.option("--force", is_flag=True, help="Send this week's issue on another day too.")
@with_appcontext
def bulletin_send(force: bool) -> None:
    """Queue this week's bulletin for everyone who chose it and has not had it.

    `flask jobs run` sends it at 07:30 on BULLETIN_WEEKDAY (Monday unless set). By hand, on
    other days it does nothing and says so (--force sends it). Safe to run twice, or again
    after being stopped: nobody gets an issue twice. `flask mail send` (or each worker's
    sender) delivers them.
    """
    from network.bulletin.services import WEEKDAYS, send

    try:
        result = send(force=force)
    except ValueError as error:
        raise click.ClickException(
            f"BULLETIN_WEEKDAY must be a day's name ({', '.join(WEEKDAYS)}).") from error
    if result.not_today:
        click.echo("Not the bulletin's day (BULLETIN_WEEKDAY): nothing sent. "
                   "--force sends this week's issue anyway.")
        return
    click.echo(f"Issue {result.issue.number}: queued for {result.sent} people"
               f" ({result.already} had it already).")


@click.group()
def calendar() -> None:
    """The shared calendar."""


@calendar.command("remind")
@with_appcontext
def calendar_remind() -> None:
    """Remind everyone going to something in the next 24 hours, once (`flask jobs run`
    does it hourly)."""
    click.echo(tasks.calendar_reminders())


@calendar.command("import")
@with_appcontext
def calendar_import() -> None:
    """Bring every calendar brought in up to date (`flask jobs run` does it hourly). Each
    address is fetched before its transaction begins, and each source is imported and
    committed on its own: one that fails keeps its events and its error, and the rest go on."""
    for line, failed in tasks.import_calendars():
        click.echo(line, err=failed)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Write a consistent copy of the database to PATH while the site keeps running."""
    from network.core.backup import BackupError, write_backup

    try:
        size = write_backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up to {path} ({size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore(path: Path, yes: bool) -> None:
    """Replace everything in the database with a copy `flask backup` made. What was written
    since the backup is lost; you are asked first unless --yes is given."""
    from network.core.backup import BackupError, check_backup, restore_backup

    where = db.engine.url.render_as_string(hide_password=True)
    try:
        check_backup(path)
        if not yes:
            click.confirm(f"Replace everything in {where} with {path}? Anything written since "
                          "the backup was made is lost.", abort=True)
        restore_backup(path)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {path} into {where}. If the backup is from an older version, "
               "run `flask db upgrade` now.")


@click.group()
def search() -> None:
    """Search."""


@search.command("rebuild")
@with_appcontext
def search_rebuild() -> None:
    """Write every search document afresh from what it is about: once after upgrading a
    database that held threads, events and the rest before search came (every change after
    keeps its document current by itself)."""
    from network.search.index import rebuild

    counts = rebuild()
    db.session.commit()
    click.echo("Search documents: " + ", ".join(f"{count} {kind}" for kind, count in
                                                counts.items()) + ".")


@click.group()
def board() -> None:
    """The sharing board."""


@board.command("remind")
@with_appcontext
def board_remind() -> None:
    """Tell people whose listings leave the board within a week, once (`flask jobs run`
    does it daily)."""
    click.echo(tasks.board_reminders())


@click.group()
def representation() -> None:
    """The bodies we sit on and the reports back from them."""


@representation.command("remind")
@with_appcontext
def representation_remind() -> None:
    """Remind representatives of reports overdue, then the coordinators, once
    (`flask jobs run` does it daily)."""
    click.echo(tasks.representation_reminders())


@click.group()
def jobs() -> None:
    """The scheduled jobs (network/tasks.py): digests, the bulletin, reminders, calendars
    brought in, the backup."""


@jobs.command("run")
@with_appcontext
def jobs_run() -> None:
    """Run every job that is due, once however many servers run this, then deliver the
    outbox (run it every minute: cron or a systemd timer). A job that fails is recorded and
    said here; the others run, and it runs again at its next due time (exit status 1)."""
    from network.core.jobs import Outcome, run_due
    from network.core.mail import deliver_due

    failed = False
    for run in run_due():
        failed |= run.outcome is Outcome.FAILED
        click.echo(f"{run.job}: {run.detail}", err=run.outcome is Outcome.FAILED)
    sent, not_sent = deliver_due()
    if sent or not_sent:
        click.echo(f"Sent {sent}, failed {not_sent} (will retry).")
    if failed:
        raise click.exceptions.Exit(1)


@jobs.command("list")
@with_appcontext
def jobs_list() -> None:
    """Each job: its schedule (the borough's time), its last run and its next due time."""
    from network.core.jobs import statuses
    from network.core.time import local

    def when(moment) -> str:
        return local(moment).strftime("%Y-%m-%d %H:%M") if moment else "-"

    for status in statuses():
        last = status.last
        schedule = status.schedule or ("unreadable" if status.problem else "off")
        click.echo(f"{status.job.name:<22} {str(schedule):<20} "
                   f"next {when(status.next_due)}")
        if status.problem:
            click.echo(f"    cannot run: {status.problem}")
        if last is None:
            click.echo("    never run")
        else:
            click.echo(f"    last due {when(last.due_at)}: {last.outcome.value}, started "
                       f"{when(last.started_at)}, finished {when(last.finished_at)}")
            if last.detail:
                click.echo(f"    {last.detail.splitlines()[0]}")
