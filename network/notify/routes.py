"""The in-app list of notifications, delivery settings, and one-click unsubscribe."""

from __future__ import annotations

from flask import Blueprint, abort, has_request_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from network.auth.services import viewer_fact
from network.core.forms import EmptyForm
from network.core.htmx import render, see_other
from network.core.pagination import paginate
from network.core.permissions import authorize, load, visible
from network.core.submit import press, submit
from network.extensions import csrf
from network.notify import services
from network.notify.forms import settings_form
from network.notify.models import Delivery, Notification

bp = Blueprint("notify", __name__)


@bp.app_context_processor
def header():
    return {"unread_count": unread_count}


def unread_count() -> int:
    """Unread notifications for the header, asked with the session (auth.VIEWER_FACTS)."""
    if not (has_request_context() and current_user.is_authenticated):
        return 0
    return (current_user.facts or {}).get("unread_notifications") or 0


viewer_fact("unread_notifications", lambda person_id: select(func.count())
            .select_from(Notification)
            .where(Notification.person_id == person_id, Notification.read_at.is_(None))
            .scalar_subquery())


@bp.get("/notifications")
def notifications():
    authorize("notifications.use")
    return render("notify/notifications.html", notifications_context(),
                  fragments=("results",))


def notifications_context() -> dict:
    page = paginate(visible(select(Notification))
                    .order_by(Notification.created_at.desc(), Notification.id.desc()))
    return {"page": page, "form": EmptyForm()}


@bp.post("/notifications/<int:notification_id>/open")
def open_notification(notification_id: int):
    authorize("notifications.use")
    notification = load(Notification, notification_id, need="notification.open",
                        visible="notification.open")
    # Only our own paths are stored, but a redirect never leaves the site.
    target = notification.url if notification.url.startswith("/") and not \
        notification.url.startswith("//") else url_for("notify.notifications")
    return press(lambda: services.mark_read(notification), target)


@bp.post("/notifications/read")
def mark_all_read():
    authorize("notifications.use")
    to_list = url_for("notify.notifications")
    return press(lambda: services.mark_all_read(current_user), to_list,
                 _("All your notifications are marked read."))


@bp.route("/account/notifications", methods=["GET", "POST"])
def settings():
    authorize("notifications.use")
    current = {kind: services.delivery_for(current_user, kind) for kind in services.KINDS}
    letters = {kind: services.subscribed(current_user, kind) for kind in services.SUBSCRIPTIONS}
    form = settings_form(current, services.KINDS, services.SUBSCRIPTIONS, letters)
    return submit(form, lambda: services.save_settings(current_user, {
                      kind: Delivery(form[kind.replace(".", "_")].data)
                      for kind in services.KINDS}, {
                      kind: form[f"letter_{kind}"].data for kind in services.SUBSCRIPTIONS}),
                  page=lambda: render("notify/settings.html", form=form),
                  done=lambda _result: see_other(url_for("notify.settings"),
                                                 _("How you hear from us is saved.")))


# A mail program's one-click unsubscribe (RFC 8058) posts without a CSRF token; the signed
# token in the address is the authority, and all it can do is turn email off.
@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    found = services.read_unsubscribe_token(token)
    if found is None:
        abort(404)
    person, kind = found
    label = services.label_of(kind)
    return submit(EmptyForm(meta={"csrf": False}), lambda: services.unsubscribe(person, kind),
                  page=lambda: render("notify/unsubscribe.html", label=label, token=token,
                                      letter=kind in services.SUBSCRIPTIONS),
                  done=lambda _result: render("notify/unsubscribed.html", label=label))
