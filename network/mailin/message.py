"""A received message read as far as replying needs: who sent it, to which reply address,
whether a machine sent it, and the words of the reply with the quoted email, the "On ...
wrote:" line and the signature trimmed (mail-parser-reply, docs/decisions.md)."""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parseaddr

import nh3
from mailparser_reply import EmailMessage as ReplyText

from network.core.mail import body_text
from network.core.text import one_line

# The languages whose "On ... wrote:" lines and signatures are recognised (English always).
REPLY_LANGUAGES = ["en", "pl"]
# A message a machine sent: never posted, never answered (RFC 3834, and what mail programs
# and servers use in its place).
AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response|answer)|out of (the )?office|away from|"
    r"on (annual )?leave|undeliverable|undelivered|delivery status notification|"
    r"returned mail|mail delivery failed|autosvar|abwesenheit|nieobecno)", re.I)
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@", re.I)
# The elements whose text is the email being replied to, or not text at all.
HTML_DROPPED = {"blockquote", "script", "style", "head", "title"}
# Where a block starts or ends, a paragraph (a blank line, as Markdown reads one); a line
# break and a list item or table row end, a new line.
HTML_PARAGRAPHS = re.compile(r"</?(p|div|h[1-6]|ul|ol|table|hr)\b[^>]*>", re.I)
HTML_LINES = re.compile(r"<(br|/li|/tr)\b[^>]*>", re.I)
# The most of a message's text read for the reply: ten times the longest post, whatever the
# quoted history below it (the parser's time grows with the text).
TEXT_READ = 200_000
HEADER_NAMES = ("Delivered-To", "X-Original-To", "To", "Cc", "Envelope-To")


@dataclass
class Incoming:
    """What the receiver decides on."""

    message_id: str
    sender: str  # the From address, lower case ("" if none)
    reply_to_sender: str  # where an explanation would go ("" when nowhere)
    addresses: list[str]  # every address it was sent to: envelope first, then headers
    automatic: bool
    text: str = ""  # the reply, trimmed
    attachments: list[str] = field(default_factory=list)  # their file names


def _address(value: str | None) -> str:
    return parseaddr(one_line(value or "", 998))[1].strip().lower()


def message_key(raw: bytes, message) -> str:
    """Its Message-ID, or, when it has none, a hash of the whole message."""
    given = one_line(str(message.get("Message-ID") or ""), 298).strip()
    return given if given else "sha256:" + hashlib.sha256(raw).hexdigest()


def automatic(message, envelope_sender: str | None) -> bool:
    """Sent by a machine: an auto-reply, an out-of-office, a bounce, a list's mail."""
    def value(name: str) -> str:
        return one_line(str(message.get(name) or ""), 200).strip().lower()

    if value("Auto-Submitted") not in ("", "no"):
        return True
    if value("Precedence") in AUTOMATIC_PRECEDENCE:
        return True
    if any(message.get(name) is not None for name in (
            "X-Autoreply", "X-Autorespond", "X-Auto-Reply", "List-Id", "Feedback-ID")):
        return True
    if any(word in value("X-Auto-Response-Suppress") for word in ("oof", "autoreply", "all")):
        return True
    if message.get_content_type() == "multipart/report":
        return True
    if AUTOMATIC_SUBJECT.match(value("Subject")):
        return True
    return_path = message.get("Return-Path")
    if return_path is not None and _address(str(return_path)) == "":
        return True
    if envelope_sender is not None and envelope_sender.strip("<> ") == "":
        return True
    return bool(BOUNCE_SENDERS.match(_address(str(message.get("From") or ""))))


def addresses_of(message, recipients: list[str]) -> list[str]:
    found = [r.strip().lower() for r in recipients]
    for name in HEADER_NAMES:
        values = [one_line(str(v), 2000) for v in message.get_all(name) or []]
        found += [address.lower() for _name, address in getaddresses(values) if address]
    return found


def html_to_text(markup: str) -> str:
    """An HTML email's words: the quoted email (blockquote) and anything not text dropped,
    a blank line between paragraphs and a new line for each line break, as Markdown reads
    them."""
    marked = HTML_LINES.sub("\n", HTML_PARAGRAPHS.sub("\n\n", markup))
    text = html.unescape(nh3.clean(marked, tags=set(), clean_content_tags=HTML_DROPPED,
                                   attributes={}))
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def trimmed(text: str) -> str:
    """The reply alone: what the library finds before the quoted email and the signature."""
    text = body_text(text[:TEXT_READ]).replace("\u00a0", " ")
    found = ReplyText(text=text, languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True).read()
    reply = found.replies[0].body if found.replies else text
    # Lines quoted with ">" at the end (an answer written above a quote with no header).
    lines = reply.rstrip().split("\n")
    while lines and lines[-1].lstrip().startswith(">"):
        lines.pop()
    return "\n".join(lines).strip()


def _text_of(message: EmailMessage) -> tuple[str, object | None]:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return "", None
    try:
        content = body.get_content()
    except (LookupError, ValueError):  # an unknown charset or a broken encoding
        content = body.get_payload(decode=True).decode("utf-8", "replace")
    if body.get_content_type() == "text/html":
        content = html_to_text(content)
    return content, body


def _attachments(message: EmailMessage, body) -> list[str]:
    names = []
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        name = part.get_filename()
        if part.get_content_disposition() == "attachment" or name:
            names.append(one_line(name or part.get_content_type(), 80))
    return names


def headers_only(raw: bytes, recipients: list[str], envelope_sender: str | None) -> Incoming:
    """A message read no further than its headers (one too large to read)."""
    message = BytesHeaderParser(policy=policy.default).parsebytes(raw[:256 * 1024])
    return _incoming(raw, message, recipients, envelope_sender)


def _incoming(raw: bytes, message, recipients: list[str],
              envelope_sender: str | None) -> Incoming:
    sender = _address(str(message.get("From") or ""))
    machine = automatic(message, envelope_sender)
    return Incoming(message_id=message_key(raw, message), sender=sender,
                    reply_to_sender="" if machine else sender,
                    addresses=addresses_of(message, recipients), automatic=machine)


def read(raw: bytes, recipients: list[str] = (), envelope_sender: str | None = None) -> Incoming:
    message = message_from_bytes(raw, policy=policy.default)
    incoming = _incoming(raw, message, list(recipients), envelope_sender)
    if not incoming.automatic:
        text, body = _text_of(message)
        incoming.text = trimmed(text)
        incoming.attachments = _attachments(message, body)
    return incoming
