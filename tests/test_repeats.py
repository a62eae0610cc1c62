"""Pressing it again: a coordinator's or contact's action repeated (a double click, a second
tab, a reloaded form) changes nothing, writes nothing, tells no one, and the page says it was
already so. The calendar, board and representation hold the same in their own tests."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from network.core.audit import AuditEntry
from network.core.mail import OutboxEmail
from network.extensions import db
from network.forum import services as forum
from network.notify.models import Notification


def written() -> tuple[int, int, int]:
    db.session.rollback()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (AuditEntry, Notification, OutboxEmail))


def twice(client, path: str, data: dict | None = None) -> str:
    """Post it twice; the second changes nothing at all. The page the second lands on."""
    first = client.post(path, data=data or {})
    assert first.status_code == 303, first.get_data(as_text=True)[:1000]
    before = written()
    second = client.post(path, data=data or {}, follow_redirects=True)
    assert second.status_code == 200
    assert written() == before, f"the second POST to {path} wrote something"
    return second.get_data(as_text=True)


def test_hiding_restoring_and_approving_a_post_again_changes_nothing(client, world, login):
    login(world.coordinator)
    post = world.post
    assert "already hidden" in twice(client, f"/forum/p/{post.id}/hide", {"reason": "Spam"})
    assert "not hidden" in twice(client, f"/forum/p/{post.id}/restore", {"reason": ""})
    assert "already approved" in twice(client, f"/forum/p/{post.id}/approve")


def test_dismissing_flags_again_changes_nothing(client, world, login):
    forum.flag(world.post, world.member, "Off topic")
    db.session.commit()
    login(world.coordinator)
    assert "no flags waiting" in twice(client, f"/forum/p/{world.post.id}/dismiss-flags")


@pytest.mark.parametrize("action, already", [("lock", "already locked"),
                                             ("pin", "already pinned")])
def test_locking_or_pinning_a_thread_again_changes_nothing(client, world, login, action,
                                                           already):
    login(world.coordinator)
    assert already in twice(client, f"/forum/t/{world.thread.id}/{action}")


def test_moving_renaming_and_lifting_a_pause_again_change_nothing(client, world, login):
    login(world.coordinator)
    thread = world.thread
    assert "already in Coordinators" in twice(client, f"/forum/t/{thread.id}/move",
                                              {"category": str(world.coordinators_room.id)})
    assert "already its title" in twice(client, f"/forum/t/{thread.id}/rename",
                                        {"title": "Halls for hire"})
    client.post(f"/forum/people/{world.member.id}/pause", data={"days": "7",
                                                                "reason": "Cooling off"})
    assert "was not paused" in twice(client, f"/forum/people/{world.member.id}/lift-pause")


def test_suspending_reinstating_and_a_role_again_change_nothing(client, world, login):
    login(world.coordinator)
    person = f"/coordinate/people/{world.member.id}"
    assert "already suspended" in twice(client, f"{person}/suspend", {"reason": "Spam"})
    assert "was not suspended" in twice(client, f"{person}/reinstate")
    assert "was already: Associate" in twice(client, f"{person}/role", {"role": "associate"})


def test_retiring_an_area_twice_leaves_it_retired(client, world, login):
    """It was a toggle: the second press brought the area back."""
    login(world.coordinator)
    path = f"/coordinate/areas/{world.north.id}/archive"
    assert "already retired" in twice(client, path, {"retire": "yes"})
    assert world.north.archived_at is not None
    assert "already in use" in twice(client, path, {"retire": "no"})
    assert world.north.archived_at is None


def test_an_area_is_neither_retired_nor_brought_back_without_saying_which(client, world, login):
    login(world.coordinator)
    before = written()
    page = client.post(f"/coordinate/areas/{world.north.id}/archive", follow_redirects=True)
    assert "press the button again" in page.get_data(as_text=True)
    assert world.north.archived_at is None and written() == before


def test_making_someone_a_contact_again_and_removing_them_again_change_nothing(client, world,
                                                                               login):
    from network.members.models import Membership

    login(world.contact)
    membership = db.session.scalar(select(Membership).where(
        Membership.person_id == world.member.id))
    people = f"/organisations/{world.org_a.id}/people/{membership.id}"
    assert "already a contact" in twice(client, f"{people}/contact", {"contact": "1"})
    assert "already not a contact" in twice(client, f"{people}/contact", {"contact": "0"})
    assert "had already left" in twice(client, f"{people}/remove")


def test_cancelling_an_invitation_again_changes_nothing(client, world, login):
    login(world.contact)
    path = f"/organisations/{world.org_a.id}/invitations/{world.invitation.id}/cancel"
    assert "already cancelled" in twice(client, path)


def test_an_organisations_status_set_again_changes_nothing(client, world, login):
    login(world.coordinator)
    path = f"/organisations/{world.org_b.id}/status"
    assert "was already: Suspended" in twice(client, path, {"status": "suspended",
                                                             "reason": "No reply for a year"})


def test_confirming_an_organisation_active_again_the_same_day_changes_nothing(client, world,
                                                                            login):
    login(world.contact)
    path = f"/organisations/{world.org_a.id}/confirm-active"
    assert "already confirmed as still active today" in twice(client, path)
