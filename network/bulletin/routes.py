"""The bulletin as a page (this week's, and each issue sent) that prints on two sides of A4,
and as plain text to paste into a newsletter. Everyone may read it; each reader sees what
they may see of it: visitors what is public, members the members' version."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template

from network.bulletin import reads
from network.bulletin.models import BulletinIssue
from network.core.htmx import render
from network.core.links import absolute_url
from network.core.permissions import Visitor, authorize, me
from network.core.text import one_line

bp = Blueprint("bulletin", __name__)


def bulletin_context(issue: BulletinIssue | None, reader=None) -> dict:
    """The issue as its reader may see it: the person asking, unless another is given."""
    week = issue.week if issue is not None else reads.this_week()
    return {"issue": issue, "c": reads.contents(reader or me(), week), "week": week}


def load_issue(number: int) -> BulletinIssue:
    authorize("bulletin.view")
    issue = reads.issue_numbered(number)
    if issue is None:
        abort(404)
    return issue


@bp.get("/bulletin")
def latest():
    """This week's bulletin: the issue sent this week, or what it will hold."""
    authorize("bulletin.view")
    issue = reads.issue_of_week(reads.this_week())
    return render("bulletin/issue.html", bulletin_context(issue))


@bp.get("/bulletin/<int:number>")
def issue(number: int):
    return render("bulletin/issue.html", bulletin_context(load_issue(number)))


@bp.get("/bulletin.txt")
def latest_text():
    """This week's as plain text, before it is sent too: a newsletter's deadline is its own."""
    authorize("bulletin.view")
    return plain_text(reads.issue_of_week(reads.this_week()))


@bp.get("/bulletin/<int:number>.txt")
def text(number: int):
    return plain_text(load_issue(number))


def plain_text(found: BulletinIssue | None) -> Response:
    page = (absolute_url("bulletin.issue", number=found.number) if found is not None
            else absolute_url("bulletin.latest"))
    # Pasted into a newsletter, which goes beyond the network: the public edition, whoever
    # asks (a coordinator's own view holds coordinators-only threads).
    body = render_template("bulletin/issue.txt", **bulletin_context(found, Visitor()),
                           absolute=absolute_url, page=page)
    response = Response(body, mimetype="text/plain")
    name = f"bulletin-{found.number}.txt" if found is not None else "bulletin.txt"
    response.headers.set("Content-Disposition", "inline", filename=one_line(name))
    return response
