"""A closed account's old name and address taken out of the text the network keeps: their
own words that stay (a post signed "Hello, I'm ..."), and what it wrote about them: audit
entries, notifications, the outbox, applications, invitations, login limits, mentions in the
forum, an action's owner (privacy/closing.py calls it, in its transaction).

What is changed is loaded first with a narrow LIKE, then rewritten in Python with word
boundaries, so a short name ("Al") never eats into other words ("Alpha"). Forum posts and
actions are changed through the ORM, so their search documents are written again.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import Text, cast, delete, func, or_, select

from network.board.models import Booking, Listing, Message
from network.calendar.models import Event
from network.core import throttle
from network.core.audit import AuditEntry
from network.core.jobs import JobRun
from network.core.mail import OutboxEmail
from network.core.throttle import ThrottleHit
from network.core.time import now
from network.extensions import db
from network.forum.models import Post, PostRevision, Thread
from network.mailin.models import MailNotice
from network.members.models import Application, Invitation
from network.notify.models import Notification
from network.representation.models import (
    Action,
    ActionUpdate,
    RaisedItem,
    Report,
    ReportRevision,
    Response,
)

FORMER = "a former member"  # stored text: the same words whatever the reader's language

# What they wrote, kept (privacy/closing.py): the model, the column naming who wrote it, and
# its text, where they may have signed with their name ("Hello, I'm ...") or given their
# address. Their earlier versions (PostRevision, ReportRevision) follow their post or report.
OWN_WORDS = (
    (Thread, "author_id", ["title"]),
    (Post, "author_id", ["body"]),
    (Message, "author_id", ["body"]),
    (Response, "author_id", ["body"]),
    (RaisedItem, "author_id", ["title", "body"]),
    (Report, "author_id", ["summary", "decisions", "said"]),
    (ActionUpdate, "by_id", ["note"]),
    (Event, "created_by_id", ["title", "description", "place", "access_note"]),
    (Listing, "created_by_id", ["title", "description", "keywords"]),
    (Booking, "requested_by_id", ["purpose", "note"]),
)


def placeholder(person_id: int) -> str:
    return f"closed-{person_id}@invalid"


class Scrubber:
    """Replaces one person's old name (whole words) and address (any case) in a string."""

    def __init__(self, name: str, email: str, person_id: int) -> None:
        self.name, self.email = name.strip(), email.strip().lower()
        self.replacement = placeholder(person_id)
        self.patterns: list[tuple[re.Pattern, str]] = []
        if self.email:
            self.patterns.append((re.compile(re.escape(self.email), re.IGNORECASE),
                                  self.replacement))
        if self.name:
            # "@Name" (a mention) first, so no "@" is left dangling before the words
            self.patterns.append((re.compile(rf"@?(?<!\w){re.escape(self.name)}(?!\w)",
                                             re.IGNORECASE), FORMER))

    def text(self, value: str | None) -> str | None:
        if not value:
            return value
        for pattern, replacement in self.patterns:
            value = pattern.sub(replacement, value)
        return value

    def any(self, value: Any) -> Any:
        """A JSON value with every string in it scrubbed, keys included."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, dict):
            return {self.text(k): self.any(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.any(v) for v in value]
        return value

    def needles(self) -> list[str]:
        """What a LIKE looks for: the name and address, as written and as JSON escapes them
        (non-ASCII as \\u sequences)."""
        found = {word for word in (self.name, self.email) if word}
        found |= {json.dumps(word)[1:-1] for word in list(found)}
        return sorted(found)

    def holding(self, *columns) -> Any:
        """A WHERE clause: any of these columns (JSON cast to text) holds the name or address."""
        return or_(*(cast(column, Text).ilike(f"%{_like(needle)}%", escape="\\")
                     for column in columns for needle in self.needles()))


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rewrite(scrub: Scrubber, model, columns: list[str], json_columns: tuple[str, ...] = (),
             where=None):
    """Every row of model holding the name or address (and meeting `where`), its columns
    scrubbed; the rows."""
    query = select(model).where(scrub.holding(*(getattr(model, name) for name in columns)))
    rows = list(db.session.scalars(query if where is None else query.where(where)))
    limits = {name: getattr(model.__table__.c[name].type, "length", None) for name in columns}
    for row in rows:
        for name in columns:
            value = getattr(row, name)
            new = scrub.any(value) if name in json_columns else scrub.text(value)
            if new != value:
                # "a former member" is longer than a short name: the column's limit holds
                setattr(row, name, new[:limits[name]] if limits[name] else new)
    return rows


def scrub_everywhere(person, old_name: str, old_email: str) -> None:
    """Take the old name and address out of every place the network wrote them."""
    scrub = Scrubber(old_name, old_email, person.id)
    if not scrub.needles():
        return
    placeholder_address = scrub.replacement
    _rewrite(scrub, AuditEntry, ["summary", "details"], ("details",))
    _rewrite(scrub, Notification, ["subject", "detail"])
    _rewrite(scrub, JobRun, ["detail"])  # an error's words, should one have named them
    _outbox(scrub, old_email)
    # Their own words: kept, without their name or address in them (through the ORM, so
    # search forgets them too).
    for model, writer, columns in OWN_WORDS:
        _rewrite(scrub, model, columns, where=getattr(model, writer) == person.id)
    _rewrite(scrub, PostRevision, ["body"], where=PostRevision.post_id.in_(
        select(Post.id).where(Post.author_id == person.id)))
    _rewrite(scrub, ReportRevision, ["summary", "decisions", "said"],
             where=ReportRevision.report_id.in_(
                 select(Report.id).where(Report.author_id == person.id)))
    # Forum mentions of them by others ("@Name"), and an action owned by them by name.
    if scrub.name:
        mention = Scrubber(f"@{scrub.name}", "", person.id)
        for model in (Post, PostRevision):
            _rewrite(mention, model, ["body"])
        _rewrite(scrub, Action, ["owner"])
    # Applications they made, invitations to their address.
    for application in db.session.scalars(select(Application).where(or_(
            Application.applicant_id == person.id,
            func.lower(Application.contact_email) == scrub.email))):
        application.contact_name = ""
        application.contact_email = placeholder_address
        application.message = ""
    _rewrite(scrub, Application, ["decision_reason"])
    moment = now()
    for invitation in db.session.scalars(select(Invitation).where(
            func.lower(Invitation.email) == scrub.email)):
        invitation.email, invitation.name = placeholder_address, ""
        if invitation.accepted_at is None and invitation.cancelled_at is None:
            invitation.cancelled_at = moment
    _rewrite(scrub, Invitation, ["name"])
    # Login limits and explanations counted under their address.
    if scrub.email:
        for key in (f"login:account:{scrub.email}", f"login:account-all:{scrub.email}",
                    f"reset:account:{scrub.email}"):
            throttle.clear(key)  # Redis's keys too, when it counts
        db.session.execute(delete(ThrottleHit).where(scrub.holding(ThrottleHit.key)))
        db.session.execute(delete(MailNotice).where(func.lower(MailNotice.address)
                                                    == scrub.email))


def _outbox(scrub: Scrubber, old_email: str) -> None:
    """Mail to them or naming them, sent or not: the name and address replaced; what still
    waited to go to them never goes."""
    moment = now()
    for email in _rewrite(scrub, OutboxEmail,
                          ["to_address", "subject", "body", "html_body", "headers",
                           "last_error"], ("headers",)):
        if (email.to_address == scrub.replacement and email.sent_at is None
                and email.failed_at is None):
            email.failed_at = moment
            email.last_error = "The account was closed before it was sent."
