"""What a notification email is about, for mail programs to thread by, and the address a
reply to it is posted through: `reply+TOKEN@domain`, the token signed for one person and one
thread, conversation, report or response (network/mailin reads the replies).

The token is `<kind letter><target id>-<person id>-<day issued>-<mac>`, all lower case
digits and letters (mail servers may lower-case a local part), 80 bits of HMAC-SHA256 over
those and the person's reply generation, under the app's SECRET_KEY: under 50 characters with
"reply+", inside the 64 a local part may have."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from urllib.parse import urlsplit

from flask import current_app

from network.auth.models import Person
from network.core.time import today
from network.extensions import db

# What a reply can be posted to: the letter its address carries.
KINDS = {"t": "thread", "c": "conversation", "r": "report", "s": "response"}
LETTERS = {kind: letter for letter, kind in KINDS.items()}
EPOCH = date(1970, 1, 1)
TOKEN = re.compile(r"([a-z])([1-9][0-9]{0,9})-([1-9][0-9]{0,9})-([0-9]{1,6})-([a-z2-7]{16})")


@dataclass(frozen=True)
class Topic:
    """What a notification is about: a thread, a conversation, a report or a response (by
    id). `thread` names the conversation mail programs group it in (default: kind-id);
    `may_reply` says, when the email is built, whether this person may post there now: only
    then does it carry a reply address."""

    kind: str
    id: int
    thread: str = ""
    may_reply: Callable[[], bool] | None = None

    @property
    def thread_key(self) -> str:
        return self.thread or f"{self.kind}-{self.id}"


class Unreadable(StrEnum):
    """Why a reply address names nobody and nothing."""

    FORGED = "forged"  # not ours, or altered
    EXPIRED = "expired"
    REVOKED = "revoked"  # their reply addresses were revoked since (password, log out, ...)
    UNKNOWN = "unknown"  # signed, but the person is not there


@dataclass(frozen=True)
class Address:
    """A reply address read back: who may post through it, to what."""

    person: Person
    kind: str
    target_id: int


def site_domain() -> str:
    """The site's own domain, for the Message-IDs it makes."""
    config = current_app.config
    host = urlsplit(config.get("BASE_URL") or "").hostname
    return host or config["MAIL_DEFAULT_SENDER"].rsplit("@", 1)[-1]


def replies_on() -> bool:
    return bool(current_app.config.get("MAIL_REPLY_ADDRESS"))


def _mailbox() -> tuple[str, str]:
    local, domain = current_app.config["MAIL_REPLY_ADDRESS"].rsplit("@", 1)
    return local, domain


def _mac(letter: str, target_id: int, person_id: int, day: int, generation: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    signed = f"reply-address|{letter}|{target_id}|{person_id}|{day}|{generation}".encode()
    digest = hmac.new(key, signed, hashlib.sha256).digest()[:10]
    return base64.b32encode(digest).decode().lower()


def reply_token(person: Person, kind: str, target_id: int) -> str:
    letter, day = LETTERS[kind], (today() - EPOCH).days
    mac = _mac(letter, target_id, person.id, day, person.reply_generation)
    return f"{letter}{target_id}-{person.id}-{day}-{mac}"


def reply_address(person: Person, kind: str, target_id: int) -> str:
    local, domain = _mailbox()
    return f"{local}+{reply_token(person, kind, target_id)}@{domain}"


def token_in(address: str) -> str | None:
    """The token of an address that is one of ours (`reply+TOKEN@domain`, any case), or None."""
    if not replies_on():
        return None
    local, domain = _mailbox()
    found = re.fullmatch(rf"{re.escape(local)}\+([^@]+)@{re.escape(domain)}",
                         address.strip().lower())
    return found.group(1) if found else None


def read_token(token: str) -> Address | Unreadable:
    found = TOKEN.fullmatch(token.lower())
    if found is None or found.group(1) not in KINDS:
        return Unreadable.FORGED
    letter, target_id, person_id, day, mac = found.groups()
    target_id, person_id, day = int(target_id), int(person_id), int(day)
    person = db.session.get(Person, person_id)
    generation = person.reply_generation if person is not None else 0
    if not hmac.compare_digest(mac, _mac(letter, target_id, person_id, day, generation)):
        if person is not None and any(
                hmac.compare_digest(mac, _mac(letter, target_id, person_id, day, earlier))
                for earlier in range(max(0, generation - 20), generation)):
            return Unreadable.REVOKED
        return Unreadable.FORGED
    if person is None:
        return Unreadable.UNKNOWN
    age = (today() - EPOCH).days - day
    if age > current_app.config["MAIL_REPLY_DAYS"] or age < -1:
        return Unreadable.EXPIRED
    return Address(person=person, kind=KINDS[letter], target_id=target_id)


def thread_id(topic: Topic) -> str:
    """The Message-ID every email about one thread (conversation, report) refers to."""
    return f"<{topic.thread_key}@{site_domain()}>"


def topic_headers(person: Person, topic: Topic) -> dict[str, str]:
    """Message-ID (made once, kept with the queued email), In-Reply-To and References for mail
    programs to thread the emails about one topic; Reply-To where this person may answer."""
    headers = {"Message-ID": f"<{topic.thread_key}.{secrets.token_hex(8)}@{site_domain()}>",
               "In-Reply-To": thread_id(topic), "References": thread_id(topic)}
    if replies_on() and topic.kind in LETTERS and (topic.may_reply is None or topic.may_reply()):
        headers["Reply-To"] = reply_address(person, topic.kind, topic.id)
    return headers
