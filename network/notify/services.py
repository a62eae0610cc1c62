"""Raise a notification (`notify`), email it as the person chose, and send digests."""

from __future__ import annotations

from collections import defaultdict

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update

from network.auth.models import Person
from network.core.i18n import in_locale, recipient_locale
from network.core.links import absolute, absolute_url
from network.core.mail import SUBJECT_LIMIT, body_text, queue_email
from network.core.text import one_line
from network.core.time import now
from network.extensions import db
from network.notify.models import Delivery, Notification, NotificationSetting
from network.notify.replies import Topic, topic_headers

# Every kind of notification: what people see in their settings, and the default delivery.
# Later features add their kinds here.
KINDS: dict[str, tuple] = {
    "forum.reply": (_l("Replies in threads I watch"), Delivery.DAILY),
    "forum.mention": (_l("Someone mentions me"), Delivery.IMMEDIATELY),
    "forum.moderation": (_l("My post is hidden, restored or approved"), Delivery.IMMEDIATELY),
    "calendar.changed": (_l("An event I answered is changed or cancelled, or a place comes "
                            "free"), Delivery.IMMEDIATELY),
    "calendar.reminder": (_l("A reminder the day before an event I am going to"),
                          Delivery.IMMEDIATELY),
    "calendar.new_event": (_l("A new event from an organisation I follow"), Delivery.DAILY),
    "board.reply": (_l("A message about a listing of ours, or one we replied to"),
                    Delivery.IMMEDIATELY),
    "board.listing": (_l("My listing is about to leave the board, or is hidden"),
                      Delivery.IMMEDIATELY),
    "board.booking": (_l("A booking of ours, or of something we lend, is asked for, answered "
                         "or cancelled"), Delivery.IMMEDIATELY),
    "representation.seat": (_l("I am made the holder or deputy of a seat"),
                            Delivery.IMMEDIATELY),
    "representation.item": (_l("An item is raised for my seat, or an item I raised or backed "
                               "is taken or answered"), Delivery.IMMEDIATELY),
    "representation.report": (_l("A report back from a seat that speaks for us"),
                              Delivery.IMMEDIATELY),
    "representation.response": (_l("A response to my report, or a reply to my response"),
                                Delivery.DAILY),
    "representation.reminder": (_l("A report of mine, or one I coordinate, is overdue"),
                                Delivery.IMMEDIATELY),
}
ALL_KINDS = "all"
# The most of what was written that a notification's email quotes (a reply, a message).
QUOTE_LIMIT = 2000
# Letters a person chooses to get (off until they do), each with its own unsubscribe: what
# their settings call them. Stored as a NotificationSetting, WEEKLY for on, IN_APP for off.
SUBSCRIPTIONS: dict[str, object] = {
    "bulletin": _l("The weekly bulletin: the coming fortnight's events, new offers and "
                   "requests, reports back and the busiest threads, by email"),
}


def subscribed(person: Person, kind: str) -> bool:
    chosen = db.session.get(NotificationSetting, (person.id, kind))
    return chosen is not None and chosen.delivery == Delivery.WEEKLY


def subscribe(person: Person, kind: str, on: bool) -> None:
    set_delivery(person, kind, Delivery.WEEKLY if on else Delivery.IN_APP)


def subscribers(kind: str):
    """The condition for the people who chose this letter (a Person query's where)."""
    return Person.id.in_(select(NotificationSetting.person_id).where(
        NotificationSetting.kind == kind, NotificationSetting.delivery == Delivery.WEEKLY))


def label_of(kind: str):
    """What a person's settings call a kind of notification or a letter (None: all)."""
    if kind == ALL_KINDS:
        return None
    return SUBSCRIPTIONS[kind] if kind in SUBSCRIPTIONS else KINDS[kind][0]


def delivery_for(person: Person, kind: str) -> Delivery:
    chosen = db.session.get(NotificationSetting, (person.id, kind))
    return chosen.delivery if chosen else KINDS[kind][1]


def excerpt(text: str, limit: int = QUOTE_LIMIT) -> tuple[str, bool]:
    """What was written, for an email's body: its first `limit` characters or so, cut at a
    space and ended with "…"; and whether it was cut."""
    text = body_text(text).strip()
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ", limit // 2)
    return (cut[:space] if space > 0 else cut).rstrip() + "…", True


