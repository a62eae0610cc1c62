"""Calendar feeds to subscribe to: one event's file, the public events, a person's own (its
address is the key), and the page that gives (and resets) that address."""

from __future__ import annotations

import hmac

from flask import abort, current_app, make_response, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.http import is_resource_modified

from network.auth.models import Person
from network.calendar import feeds, services, stretch
from network.calendar.blueprint import bp
from network.calendar.forms import ResetFeedForm
from network.calendar.models import Event
from network.calendar.reads import listed
from network.core.htmx import render, see_other
from network.core.links import absolute_url
from network.core.permissions import Visitor, authorize, load, seen_by
from network.core.submit import submit
from network.extensions import db


def ics(where: tuple, name: str, events, filename: str, private: bool):
    """A calendar file named `name` of the events `where` selects (`events()` reads them),
    or 304 when the calendar program's copy (its If-None-Match, or If-Modified-Since) is
    still what it would be: decided from feeds.feed_state's two queries, whose digest of
    what the feed is made of is its ETag; a feed this worker built with that ETag is sent
    again without reading the events or building it."""
    state = feeds.feed_state(name, *where)
    if is_resource_modified(request.environ, etag=state.etag, last_modified=state.modified):
        response = make_response(feeds.built.get(
            state.etag, lambda: feeds.feed(events(), name)))
        response.headers["Content-Type"] = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    else:
        response = make_response("", 304)
    response.set_etag(state.etag, weak=True)  # the same calendar, however it is compressed
    response.last_modified = state.modified
    response.headers["Cache-Control"] = "private, no-cache" if private else \
        "public, max-age=900"
    return response


def feed_window(*where) -> tuple:
    """A feed's events, of those `where` selects: the window and counts stretch.feed_ids
    gives (three months back, a year ahead; the nearest first, up to a count of each)."""
    return (Event.id.in_(stretch.feed_ids(*where)),)


def feed_events(*where) -> list[Event]:
    """Events for a feed, with their changes."""
    return db.session.scalars(
        select(Event).where(*where).options(*listed(description=True))
        .order_by(Event.starts_at, Event.id)).unique().all()


@bp.get("/e/<int:event_id>.ics")
def download(event_id: int):
    event = load(Event, event_id, need="event.view")  # its changes read only if it is sent
    return ics((Event.id == event.id,), event.title, lambda: [event], f"{event.slug}.ics",
               private=event.audience != "public")


@bp.get("/public.ics")
def public_feed():
    """What everyone may see: the events a visitor sees, whoever asks."""
    authorize("calendar.view")
    where = feed_window(seen_by(Event, Visitor()))
    return ics(where, _("%(site)s: public events", site=current_app.config["SITE_NAME"]),
               lambda: feed_events(*where), "public.ics", private=False)


@bp.get("/feed/<int:person_id>/<token>.ics")
def private_feed(person_id: int, token: str):
    """A person's own feed: the address is the key (a calendar program cannot log in); it
    stops working when they reset it. Tokens are compared as bytes: compare_digest refuses
    str with non-ASCII characters (a 500 where a 404 is due)."""
    person = db.session.get(Person, person_id)
    if person is None or not person.is_active or \
            not hmac.compare_digest(token.encode(), services.feed_token(person).encode()):
        abort(404)
    where = feed_window(seen_by(Event, person))
    return ics(where, _("%(site)s: your calendar", site=current_app.config["SITE_NAME"]),
               lambda: feed_events(*where), "network.ics", private=True)


@bp.route("/feed", methods=["GET", "POST"])
def feed_settings():
    authorize("calendar.feed")
    form = ResetFeedForm()

    def page():
        address = absolute_url("calendar.private_feed", person_id=current_user.id,
                               token=services.feed_token(current_user))
        public = absolute_url("calendar.public_feed")
        return render("calendar/feed.html", {
            "form": form, "address": address, "public": public,
            # webcal: opens the device's calendar program, which subscribes.
            "subscribe": "webcal:" + address.split(":", 1)[1],
            "subscribe_public": "webcal:" + public.split(":", 1)[1]})

    return submit(form, lambda: services.reset_feed(current_user), page=page,
                  done=lambda _reset: see_other(
                      url_for("calendar.feed_settings"),
                      _("Your feed has a new address. The old one no longer works: give "
                        "calendar programs the new one.")))
