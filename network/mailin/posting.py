"""A reply by email posted where its address points, through the same policy and service as
the page's form: a forum reply, a board conversation's message, a report's response."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from network.auth.models import Person
from network.board import services as board
from network.board.models import MESSAGE_MAX, Conversation
from network.core.forms import Refused
from network.core.links import site_path
from network.core.permissions import can
from network.extensions import db
from network.forum import services as forum
from network.forum.models import POST_MAX, PostState, Thread
from network.representation import reporting
from network.representation.models import Report, Response
from network.representation.policies import report_access, response_access

RESPONSE_MAX = 5000  # representation.forms.ResponseForm's body

# Why a reply was not posted, as its writer is told.
GONE = _l("what you replied to is no longer there")
NOT_ALLOWED = _l("you cannot post there now (it may be closed or locked, or your posting "
                 "paused)")


class NotPosted(Exception):
    """Why a reply could not be posted: one clause, put into the explanation's sentence."""

    def __init__(self, reason) -> None:
        super().__init__(str(reason))
        self.reason = reason


@dataclass(frozen=True)
class Posted:
    path: str  # where it is on the site
    held: bool = False  # waiting for a coordinator's approval


def _fits(body: str, limit: int) -> None:
    if len(body) > limit:
        raise NotPosted(_l("it is longer than the %(max)d characters a post there may have",
                           max=limit))


def _to_thread(person: Person, thread_id: int, body: str) -> Posted:
    thread = db.session.get(Thread, thread_id)
    if thread is None or not can("thread.view", thread, person):
        raise NotPosted(GONE)
    if not can("thread.reply", thread, person):
        raise NotPosted(NOT_ALLOWED)
    _fits(body, POST_MAX)
    post = forum.reply(thread, person, body, None)
    return Posted(site_path("forum.post", post_id=post.id), held=post.state == PostState.HELD)


def _to_conversation(person: Person, conversation_id: int, body: str) -> Posted:
    conversation = db.session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotPosted(GONE)
    if not (can("board.view", None, person) and can("conversation.write", conversation, person)):
        raise NotPosted(NOT_ALLOWED)
    _fits(body, MESSAGE_MAX)
    message = board.add_message(conversation, person, body)
    return Posted(site_path("board.conversation", conversation_id=conversation.id)
                  + f"#m{message.id}")


def _respond(person: Person, report: Report | None, body: str,
             under: Response | None = None) -> Posted:
    if report is None or not can("report.view", report, person):
        raise NotPosted(GONE)
    access = report_access(person, report)
    if not access.respond or (under is not None
                              and not response_access(person, under, access).reply):
        raise NotPosted(NOT_ALLOWED)
    _fits(body, RESPONSE_MAX)
    response = reporting.respond(report, person, body, None, under, None)
    return Posted(site_path("representation.report", report_id=report.id) + f"#r{response.id}")


def _to_report(person: Person, report_id: int, body: str) -> Posted:
    return _respond(person, db.session.get(Report, report_id), body)


def _to_response(person: Person, response_id: int, body: str) -> Posted:
    response = db.session.get(Response, response_id)
    if response is None:
        raise NotPosted(GONE)
    if response.reply_to_id is not None:  # replies are one level deep: under its response
        response = db.session.get(Response, response.reply_to_id)
    return _respond(person, db.session.get(Report, response.report_id), body, response)


POSTERS: dict[str, Callable[[Person, int, str], Posted]] = {
    "thread": _to_thread, "conversation": _to_conversation, "report": _to_report,
    "response": _to_response}


def post(person: Person, kind: str, target_id: int, body: str) -> Posted:
    """Post it as the person would on the page; NotPosted says why not."""
    if not person.is_active:
        raise NotPosted(NOT_ALLOWED)
    try:
        return POSTERS[kind](person, target_id, body)
    except Refused as refusal:
        raise NotPosted(refusal.message) from refusal
