"""Receiving one message: posted where its reply address points, from the person it was issued
to, or not posted at all; never twice. Whatever was not posted gets one short explanation by
email (none to a machine; one an hour at most to an address not proven to be the person's, and
one an hour of each kind to a proven sender, counted apart so forged mail cannot silence them);
a reply posted with attachments is posted without them, and its writer told so."""

from __future__ import annotations

from enum import StrEnum

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from network.auth.models import Person
from network.auth.services import normalise_email
from network.core.db import insert_for
from network.core.i18n import recipient_locale
from network.core.links import absolute
from network.core.mail import deliver_due, queue_email
from network.core.time import now
from network.extensions import db
from network.mailin import message as messages
from network.mailin.models import MailNotice, ReceivedMail
from network.mailin.posting import NotPosted, Posted, post
from network.notify.replies import Address, Unreadable, read_token, token_in


class Outcome(StrEnum):
    POSTED = "posted"
    HELD = "held"  # posted, waiting for a coordinator's approval as on the page
    DUPLICATE = "duplicate"  # this Message-ID was received before: nothing done
    AUTOMATIC = "automatic"  # an auto-reply, a bounce, a list's mail: nothing done, no answer
    TOO_LARGE = "too large"
    NO_ADDRESS = "no address"  # sent to none of our reply addresses
    FORGED = "forged"
    EXPIRED = "expired"
    REVOKED = "revoked"
    UNKNOWN = "unknown"
    WRONG_SENDER = "wrong sender"  # From is not the person the address was issued to
    EMPTY = "empty"
    NOT_POSTED = "not posted"  # the place or the person's rights refuse it


WHY: dict[Outcome, object] = {
    Outcome.NO_ADDRESS: _l("it was not sent to a reply address of ours"),
    Outcome.FORGED: _l("the address it was sent to is not one we gave out"),
    Outcome.UNKNOWN: _l("the address it was sent to is not one we gave out"),
    Outcome.EXPIRED: _l("the address it was sent to has expired"),
    Outcome.REVOKED: _l("the address it was sent to no longer works (your password was "
                        "changed, or you logged out everywhere)"),
    Outcome.WRONG_SENDER: _l("it came from an address other than the one the email was sent "
                             "to"),
    Outcome.EMPTY: _l("we found nothing above the quoted text to post"),
}


def _size(limit: int) -> str:
    return f"{limit / (1024 * 1024):.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def _our_own(address: str) -> bool:
    """An address of this site's: answering it could start a loop."""
    return (address == current_app.config["MAIL_DEFAULT_SENDER"].lower()
            or token_in(address) is not None
            or address == (current_app.config["MAIL_REPLY_ADDRESS"] or "").lower())


def _notice_key(to: str, sender: Address | None, kind: str) -> str | None:
    """The mail_notice row an explanation claims. A sender not proven (forged, unknown,
    expired or revoked address, another From): the address written to, one an hour. A proven
    one (a good address from its person's From): the person and the kind of explanation, its
    own hour, which no forged message can use up; it has no "@", so no address is taken for
    it. None: nowhere an explanation could go."""
    if sender is not None:
        return f"#{sender.person.id}:{kind}"
    return to if "@" in to else None


def _may_write(key: str) -> bool:
    """Claim this hour's explanation under a key: False when it has had it."""
    moment = now()
    insert = insert_for(db.engine, MailNotice).values(address=key, sent_at=moment)
    claimed = db.session.execute(insert.on_conflict_do_update(
        index_elements=[MailNotice.address], set_={"sent_at": insert.excluded.sent_at},
        where=MailNotice.sent_at <= moment - current_app.config["MAIL_NOTICE_EVERY"],
    ).returning(MailNotice.address)).first()
    return claimed is not None


def _answer_headers(incoming: messages.Incoming) -> dict[str, str]:
    headers = {"Auto-Submitted": "auto-replied"}
    if incoming.message_id.startswith("<"):
        headers["In-Reply-To"] = headers["References"] = incoming.message_id
    return headers


def _tell(incoming: messages.Incoming, subject, template: str, sender: Address | None,
          kind: str, **context) -> None:
    """Write to whoever sent it, if anywhere, within the hour's limit: `sender` is the reply's
    Address when the sender is proven (None when not); `kind` names the explanation."""
    to = incoming.reply_to_sender
    if not to or _our_own(to):
        return
    key = _notice_key(to, sender, kind)
    if key is None or not _may_write(key):
        return
    writer = db.session.scalar(select(Person).where(Person.email == to))
    queue_email(to, subject, template, headers=_answer_headers(incoming),
                locale=recipient_locale(writer), **context)


