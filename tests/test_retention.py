"""Keep no more than needed (issue 24): login-limit hits, ended sessions, the addresses and
bodies of sent mail, emailed links, invitations, archive links and replies received are
removed (or blanked) by the daily retention job once their period is over, and kept before;
what is still in use is never touched."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from network.auth.models import AccountToken, LoginSession, Person, TokenPurpose
from network.core.jobs import JobRun
from network.core.mail import OutboxEmail
from network.core.throttle import ThrottleHit
from network.core.time import now
from network.extensions import db
from network.mailin.models import MailNotice, ReceivedMail
from network.members.models import Invitation
from network.privacy import retention
from network.privacy.models import DataExport
from tests.factories import make_invitation
from tests.test_cli import cli


def token() -> str:
    return secrets.token_hex(32)


def old_and_live(world) -> dict[str, list]:
    """Rows of every kind: those that will be old once their period is over ("ended") and
    those still in use however long one waits ("live")."""
    moment, far = now(), now() + timedelta(days=3650)
    member = world.member
    ended = {
        "hit": ThrottleHit(key=f"login:account:{member.email}", at=moment),
        "revoked": LoginSession(person_id=member.id, token_hash=token(), expires_at=far,
                                revoked_at=moment, ip="192.0.2.1", user_agent="Phone"),
        "expired": LoginSession(person_id=member.id, token_hash=token(), expires_at=moment),
        "sent": OutboxEmail(to_address=member.email, subject="Hello", body="Dear Mo",
                            html_body="<p>Dear Mo</p>", headers={"Reply-To": "r+x@example.org"},
                            sent_at=moment),
        "failed": OutboxEmail(to_address="gone@example.org", subject="Hello", body="Hi",
                              failed_at=moment, last_error="550 gone@example.org unknown"),
        "used": AccountToken(person_id=member.id, purpose=TokenPurpose.EMAIL_CHANGE,
                             token_hash=token(), new_email="mo.new@example.org",
                             expires_at=far, used_at=moment),
        "lapsed": AccountToken(person_id=member.id, purpose=TokenPurpose.PASSWORD_RESET,
                               token_hash=token(), expires_at=moment),
        "export": DataExport(person_id=member.id, token_hash=token(), expires_at=moment),
        "received": ReceivedMail(message_id="<1@example.org>", person_id=member.id,
                                 outcome="posted", received_at=moment),
        "notice": MailNotice(address="stranger@example.org", sent_at=moment),
    }
    live = {
        "session": LoginSession(person_id=member.id, token_hash=token(), expires_at=far),
        "pending": OutboxEmail(to_address=member.email, subject="Soon", body="Not yet"),
        "link": AccountToken(person_id=member.id, purpose=TokenPurpose.EMAIL_CHANGE,
                             token_hash=token(), new_email="mo.next@example.org",
                             expires_at=far),
        "export": DataExport(person_id=member.id, token_hash=token(), expires_at=far),
    }
    db.session.add_all([*ended.values(), *live.values()])
    db.session.commit()
    ended["invitation"], _ = make_invitation(world.org_a, "lapsed@example.org",
                                             expires_in=timedelta(days=1))
    live["invitation"], _ = make_invitation(world.org_a, "welcome@example.org",
                                            expires_in=timedelta(days=3650))
    return {"ended": ended, "live": live}


def ids(rows: dict) -> dict:
    return {name: (type(row), row.__mapper__.primary_key_from_instance(row))
            for name, row in rows.items()}


def present(found: dict) -> set[str]:
    db.session.expire_all()
    return {name for name, (model, key) in found.items() if db.session.get(model, key)}


def test_each_kind_goes_after_its_period_and_stays_before(app, world, clock):
    rows = old_and_live(world)
    ended, live = ids(rows["ended"]), ids(rows["live"])
    start = now()  # core.time: the pinned clock

    clock.set(start + timedelta(days=6, hours=23))  # within every period: nothing goes
    retention.remove_old()
    assert present(ended) == set(ended)

    clock.set(start + timedelta(days=7, hours=1))  # RETAIN_THROTTLE_DAYS
    assert retention.throttle_hits() >= 1
    assert present(ended) == set(ended) - {"hit"}

    clock.set(start + timedelta(days=29, hours=23))
    retention.remove_old()
    assert present(ended) == set(ended) - {"hit"}
    sent = db.session.get(OutboxEmail, ended["sent"][1])
    assert sent.to_address == world.member.email and sent.body == "Dear Mo"

    # RETAIN_MAIL_DAYS, RETAIN_TOKENS_DAYS (the invitation expired a day after it was sent)
    clock.set(start + timedelta(days=31, hours=1))
    counts = retention.remove_old()
    assert counts["sent emails"] >= 2 and counts["account links"] >= 2
    assert present(ended) == {"revoked", "expired", "sent", "failed"}
    for key in ("sent", "failed"):  # the row stays (when it went), blanked
        email = db.session.get(OutboxEmail, ended[key][1])
        assert (email.to_address, email.body, email.html_body, email.headers,
                email.last_error) == ("", "", None, {}, "")
        assert email.sent_at or email.failed_at
    assert retention.sent_mail() == 0  # blanked once

    clock.set(start + timedelta(days=90, hours=1))  # RETAIN_SESSIONS_DAYS
    counts = retention.remove_old()
    assert counts["ended sessions"] >= 2
    assert present(ended) == {"sent", "failed"}
    # What is in use stays, however old: a live session, mail not sent yet, a pending link
    # and invitation, an archive link that has not expired; and the person.
    assert present(live) == set(live)
    pending = db.session.get(OutboxEmail, live["pending"][1])
    assert pending.to_address == world.member.email and pending.body == "Not yet"
    assert db.session.get(Person, world.member.id).email == world.member.email
    assert retention.summary(retention.remove_old()) == "Nothing to remove."


def test_the_periods_are_settings(app, world, clock):
    rows = old_and_live(world)
    ended = ids(rows["ended"])
    app.config.update(RETAIN_THROTTLE_DAYS=1, RETAIN_SESSIONS_DAYS=2, RETAIN_MAIL_DAYS=3,
                      RETAIN_TOKENS_DAYS=3)
    try:
        clock.advance(days=2, hours=1)
        retention.remove_old()
        assert present(ended) == set(ended) - {"hit", "revoked", "expired"}
        clock.advance(days=2, hours=1)  # the invitation expired a day after it was sent
        retention.remove_old()
        assert present(ended) == {"sent", "failed"}
    finally:
        app.config.update(RETAIN_THROTTLE_DAYS=7, RETAIN_SESSIONS_DAYS=90, RETAIN_MAIL_DAYS=30,
                          RETAIN_TOKENS_DAYS=30)


def test_batches_are_bounded_and_all_go(app, world, clock, monkeypatch):
    monkeypatch.setattr(retention, "BATCH", 3)
    db.session.add_all(ThrottleHit(key=f"reset:address:192.0.2.{n}", at=now())
                       for n in range(8))
    db.session.commit()
    clock.advance(days=8)
    assert retention.throttle_hits() == 8
    assert db.session.scalars(select(ThrottleHit)).all() == []


def test_the_job_runs_once_a_day_through_flask_jobs_run(app, world, clock):
    assert cli(app, "jobs", "run").exit_code == 0  # Wednesday 10:00: seen, waits for 03:30
    assert "retention" in cli(app, "jobs", "list").output
    rows = old_and_live(world)
    ended = ids(rows["ended"])
    clock.set(datetime(2027, 2, 20, 3, 31, tzinfo=UTC))  # after each period (but sessions')
    result = cli(app, "jobs", "run")
    assert result.exit_code == 0, result.output
    [line] = [line for line in result.output.splitlines() if line.startswith("retention:")]
    assert "1 login-limit hits" in line and "2 sent emails" in line, line
    assert present(ended) == {"revoked", "expired", "sent", "failed"}
    [run] = db.session.scalars(select(JobRun).where(JobRun.job == "retention",
                                                    JobRun.detail != "")
                               .order_by(JobRun.id.desc()).limit(1))
    assert run.detail.startswith("Removed or blanked")
    db.session.add(ThrottleHit(key="login:address:192.0.2.9", at=now() - timedelta(days=8)))
    db.session.commit()
    clock.advance(hours=2)  # the same day: not again
    assert "retention" not in cli(app, "jobs", "run").output
    assert db.session.scalars(select(ThrottleHit)).all() != []
    clock.set(datetime(2027, 2, 21, 3, 31, tzinfo=UTC))  # the next night
    assert "retention: Removed or blanked 1 login-limit hits." in cli(app, "jobs", "run").output
    assert db.session.scalar(select(Invitation).where(
        Invitation.email == "welcome@example.org")) is not None
