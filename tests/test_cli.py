"""The `flask` commands: create-admin, demo load, mail send, backup (restore: test_backup.py)."""

from __future__ import annotations

import contextvars
import shutil
import sqlite3

import pytest
from sqlalchemy import func, select

from network import create_app
from network.auth.models import Person, Role
from network.auth.passwords import verify_password
from network.config import TestConfig
from network.core.mail import OutboxEmail
from network.extensions import db
from network.members.models import Organisation, OrgStatus
from tests.conftest import IN_CI


def cli(app, *args, input=None):
    db.session.rollback()
    runner = app.test_cli_runner()
    return contextvars.Context().run(runner.invoke, args=list(args), input=input)


def test_create_admin_makes_a_new_admin_who_can_log_in(app, client):
    result = cli(app, "create-admin", "--email", "Boss@Example.org", "--name", "Bea Boss",
                 input="lighthouse keeper 42\nlighthouse keeper 42\n")
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person).where(Person.email == "boss@example.org"))
    assert person.role == Role.ADMIN and verify_password(person.password_hash,
                                                         "lighthouse keeper 42")
    assert client.post("/login", data={"email": "boss@example.org",
                                       "password": "lighthouse keeper 42"}).status_code == 303


def test_create_admin_refuses_a_weak_password(app):
    result = cli(app, "create-admin", "--email", "boss@example.org", "--name", "Bea",
                 input="password123\npassword123\n")
    assert result.exit_code != 0
    assert "most common passwords" in result.output
    assert db.session.scalar(select(Person)) is None


def test_demo_load_fills_an_empty_database_once(app, client, mailbox):
    result = cli(app, "demo", "load", "--if-empty")
    assert result.exit_code == 0, result.output
    # Its mail is delivered as it loads, before the logins are printed (make run).
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)) >= 20
    assert db.session.scalar(select(func.count()).select_from(OutboxEmail)
                             .where(OutboxEmail.sent_at.is_(None))) == 0
    assert len(mailbox.messages) >= 20
    assert "coordinator@example.org" in result.output and "riverside-partnership" in result.output
    live = db.session.scalar(select(func.count()).select_from(Organisation)
                             .where(Organisation.status == OrgStatus.APPROVED))
    assert live >= 7
    again = cli(app, "demo", "load", "--if-empty")
    assert again.exit_code == 0 and "was not loaded" in again.output
    assert cli(app, "demo", "load").exit_code != 0
    assert client.post("/login", data={"email": "pat@example.org",
                                       "password": "riverside-partnership"}).status_code == 303


def test_mail_send_delivers_the_outbox(app, client, world, mailbox):
    client.post("/password/forgot", data={"email": world.member.email})
    result = cli(app, "mail", "send")
    assert result.exit_code == 0 and "Sent 1" in result.output
    assert mailbox.last_to(world.member.email)
    assert db.session.scalar(select(OutboxEmail.sent_at)) is not None


def test_backup_is_a_consistent_copy_that_restores(app, world, tmp_path, database_url):
    if not database_url.startswith("sqlite"):
        if not shutil.which("pg_dump"):
            if IN_CI:
                pytest.fail("CI=true but pg_dump is not installed (postgresql-client): the "
                            "PostgreSQL backup must be tested in CI.", pytrace=False)
            pytest.skip("PostgreSQL backup skipped: pg_dump is not installed "
                        "(apt-get install postgresql-client)")
        result = cli(app, "backup", str(tmp_path / "network.dump"))
        assert result.exit_code == 0, result.output
        assert (tmp_path / "network.dump").read_bytes().startswith(b"PGDMP")
        assert (tmp_path / "network.dump").stat().st_mode & 0o777 == 0o600  # its owner's alone
        return
    target = tmp_path / "backups" / "network-backup.db"
    result = cli(app, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert cli(app, "backup", str(target)).exit_code != 0  # never overwrites
    assert target.stat().st_mode & 0o777 == 0o600  # everyone's data: readable by its owner alone
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # The backup is a SQLite database the app runs on as it is, with everything there
    # (`flask restore` puts one back in place: tests/test_backup.py).
    restored = tmp_path / "restored.db"
    shutil.copy(target, restored)
    restored_app = create_app(TestConfig(f"sqlite:///{restored}"))
    with restored_app.app_context():
        names = set(db.session.scalars(select(Person.email)))
        assert {"member@example.org", "coordinator@example.org"} <= names
        assert db.session.scalar(select(func.count()).select_from(Organisation)) == 3
        db.engine.dispose()


def test_the_readmes_demo_commands_say_the_base_url_they_need():
    """`make run` sets BASE_URL for its server only; a `flask` command the README gives for the
    demo, typed as written, stopped at "Set BASE_URL" (a traceback) without it."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    demo = readme.split("## Try it", 1)[1].split("\n## ", 1)[0]
    commands = [line for line in demo.splitlines() if ".venv/bin/flask" in line]
    assert commands, "the demo's flask commands moved: look again"
    for line in commands:
        assert "BASE_URL=" in line.split(".venv/bin/flask")[0], line


def test_the_readmes_server_install_compiles_the_translations():
    """The compiled catalogues (*.mo) are not in git, and a language is offered only when its
    catalogue is compiled: installed as the README said, the server spoke English alone."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    [install] = [line for line in readme.splitlines()
                 if "sudo -u network make" in line]
    assert "translations" in install.split("#")[0].split(), install