def _explain(incoming: messages.Incoming, why, sender: Address | None = None,
             kind: str = "") -> None:
    _tell(incoming, _l("Your reply was not posted"), "email/reply_not_posted.txt", sender,
          kind, why=why)


def _find_address(incoming: messages.Incoming) -> Address | Outcome:
    token = next((found for address in incoming.addresses
                  if (found := token_in(address)) is not None), None)
    if token is None:
        return Outcome.NO_ADDRESS
    address = read_token(token)
    if isinstance(address, Unreadable):
        return Outcome(address.value)
    if normalise_email(incoming.sender) != normalise_email(address.person.email):
        return Outcome.WRONG_SENDER
    return address


def _post(incoming: messages.Incoming, address: Address) -> tuple[Outcome, Posted | None]:
    if not incoming.text:
        _explain(incoming, WHY[Outcome.EMPTY], address, Outcome.EMPTY.value)
        return Outcome.EMPTY, None
    try:
        with db.session.begin_nested():  # a refusal takes back whatever it began to write
            posted = post(address.person, address.kind, address.target_id, incoming.text)
    except NotPosted as refusal:
        _explain(incoming, refusal.reason, address, Outcome.NOT_POSTED.value)
        return Outcome.NOT_POSTED, None
    if incoming.attachments:
        _tell(incoming, _l("Your reply is posted, without its attachments"),
              "email/reply_attachments.txt", address, "attachments", names=incoming.attachments,
              link=absolute(posted.path), held=posted.held)
    return (Outcome.HELD if posted.held else Outcome.POSTED), posted


def received_before(message_id: str) -> bool:
    return db.session.scalar(select(ReceivedMail.id)
                             .where(ReceivedMail.message_id == message_id)) is not None


def receive(raw: bytes, recipients: list[str] = (),
            envelope_sender: str | None = None) -> Outcome:
    """Decide on one message and do it in the session (commits nothing): post, or explain,
    or nothing; and remember its Message-ID."""
    limit = current_app.config["MAIL_IN_MAX_BYTES"]
    too_large = len(raw) > limit
    incoming = (messages.headers_only if too_large else messages.read)(
        raw, list(recipients), envelope_sender)
    if received_before(incoming.message_id):
        return Outcome.DUPLICATE
    person_id, posted = None, None
    if incoming.automatic:
        outcome = Outcome.AUTOMATIC
    elif too_large:
        outcome = Outcome.TOO_LARGE
        proven = _find_address(incoming)  # from its headers: who is told, and in which hour
        _explain(incoming, _l("it is larger than the %(size)s a reply may be",
                              size=_size(limit)),
                 proven if isinstance(proven, Address) else None, outcome.value)
    else:
        address = _find_address(incoming)
        if isinstance(address, Outcome):
            outcome = address
            _explain(incoming, WHY[outcome])
        else:
            person_id = address.person.id
            outcome, posted = _post(incoming, address)
    db.session.add(ReceivedMail(message_id=incoming.message_id, person_id=person_id,
                                outcome=outcome.value,
                                posted_path=posted.path if posted else None))
    return outcome


def handle(raw: bytes, recipients: list[str] = (), envelope_sender: str | None = None,
           send: bool | None = None) -> Outcome:
    """receive() committed once; the same message handled at the same moment elsewhere makes
    this one a duplicate. Database errors are raised (the mail server is to try again).
    Its mail (explanations, the notifications a post raises) goes at once when `send` (by
    default MAIL_SEND_IMMEDIATELY), else with the outbox's next round."""
    g.pop("mail_queued", None)
    try:
        outcome = receive(raw, recipients, envelope_sender)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if received_before(messages.headers_only(raw, [], None).message_id):
            return Outcome.DUPLICATE
        raise
    except BaseException:
        db.session.rollback()
        raise
    queued = [identity[0] for email in g.pop("mail_queued", [])
              if (identity := inspect(email).identity) is not None]
    if queued and (current_app.config["MAIL_SEND_IMMEDIATELY"] if send is None else send):
        deliver_due(only_ids=queued)
    return outcome
