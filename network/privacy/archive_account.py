"""A person's account, for their archive: profile.json (profile and settings) and the files
about the account itself: memberships, applications, notifications, email, sessions (never
their token), emailed links, audit entries, replies by email and the archives asked for."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from network.auth.models import AccountToken, LoginSession, Person
from network.bulletin.models import BulletinDelivery, BulletinIssue
from network.calendar.models import FeedKey
from network.core.audit import AuditEntry
from network.core.links import absolute
from network.core.mail import OutboxEmail
from network.extensions import db
from network.forum.models import PostingPause
from network.home.models import Visit
from network.mailin.models import ReceivedMail
from network.members.models import Application, Invitation, Membership, Organisation
from network.notify.models import Notification, NotificationSetting
from network.notify.services import KINDS, SUBSCRIPTIONS, delivery_for, subscribed
from network.privacy.archive_contents import archive_file, stream, value
from network.privacy.models import DataExport, PrivacyNotice

PROFILE_ABOUT = _l(
    "Your profile and settings: name, email address, role, language, whether members see your "
    "email address and visitors your name, when you joined and last logged in, how you hear of "
    "each kind of notification, the bulletin, any pause on your posting, your last visit to "
    "the home page, and when you last reset your calendar feed's address.")


def moment(each) -> str | None:
    """A time as JSON gives it: as in the CSV files (the borough's time), or null."""
    return None if each is None else value(each)


def profile(person: Person) -> dict[str, Any]:
    """What profile.json holds: the person's row (but its secrets) and their settings."""
    pauses = db.session.execute(select(PostingPause.reason, PostingPause.until,
                                       PostingPause.created_at, PostingPause.lifted_at)
                                .where(PostingPause.person_id == person.id)
                                .order_by(PostingPause.id)).all()
    visit = db.session.get(Visit, person.id)
    feed = db.session.get(FeedKey, person.id)
    return {
        "name": person.display_name,
        "email": person.email,
        "role": person.role.value,
        "language": person.locale,
        "show_email_to_members": person.show_email_to_members,
        "name_public": person.name_public,
        "created_at": moment(person.created_at),
        "last_login_at": moment(person.last_login_at),
        "suspended_at": moment(person.suspended_at),
        "suspended_reason": person.suspended_reason,
        "notifications": {kind: delivery_for(person, kind).value for kind in KINDS},
        "letters": {kind: subscribed(person, kind) for kind in SUBSCRIPTIONS},
        "notification_settings_chosen": {
            kind: delivery.value for kind, delivery in db.session.execute(
                select(NotificationSetting.kind, NotificationSetting.delivery)
                .where(NotificationSetting.person_id == person.id)
                .order_by(NotificationSetting.kind))},
        "posting_pauses": [{"reason": reason, "until": moment(until),
                            "created_at": moment(created), "lifted_at": moment(lifted)}
                           for reason, until, created, lifted in pauses],
        "home_page_visit": None if visit is None else {
            "started_at": moment(visit.started_at), "seen_at": moment(visit.seen_at),
            "previous_visit_ended_at": moment(visit.since)},
        "calendar_feed_address_reset_at": moment(feed.reset_at) if feed else None,
    }


@archive_file("memberships.csv",
              _l("The organisations you belong or belonged to: whether you are one of their "
                 "contacts, when you joined and left, and whether someone else removed you."),
              "organisation", "contact", "joined_at", "left_at", "removed_by_someone_else")
def memberships(person_id: int):
    for name, contact, joined, left, removed_by in stream(
            select(Organisation.name, Membership.is_contact, Membership.joined_at,
                   Membership.left_at, Membership.removed_by_id)
            .join(Organisation, Organisation.id == Membership.organisation_id)
            .where(Membership.person_id == person_id).order_by(Membership.id)):
        yield name, contact, joined, left, removed_by is not None and removed_by != person_id


@archive_file("applications.csv",
              _l("The applications you made for an organisation to join the network, and the "
                 "decision with its reason."),
              "organisation", "contact_name", "contact_email", "submitted_at", "decided_at",
              "decision_reason", "organisation_status", "message")
def applications(person_id: int):
    yield from stream(select(Organisation.name, Application.contact_name,
                             Application.contact_email, Application.submitted_at,
                             Application.decided_at, Application.decision_reason,
                             Organisation.status, Application.message)
                      .join(Organisation, Organisation.id == Application.organisation_id)
                      .where(Application.applicant_id == person_id).order_by(Application.id))


@archive_file("invitations_sent.csv",
              _l("The invitations to join an organisation you sent, and what became of them "
                 "(without the invited person's name and address: theirs)."),
              "organisation", "as_contact", "created_at", "expires_at", "accepted_at",
              "cancelled_at")
def invitations_sent(person_id: int):
    yield from stream(select(Organisation.name, Invitation.as_contact, Invitation.created_at,
                             Invitation.expires_at, Invitation.accepted_at,
                             Invitation.cancelled_at)
                      .join(Organisation, Organisation.id == Invitation.organisation_id)
                      .where(Invitation.invited_by_id == person_id).order_by(Invitation.id))


@archive_file("notifications.csv",
              _l("Your notifications: what each said, its link, when it came, when you read "
                 "it and whether it was emailed."),
              "kind", "subject", "link", "created_at", "read_at", "delivery", "emailed_at",
              "detail")
def notifications(person_id: int):
    for kind, subject, url, *rest in stream(
            select(Notification.kind, Notification.subject, Notification.url,
                   Notification.created_at, Notification.read_at, Notification.delivery,
                   Notification.emailed_at, Notification.detail)
            .where(Notification.person_id == person_id).order_by(Notification.id)):
        yield kind, subject, absolute(url) if url.startswith("/") else url, *rest


@archive_file("bulletins.csv",
              _l("The issues of the weekly bulletin sent to you."),
              "number", "week", "sent_at")
def bulletins(person_id: int):
    yield from stream(select(BulletinIssue.number, BulletinIssue.week,
                             BulletinDelivery.queued_at)
                      .join(BulletinIssue, BulletinIssue.id == BulletinDelivery.issue_id)
                      .where(BulletinDelivery.person_id == person_id)
                      .order_by(BulletinDelivery.id))


@archive_file("emails.csv",
              _l("The email we sent to your present address: subjects and times (not their "
                 "text: you have it, and notifications.csv holds what it said)."),
              "subject", "created_at", "sent_at", "failed_at")
def emails(person_id: int):
    email = select(Person.email).where(Person.id == person_id).scalar_subquery()
    yield from stream(select(OutboxEmail.subject, OutboxEmail.created_at, OutboxEmail.sent_at,
                             OutboxEmail.failed_at)
                      .where(OutboxEmail.to_address == email).order_by(OutboxEmail.id))


@archive_file("sessions.csv",
              _l("Your logins: each device's session, when it began and ends or was ended, "
                 "and the address and browser it came from (never its secret)."),
              "created_at", "expires_at", "revoked_at", "ip", "user_agent")
def sessions(person_id: int):
    yield from stream(select(LoginSession.created_at, LoginSession.expires_at,
                             LoginSession.revoked_at, LoginSession.ip, LoginSession.user_agent)
                      .where(LoginSession.person_id == person_id).order_by(LoginSession.id))


@archive_file("emailed_links.csv",
              _l("The links we emailed you to reset your password or change your address: "
                 "when, until when, and whether used or cancelled (never the link's secret)."),
              "purpose", "new_email", "created_at", "expires_at", "used_at", "cancelled_at")
def emailed_links(person_id: int):
    yield from stream(select(AccountToken.purpose, AccountToken.new_email,
                             AccountToken.created_at, AccountToken.expires_at,
                             AccountToken.used_at, AccountToken.cancelled_at)
                      .where(AccountToken.person_id == person_id).order_by(AccountToken.id))


@archive_file("audit.csv",
              _l("The audit log's entries of what you did, and of what was done to your "
                 "account (by you, \"you\"; otherwise \"someone else\", without their "
                 "address)."),
              "at", "action", "by", "target_type", "target_id", "summary", "details", "ip")
def audit(person_id: int):
    import json

    for at, action, actor_id, target_type, target_id, summary, details, ip in stream(
            select(AuditEntry.at, AuditEntry.action, AuditEntry.actor_id,
                   AuditEntry.target_type, AuditEntry.target_id, AuditEntry.summary,
                   AuditEntry.details, AuditEntry.ip)
            .where(or_(AuditEntry.actor_id == person_id,
                       and_(AuditEntry.target_type == "person",
                            AuditEntry.target_id == person_id)))
            .order_by(AuditEntry.id)):
        yours = actor_id == person_id
        yield (at, action, "you" if yours else "someone else", target_type, target_id, summary,
               json.dumps(details, ensure_ascii=False, sort_keys=True), ip if yours else "")


@archive_file("replies_by_email.csv",
              _l("The replies you sent by email: when each came, what became of it, and where "
                 "it was posted."),
              "received_at", "outcome", "posted_link")
def replies_by_email(person_id: int):
    for received, outcome, path in stream(
            select(ReceivedMail.received_at, ReceivedMail.outcome, ReceivedMail.posted_path)
            .where(ReceivedMail.person_id == person_id).order_by(ReceivedMail.id)):
        yield received, outcome, absolute(path) if path else ""


@archive_file("privacy_page_versions.csv",
              _l("The versions of the privacy page you saved (coordinators only)."),
              "created_at", "body")
def privacy_page_versions(person_id: int):
    yield from stream(select(PrivacyNotice.created_at, PrivacyNotice.body)
                      .where(PrivacyNotice.created_by_id == person_id)
                      .order_by(PrivacyNotice.id))


@archive_file("data_exports.csv",
              _l("The copies of your data you asked for, this one included: when, until when "
                 "its link worked, and when it was downloaded."),
              "created_at", "expires_at", "downloaded_at")
def data_exports(person_id: int):
    yield from stream(select(DataExport.created_at, DataExport.expires_at, DataExport.used_at)
                      .where(DataExport.person_id == person_id).order_by(DataExport.id))


ACCOUNT_FILES = (memberships, applications, invitations_sent, notifications, bulletins, emails,
                 sessions, emailed_links, audit, replies_by_email, privacy_page_versions,
                 data_exports)
