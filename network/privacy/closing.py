"""Closing an account, by its person (with their password) or for them by a coordinator (a
request by letter): one transaction that logs them out everywhere, ends their memberships,
deletes what was only about them, keeps what they wrote as by "a former member" (or, with
CLOSED_ACCOUNT_TEXT = "remove", its text replaced by a marker), erases their name and address
wherever the network wrote them, records it without them, and queues a last email that is
erased once sent. What is kept and what deleted, and why: docs/decisions.md (2026-12-06).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from network.auth.models import AccountToken, LoginSession, Person
from network.auth.passwords import hash_password, verify_password
from network.board.models import Message
from network.bulletin.models import BulletinDelivery
from network.calendar import attendance
from network.calendar.models import Answer, FeedKey, Follow, Rsvp
from network.core import audit
from network.core.forms import Refused
from network.core.i18n import recipient_locale
from network.core.mail import ERASE_WHEN_SENT, queue_email
from network.core.time import now, today
from network.core.tokens import new_token
from network.extensions import db
from network.forum.models import Post, PostingPause, PostRevision, ThreadRead, ThreadWatch
from network.home.models import Visit
from network.mailin.models import ReceivedMail
from network.members.models import Membership, Organisation, OrgStatus
from network.notify.models import Notification, NotificationSetting
from network.privacy.models import DataExport
from network.privacy.scrub import placeholder, scrub_everywhere
from network.representation.models import (
    ItemSupport,
    Report,
    ReportRead,
    ReportRevision,
    Response,
    Seat,
    Term,
)

# What "remove" leaves in place of a closed account's words (stored: the same in every
# language, as the text it replaces was).
REMOVED = "(removed when the account was closed)"

# Rows that were only about them: deleted (docs/decisions.md). Their answers to upcoming
# events give up their places first (_give_up_places).
ONLY_ABOUT_THEM = (Rsvp, Follow, FeedKey, ThreadRead, ThreadWatch, PostingPause, ItemSupport,
                   ReportRead, Notification, NotificationSetting, Visit, BulletinDelivery,
                   DataExport, LoginSession)


def removes_text() -> bool:
    """CLOSED_ACCOUNT_TEXT: "remove" replaces the text of what they wrote; else it stays."""
    return current_app.config.get("CLOSED_ACCOUNT_TEXT") == "remove"


def last_contact_of(person: Person) -> list[Organisation]:
    """The organisations that would be left without a contact: those they alone are the
    contact of, that are members of the network or still have other people in them."""
    mine = list(db.session.scalars(
        select(Membership).where(Membership.person_id == person.id,
                                 Membership.left_at.is_(None), Membership.is_contact)))
    stuck = []
    for membership in mine:
        others = db.session.execute(
            select(func.count(), func.count().filter(Membership.is_contact))
            .where(Membership.organisation_id == membership.organisation_id,
                   Membership.left_at.is_(None), Membership.person_id != person.id)).one()
        people, contacts = others
        organisation = membership.organisation
        if contacts == 0 and (people > 0 or organisation.status == OrgStatus.APPROVED):
            stuck.append(organisation)
    return sorted(stuck, key=lambda org: org.name)


def hand_over_first(organisations: list[Organisation]) -> Refused:
    """The refusal: which organisations need another contact (the page links their people
    pages, where a contact makes someone else one)."""
    return Refused(_("This account is the only contact of %(organisations)s. Hand over to "
                     "someone else first: make another person a contact there.",
                     organisations=", ".join(org.name for org in organisations)))


def close_own_account(person: Person, password: str) -> bool:
    """The person closes their own account, after typing their password."""
    if not verify_password(person.password_hash, password or ""):
        raise Refused(_("That is not your current password."), "password")
    return close_account(person, person)


def close_account(person: Person, by: Person, reference: str = "") -> bool:
    """Close the account; False, and nothing written or sent, when it is closed already.
    Refused while it is the last contact of an organisation that still needs one."""
    if person.closed_at is not None:
        return False
    stuck = last_contact_of(person)
    if stuck:
        raise hand_over_first(stuck)
    old_name, old_email = person.display_name, person.email
    locale = recipient_locale(person)
    moment = now()
    _end_logins(person)
    db.session.execute(update(Membership).where(
        Membership.person_id == person.id, Membership.left_at.is_(None)).values(
        left_at=moment, is_contact=False))
    _give_up_places(person)
    _leave_seats(person, by)
    for model in ONLY_ABOUT_THEM:
        db.session.execute(delete(model).where(model.person_id == person.id))
    db.session.execute(update(ReceivedMail).where(ReceivedMail.person_id == person.id)
                       .values(person_id=None))
    db.session.execute(update(audit.AuditEntry).where(
        audit.AuditEntry.actor_id == person.id).values(ip=None))
    removed = removes_text()
    if removed:
        _remove_text(person)
    scrub_everywhere(person, old_name, old_email)
    person.email = placeholder(person.id)
    person.display_name = ""
    person.password_hash = "!" + hash_password(new_token()[0])  # "!": never a valid hash
    person.locale = None
    person.show_email_to_members = False
    person.name_public = False
    person.suspended_reason = None
    person.closed_at = moment
    entry = audit.record("person.close", person, "Account closed", actor=by,
                         **({"reference": reference} if reference else {}))
    if by.id == person.id:
        entry.ip = None  # where they were is theirs too
    queue_email(old_email, _l("Your account on %(site)s is closed",
                              site=current_app.config["SITE_NAME"]),
                "email/account_closed.txt", headers={ERASE_WHEN_SENT: True}, locale=locale,
                name=old_name, by_coordinator=by.id != person.id, removed=removed)
    return True


def _end_logins(person: Person) -> None:
    """Every session ends (its row, with where it came from, deleted with the rest), every
    emailed link is cancelled and forgets the new address it carried, and every
    reply-by-email address stops working."""
    db.session.execute(update(AccountToken).where(
        AccountToken.person_id == person.id, AccountToken.used_at.is_(None),
        AccountToken.cancelled_at.is_(None)).values(cancelled_at=now()))
    db.session.execute(update(AccountToken).where(AccountToken.person_id == person.id)
                       .values(new_email=None))
    person.reply_generation += 1


def _give_up_places(person: Person) -> None:
    """Their places at upcoming events go to whoever waits, as if they had said no."""
    moment = now()
    going = list(db.session.scalars(select(Rsvp).where(
        Rsvp.person_id == person.id, Rsvp.answer == Answer.GOING, Rsvp.waiting.is_(False),
        Rsvp.occurrence_start > moment)))
    for row in going:
        if row.event.capacity is None:
            continue
        try:
            attendance.answer(row.event, row.occurrence_start, person, Answer.NOT_GOING)
        except Refused:
            continue  # cancelled, or no longer asking: no place to give


def seats_held(person: Person) -> list[str]:
    """The titles of the seats they hold now or will (the page says those terms end)."""
    return sorted(set(db.session.scalars(select(Seat.title).join(Term.seat).where(
        Term.holder_id == person.id, Term.ends_on >= today()))))


def _leave_seats(person: Person, by: Person) -> None:
    """A seat is not left held by "a former member": a term they hold ends today (one not
    begun yet goes), and they are no one's deputy. The seat shows no holder until the
    coordinators add the next term."""
    day = today()
    for term in db.session.scalars(select(Term).where(Term.holder_id == person.id,
                                                      Term.ends_on >= day)):
        if term.starts_on > day:
            audit.record("seat.term.remove", term, "A term not begun removed: its holder's "
                         "account was closed", actor=by, seat=term.seat_id)
            db.session.delete(term)
        elif term.ends_on > day:
            audit.record("seat.term.edit", term, "A term ended: its holder's account was "
                         "closed", actor=by, ends_on=[term.ends_on.isoformat(), day.isoformat()])
            term.ends_on = day
    db.session.execute(update(Term).where(Term.deputy_id == person.id, Term.ends_on >= day)
                       .values(deputy_id=None))


def _remove_text(person: Person) -> None:
    """CLOSED_ACCOUNT_TEXT = "remove": their words replaced by REMOVED, earlier versions
    too; the rows stay, so a thread or a report still reads in order. Through the ORM, so
    search forgets the words with them."""
    posts = list(db.session.scalars(select(Post).where(Post.author_id == person.id)))
    for post in posts:
        post.body = REMOVED
    post_ids = [post.id for post in posts]
    for revision in _in(PostRevision, PostRevision.post_id, post_ids):
        revision.body = REMOVED
    for model in (Response, Message):
        for row in db.session.scalars(select(model).where(model.author_id == person.id)):
            row.body = REMOVED
    reports = list(db.session.scalars(select(Report).where(Report.author_id == person.id)))
    for report in reports:
        report.summary, report.decisions, report.said = REMOVED, "", ""
    for revision in _in(ReportRevision, ReportRevision.report_id, [r.id for r in reports]):
        revision.summary, revision.decisions, revision.said = REMOVED, "", ""


def _in(model, column, ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield from db.session.scalars(select(model).where(column.in_(ids[start:start + size])))
