"""Every field takes only its own values: a choice not offered, a checkbox sent "no", a
button's value made up, is refused with 422 and a message, and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from network.extensions import db
from network.forum.models import Category, Flag, Post, PostingPause, PostState, ThreadWatch
from network.members.models import Membership
from network.notify.models import NotificationSetting
from tests.factories import make_thread


def page(response) -> str:
    return response.get_data(as_text=True)


def refused(response, message: str) -> None:
    assert response.status_code == 422, (response.status_code, page(response)[:500])
    assert message in page(response)


def test_watching_a_thread_takes_watch_mute_or_none_only(client, world, login):
    login(world.member)
    before = db.session.get(ThreadWatch, (world.member.id, world.thread.id)).muted
    for state in ("banana", ""):
        response = client.post(f"/forum/t/{world.thread.id}/watch", data={"state": state})
        refused(response, "Choose to watch the thread, mute it, or neither.")
    refused(client.post(f"/forum/t/{world.thread.id}/watch"), "Choose to watch the thread")
    db.session.rollback()
    assert db.session.get(ThreadWatch, (world.member.id, world.thread.id)).muted == before
    assert client.post(f"/forum/t/{world.thread.id}/watch",
                       data={"state": "mute"}).status_code == 303


def test_a_contact_button_takes_yes_or_no_only(client, world, login):
    login(world.contact)
    path = f"/organisations/{world.org_a.id}/people/{world.member_membership.id}/contact"
    refused(client.post(path, data={"contact": "banana"}), "make them a contact or not")
    db.session.rollback()
    assert db.session.get(Membership, world.member_membership.id).is_contact is False
    assert client.post(path, data={"contact": "1"}).status_code == 303
    db.session.rollback()
    assert db.session.get(Membership, world.member_membership.id).is_contact is True


def test_moderation_buttons_go_back_only_where_they_offer(client, world, login):
    held = make_thread(world.category, world.other_member, "Held", ["Wait"],
                       state=PostState.HELD)
    post = db.session.scalar(select(Post).where(Post.thread_id == held.id))
    db.session.add(Flag(post_id=world.post.id, person_id=world.member.id, reason="Rude"))
    db.session.commit()
    login(world.coordinator)
    message = "The form asked to go back somewhere unknown."
    refused(client.post(f"/forum/p/{post.id}/approve", data={"next": "elsewhere"}), message)
    refused(client.post(f"/forum/p/{world.post.id}/dismiss-flags",
                        data={"next": "elsewhere"}), message)
    db.session.rollback()
    assert db.session.get(Post, post.id).state == PostState.HELD
    assert db.session.scalar(select(Flag)).resolved_at is None
    assert client.post(f"/forum/p/{post.id}/approve", data={"next": "moderation"}).headers[
        "Location"] == "/forum/moderation"


def test_category_forms_take_only_the_audiences_and_buttons_they_offer(client, world, login):
    login(world.coordinator)
    form = {"name": "General", "description": "", "audience": "members", "position": "0"}
    path = f"/forum/categories/{world.category.id}"
    refused(client.post(path, data={**form, "archive": "banana"}), "Choose one of the buttons.")
    refused(client.post(path, data={**form, "audience": "everyone"}), "Choose who can read it.")
    refused(client.post("/forum/categories", data={**form, "name": "New",
                                                   "audience": "everyone"}),
            "Choose who can read it.")
    db.session.rollback()
    assert db.session.get(Category, world.category.id).archived_at is None
    assert client.post(path, data={**form, "archive": "1"}).status_code == 303
    db.session.rollback()
    category = db.session.get(Category, world.category.id)
    assert category.archived_at is not None
    assert not hasattr(category, "archive")  # a button is not stored on the model


def test_moving_and_pausing_take_only_what_is_listed(client, world, login):
    login(world.coordinator)
    refused(client.post(f"/forum/t/{world.thread.id}/move", data={"category": "banana"}),
            "Choose one of the categories listed.")
    refused(client.post(f"/forum/people/{world.member.id}/pause",
                        data={"reason": "Calm down", "days": "365"}),
            "Choose one of the lengths listed.")
    assert db.session.scalar(select(PostingPause)) is None


def test_a_reply_with_a_forged_submission_key_is_refused(client, world, login):
    login(world.member)
    refused(client.post(f"/forum/t/{world.thread.id}/reply",
                        data={"body": "Hello", "submission": "<script>", "page": "1"}),
            "The form was damaged on the way.")


def test_notification_settings_take_only_the_ways_listed(client, world, login):
    login(world.member)
    refused(client.post("/account/notifications", data={
        "forum_reply": "carrier_pigeon", "forum_mention": "in_app",
        "forum_moderation": "daily"}), "Choose one of the ways listed.")
    db.session.rollback()
    assert db.session.scalar(select(NotificationSetting)) is None


def test_an_organisations_status_takes_only_the_statuses_listed(client, world, login):
    login(world.coordinator)
    refused(client.post(f"/organisations/{world.org_a.id}/status",
                        data={"status": "banana", "reason": "Because"}),
            "Choose one of the statuses listed.")


@pytest.mark.parametrize(("who", "path", "data", "message"), [
    ("visitor", "/login", {"email": "member@example.org", "password": "correct horse battery",
                           "remember": "no"}, "Tick the box, or leave it empty."),
    ("member", "/account", {"display_name": "Mo", "show_email_to_members": "no"},
     "Tick the box, or leave it empty."),
    ("contact", "/organisations/{org}/people", {"email": "new@example.org", "name": "",
                                                "as_contact": "false"},
     "Tick the box, or leave it empty."),
])
def test_a_checkbox_takes_its_own_value_or_nothing(client, world, login, who, path, data,
                                                   message):
    if who != "visitor":
        login(getattr(world, who))
    response = client.post(path.format(org=world.org_a.id), data=data)
    refused(response, message)


@pytest.mark.parametrize(("who", "path", "message"), [
    ("visitor", "/organisations?area=banana", "Choose one of the areas listed."),
    ("visitor", "/organisations?theme=99999", "Choose one of the themes listed."),
    ("visitor", "/organisations?kind=secret_society", "Choose one of the kinds listed."),
    ("coordinator", "/coordinate/people?role=emperor", "Choose one of the roles listed."),
    ("coordinator", "/coordinate/people?status=banana", "Choose one of the statuses listed."),
])
def test_a_filter_takes_only_the_values_it_lists(client, world, login, who, path, message):
    if who != "visitor":
        login(getattr(world, who))
    response = client.get(path)
    refused(response, message)
    assert "Alpha Tenants" in page(response) or "Mo Member" in page(response)  # unfiltered
    assert client.get(path.split("?")[0]).status_code == 200