def notify(person: Person, kind: str, subject: str, url: str,
           detail: str = "", about: Topic | None = None,
           quote: str = "") -> Notification | None:
    """Tell a person something; commits with the caller's change. Emailed at once, later in a
    digest, or not at all, as they chose. Suspended people are not told.

    The subject is fixed words and titles, made one line here whatever it holds (it is an
    email's Subject); a person's own words (a reason, a note) go in `detail`, shown under it
    and in the email's body. Given as lazy_gettext (its dates as core.i18n.later), it is
    written and stored in the recipient's language, whoever's request raised it. `about`: the
    thread (conversation, report) it is about, for mail programs to thread its email by and,
    where the person may post there, to reply to. `quote`: what was written (a reply, a
    message), in the email's body alone, trimmed (`excerpt`), for reading and answering it
    from the mail program; not kept, so not in digests or on the notifications page. Only for
    a person who may read it: the caller checks."""
    if kind not in KINDS:
        raise KeyError(f"unknown notification kind {kind!r}: add it to KINDS")
    if not person.is_active:
        return None
    delivery = delivery_for(person, kind)
    locale = recipient_locale(person)
    with in_locale(locale):
        subject = one_line(str(subject), SUBJECT_LIMIT)
    notification = Notification(person_id=person.id, kind=kind, subject=subject,
                                detail=body_text(detail).strip(), url=url, delivery=delivery)
    db.session.add(notification)
    if delivery == Delivery.IMMEDIATELY:
        notification.emailed_at = now()
        headers = unsubscribe_headers(person, kind)
        if about is not None:
            headers |= topic_headers(person, about)
        quoted, cut = excerpt(quote)
        queue_email(person.email, subject, "email/notification.txt", locale=locale,
                    headers=headers, person=person, replies="Reply-To" in headers,
                    notification=notification, link=absolute(url), quote=quoted, cut=cut,
                    unsubscribe=unsubscribe_url(person, kind),
                    settings=absolute_url("notify.settings"))
    return notification


# --- unsubscribing without logging in ------------------------------------------------------------

def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="unsubscribe")


def unsubscribe_token(person: Person, kind: str) -> str:
    return _serializer().dumps([person.id, kind])


def read_unsubscribe_token(token: str) -> tuple[Person, str] | None:
    try:
        person_id, kind = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    person = db.session.get(Person, person_id)
    if person is None or (kind not in KINDS and kind not in SUBSCRIPTIONS
                          and kind != ALL_KINDS):
        return None
    return person, kind


def unsubscribe_url(person: Person, kind: str) -> str:
    return absolute_url("notify.unsubscribe", token=unsubscribe_token(person, kind))


def unsubscribe_headers(person: Person, kind: str) -> dict[str, str]:
    """RFC 2369 and RFC 8058: mail programs show an unsubscribe button that posts here."""
    return {"List-Unsubscribe": f"<{unsubscribe_url(person, kind)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def unsubscribe(person: Person, kind: str) -> None:
    """Stop email for one kind or letter (or every one): notifications stay on the site."""
    for each in ([*KINDS, *SUBSCRIPTIONS] if kind == ALL_KINDS else [kind]):
        set_delivery(person, each, Delivery.IN_APP)


def mark_read(notification: Notification) -> None:
    notification.read_at = notification.read_at or now()


def mark_all_read(person: Person) -> None:
    db.session.execute(update(Notification)
                       .where(Notification.person_id == person.id,
                              Notification.read_at.is_(None))
                       .values(read_at=now()))


def save_settings(person: Person, choices: dict[str, Delivery],
                  letters: dict[str, bool] | None = None) -> None:
    """How the person hears of each kind: {kind: delivery}; and which letters they get."""
    for kind, delivery in choices.items():
        set_delivery(person, kind, delivery)
    for kind, on in (letters or {}).items():
        subscribe(person, kind, on)


def set_delivery(person: Person, kind: str, delivery: Delivery) -> None:
    setting = db.session.get(NotificationSetting, (person.id, kind))
    if setting is None:
        db.session.add(NotificationSetting(person_id=person.id, kind=kind, delivery=delivery))
    else:
        setting.delivery = delivery


# --- digests -------------------------------------------------------------------------------------

def send_digests(delivery: Delivery) -> int:
    """One email per person with everything they asked to get this way and have not been
    emailed. Claiming the rows with an UPDATE makes two runs at once send each item once."""
    moment = now()
    due = db.session.execute(
        update(Notification)
        .where(Notification.delivery == delivery, Notification.emailed_at.is_(None))
        .values(emailed_at=moment)
        .returning(Notification.id))
    ids = [row.id for row in due]
    if not ids:
        db.session.commit()
        return 0
    by_person: dict[int, list[Notification]] = defaultdict(list)
    for notification in db.session.scalars(
            select(Notification).where(Notification.id.in_(ids))
            .order_by(Notification.created_at)):
        by_person[notification.person_id].append(notification)
    people = db.session.scalars(select(Person).where(Person.id.in_(by_person))).all()
    sent = 0
    for person in people:
        if not person.is_active:
            continue
        items = by_person[person.id]
        subject = (_l("Your daily summary from %(site)s", site=current_app.config["SITE_NAME"])
                   if delivery == Delivery.DAILY else
                   _l("Your weekly summary from %(site)s", site=current_app.config["SITE_NAME"]))
        queue_email(person.email, subject, "email/digest.txt", locale=recipient_locale(person),
                    headers=unsubscribe_headers(person, ALL_KINDS), person=person,
                    items=[(item, absolute(item.url)) for item in items],
                    unsubscribe=unsubscribe_url(person, ALL_KINDS),
                    settings=absolute_url("notify.settings"))
        sent += 1
    db.session.commit()
    return sent
