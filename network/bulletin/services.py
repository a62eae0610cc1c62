"""Building an issue and sending it, one person per transaction: each person's delivery row
is written with their email, so a second run, or a run after one killed half-way, sends
nobody an issue twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from network.auth.models import Person
from network.bulletin import reads
from network.bulletin.models import BulletinDelivery, BulletinIssue
from network.core.db import insert_for
from network.core.i18n import in_locale, recipient_locale
from network.core.links import absolute_url
from network.core.mail import queue_email
from network.core.time import now, today
from network.extensions import db
from network.notify.services import subscribers, unsubscribe_headers, unsubscribe_url

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
KIND = "bulletin"  # notify.services.SUBSCRIPTIONS


def issue_for(week: date) -> BulletinIssue:
    """The week's issue, built now if it is not yet (numbered after the last); committed.
    Two runs at once make one: the week is unique, and the loser reads the winner's."""
    found = db.session.scalar(select(BulletinIssue).where(BulletinIssue.week == week))
    if found is not None:
        return found
    db.session.execute(insert_for(db.engine, BulletinIssue).values(
        week=week, number=reads.next_number(), built_at=now())
        .on_conflict_do_nothing())
    db.session.commit()
    return db.session.scalar(select(BulletinIssue).where(BulletinIssue.week == week))


def deliver(issue: BulletinIssue, person: Person) -> bool:
    """Queue the issue for one person, in one transaction with the row that says it was;
    False (and nothing written) if they had it already. The caller commits."""
    claimed = db.session.execute(insert_for(db.engine, BulletinDelivery).values(
        issue_id=issue.id, person_id=person.id, queued_at=now())
        .on_conflict_do_nothing(index_elements=["issue_id", "person_id"])
        .returning(BulletinDelivery.id)).scalar()
    if claimed is None:
        return False
    locale = recipient_locale(person)
    with in_locale(locale):  # the contents' dates and headings in their language too
        contents = reads.contents(person, issue.week)
    email = queue_email(
        person.email, _l("%(site)s: the weekly bulletin, number %(number)d",
                         site=current_app.config["SITE_NAME"], number=issue.number),
        "email/bulletin.txt", html_template="email/bulletin.html", locale=locale,
        headers=unsubscribe_headers(person, KIND), person=person, issue=issue, c=contents,
        absolute=absolute_url, page=absolute_url("bulletin.issue", number=issue.number),
        unsubscribe=unsubscribe_url(person, KIND), settings=absolute_url("notify.settings"))
    db.session.flush()
    db.session.get(BulletinDelivery, claimed).email_id = email.id
    return True


@dataclass
class Sent:
    issue: BulletinIssue | None
    sent: int = 0
    already: int = 0
    not_today: bool = False


def bulletin_day() -> int:
    """The network's weekday for the bulletin (BULLETIN_WEEKDAY, a name; Monday unless
    said), as Python counts them (Monday 0)."""
    return WEEKDAYS.index(str(current_app.config["BULLETIN_WEEKDAY"]).strip().lower())


def send(force: bool = False, stop_after: int | None = None) -> Sent:
    """This week's issue to everyone who chose it and has not had it, one commit each.
    On another day than the network's, nothing (unless forced). stop_after: stop after so
    many people (how a test plays a run killed half-way)."""
    if today().weekday() != bulletin_day() and not force:
        return Sent(issue=None, not_today=True)
    issue = issue_for(reads.this_week())
    result = Sent(issue=issue)
    people = db.session.scalars(select(Person.id).where(
        subscribers(KIND), Person.suspended_at.is_(None)).order_by(Person.id)).all()
    db.session.commit()
    for person_id in people:
        if stop_after is not None and result.sent >= stop_after:
            break
        person = db.session.get(Person, person_id)
        if deliver(issue, person):
            db.session.commit()
            result.sent += 1
        else:
            db.session.rollback()
            result.already += 1
    return result
