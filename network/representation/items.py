"""The items members raise for a seat's next meeting: raising one, backing it ("this matters
to us too"), and the representative's answer."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_login import current_user

from network.core.htmx import render, see_other
from network.core.permissions import load
from network.core.submit import submit
from network.members.services import organisations_for
from network.representation import reads, services
from network.representation.blueprint import bp, load_seat
from network.representation.forms import BackItemForm, ItemForm, MarkItemForm
from network.representation.models import ItemStatus, RaisedItem


@bp.route("/seats/<int:seat_id>/items", methods=["GET", "POST"])
def raise_item(seat_id: int):
    found = load_seat(seat_id, need="seat.raise")
    form = ItemForm(organisations=organisations_for(current_user, any_for_coordinators=False))
    holder = found.current_term.holder if found.current_term else None
    return submit(
        form, lambda: services.raise_item(found, current_user, form.title.data,
                                          form.body.data or "", int(form.organisation.data),
                                          form.submission.data),
        once=lambda key: reads.existing_item(key, current_user),
        page=lambda: render("representation/item_form.html", {
            "seat": found, "form": form, "meeting": reads.next_meeting(found)}),
        done=lambda item: see_other(services.seat_path(found, f"i{item.id}"), _(
            "Your item is raised: %(name)s is told.", name=holder.name) if holder
            else _("Your item is raised.")))


def load_item(item_id: int, need: str) -> RaisedItem:
    return load(RaisedItem, item_id, need=need, visible="item.view", log_in="item.log_in")


@bp.post("/items/<int:item_id>/back")
def back_item(item_id: int):
    item = load_item(item_id, "item.back")
    form = BackItemForm()

    def done(changed: bool):
        backing = form.back.data == "1"
        holder = item.seat.current_term.holder if item.seat.current_term else None
        return see_other(services.seat_path(item.seat, f"i{item.id}"), _(
            "Thank you: %(name)s sees that it matters to you too.", name=holder.name)
            if backing and holder else _("Saved."),
            already=_("You already back it.") if backing else _("You were not backing it."),
            changed=changed)

    return submit(form, lambda: services.back_item(item, current_user, form.back.data == "1"),
                  page=lambda: abort(400), done=done)


@bp.route("/items/<int:item_id>/answer", methods=["GET", "POST"])
def answer_item(item_id: int):
    item = load_item(item_id, "item.answer")
    form = MarkItemForm(obj=item) if request.method == "GET" else MarkItemForm()
    if request.method == "GET":
        form.status.data = item.status.value
    return submit(
        form, lambda: services.mark_item(item, ItemStatus(form.status.data),
                                         form.reply.data or "", current_user),
        page=lambda: render("representation/item_answer.html", {"item": item, "form": form}),
        done=lambda changed: see_other(
            services.seat_path(item.seat, f"i{item.id}"), _("Saved: who raised it is told."),
            already=_("It was already marked so: nobody is told again."), changed=changed))
