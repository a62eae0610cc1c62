"""Rules about notifications: each is its person's alone."""

from __future__ import annotations

from sqlalchemy import false

from network.core.permissions import policy, scope, signed_in
from network.notify.models import Notification


@policy("notifications.use")
def use_notifications(person, _) -> bool:
    return signed_in(person)


@policy("notification.open")
def open_notification(person, notification) -> bool:
    return signed_in(person) and notification.person_id == person.id


@scope(Notification)
def notifications_seen(person):
    return Notification.person_id == person.id if signed_in(person) else false()
