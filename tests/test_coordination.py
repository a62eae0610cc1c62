"""The secretariat's tools: roles, suspensions, areas and themes, and the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from network.auth.models import LoginSession, Role
from network.core.audit import AuditEntry
from network.extensions import db
from network.members.models import Area, Theme
from tests.factories import PASSWORD


def body(response) -> str:
    return response.get_data(as_text=True)


def last_audit(action: str) -> AuditEntry:
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == action)
                             .order_by(AuditEntry.id.desc()))


def test_a_coordinator_changes_a_members_role_and_it_is_logged(client, world, login):
    login(world.coordinator)
    response = client.post(f"/coordinate/people/{world.member.id}/role",
                           data={"role": "associate"})
    assert response.status_code == 303
    assert world.member.role == Role.ASSOCIATE
    entry = last_audit("person.role")
    assert entry.actor_id == world.coordinator.id
    assert entry.details == {"old": "member", "new": "associate"}
    assert "Mo Member" in body(client.get("/coordinate/audit"))


def test_only_an_admin_makes_or_unmakes_coordinators(client, world, login):
    login(world.coordinator)
    refused = client.post(f"/coordinate/people/{world.member.id}/role",
                          data={"role": "coordinator"})
    assert refused.status_code == 403
    assert client.post(f"/coordinate/people/{world.admin.id}/role",
                       data={"role": "member"}).status_code == 403
    assert world.member.role == Role.MEMBER and world.admin.role == Role.ADMIN
    client.post("/logout")
    login(world.admin)
    assert client.post(f"/coordinate/people/{world.member.id}/role",
                       data={"role": "coordinator"}).status_code == 303
    assert world.member.role == Role.COORDINATOR


def test_nobody_changes_their_own_role(client, world, login):
    login(world.admin)
    assert client.post(f"/coordinate/people/{world.admin.id}/role",
                       data={"role": "member"}).status_code == 403
    assert world.admin.role == Role.ADMIN


def test_an_unknown_role_is_refused_beside_the_field(client, world, login):
    login(world.coordinator)
    response = client.post(f"/coordinate/people/{world.member.id}/role",
                           data={"role": "emperor"})
    assert response.status_code == 422
    assert "Choose one of the roles listed." in body(response)
    assert world.member.role == Role.MEMBER


def test_suspending_logs_the_person_out_everywhere_and_reinstating_lets_them_back(
        app, client, world, login, deliver, mailbox):
    victim = app.test_client()
    login(world.member, c=victim)
    login(world.coordinator)
    no_reason = client.post(f"/coordinate/people/{world.member.id}/suspend", data={"reason": ""})
    assert no_reason.status_code == 422
    assert world.member.suspended_at is None
    client.post(f"/coordinate/people/{world.member.id}/suspend",
                data={"reason": "Abusive messages"})
    assert world.member.suspended_at is not None
    assert victim.get("/dashboard").status_code == 302
    assert all(s.revoked_at for s in db.session.scalars(
        select(LoginSession).where(LoginSession.person_id == world.member.id)))
    relogin = victim.post("/login", data={"email": world.member.email, "password": PASSWORD})
    assert relogin.status_code == 422
    deliver()
    assert "Abusive messages" in mailbox.body(mailbox.last_to(world.member.email))
    assert last_audit("person.suspend").details == {"reason": "Abusive messages"}
    client.post(f"/coordinate/people/{world.member.id}/reinstate")
    assert world.member.suspended_at is None
    assert victim.post("/login", data={"email": world.member.email,
                                       "password": PASSWORD}).status_code == 303


def test_a_coordinator_cannot_suspend_another_coordinator_but_an_admin_can(client, world, login):
    world.member.role = Role.COORDINATOR
    db.session.commit()
    login(world.coordinator)
    assert client.post(f"/coordinate/people/{world.member.id}/suspend",
                       data={"reason": "x"}).status_code == 403
    client.post("/logout")
    login(world.admin)
    assert client.post(f"/coordinate/people/{world.member.id}/suspend",
                       data={"reason": "x"}).status_code == 303


def test_people_search_filters_by_name_role_and_status(client, world, login):
    login(world.coordinator)
    page = body(client.get("/coordinate/people?q=mo"))
    assert "Mo Member" in page and "Cora Contact" not in page
    admins = body(client.get("/coordinate/people?role=admin"))
    assert "Ada Admin" in admins and "Mo Member" not in admins
    fragment = body(client.get("/coordinate/people?q=cora",
                               headers={"HX-Request": "true", "HX-Target": "results"}))
    assert "Cora Contact" in fragment and "<html" not in fragment


def test_areas_and_themes_are_added_renamed_and_retired_never_deleted(client, world, login):
    login(world.coordinator)
    assert client.post("/coordinate/areas", data={"name": "Riverside East",
                                                  "description": "New ward"}).status_code == 303
    area = db.session.scalar(select(Area).where(Area.name == "Riverside East"))
    duplicate = client.post("/coordinate/areas", data={"name": "Riverside East"})
    assert duplicate.status_code == 422 and "already one with this name" in body(duplicate)
    client.post(f"/coordinate/areas/{area.id}", data={"name": "East Riverside",
                                                      "description": ""})
    assert area.name == "East Riverside"
    assert last_audit("area.edit").details["changes"]["name"] == ["Riverside East",
                                                                   "East Riverside"]
    client.post(f"/coordinate/areas/{area.id}/archive", data={"retire": "yes"})
    assert area.archived_at is not None
    assert ">East Riverside</option>" not in body(client.get("/organisations"))
    client.post(f"/coordinate/areas/{area.id}/archive", data={"retire": "no"})
    assert area.archived_at is None
    client.post("/coordinate/themes", data={"name": "Digital inclusion"})
    assert db.session.scalar(select(Theme).where(Theme.name == "Digital inclusion"))
    assert client.get(f"/coordinate/areas/{world.housing.id + 1000}").status_code == 404


def test_the_audit_log_filters_by_action_and_records_where_from(client, world, login):
    login(world.coordinator)
    client.post("/coordinate/themes", data={"name": "Transport"},
                environ_base={"REMOTE_ADDR": "198.51.100.7"})
    client.post(f"/coordinate/people/{world.member.id}/role", data={"role": "associate"})
    themes_only = body(client.get("/coordinate/audit?action=theme"))
    assert "Added theme Transport" in themes_only and "198.51.100.7" in themes_only
    assert "associate" not in themes_only


def test_a_proxy_address_is_trusted_only_when_configured(make_app):
    from tests.factories import build_world

    for proxies, expected in ((0, "127.0.0.1"), (1, "203.0.113.9")):
        app = make_app(PROXY_COUNT=proxies)
        with app.app_context():
            world = build_world()
            client = app.test_client()
            client.post("/login", data={"email": world.coordinator.email, "password": PASSWORD})
            client.post("/coordinate/themes", data={"name": f"Theme via {proxies}"},
                        headers={"X-Forwarded-For": "203.0.113.9"})
            assert last_audit("theme.create").ip == expected
            db.session.remove()
            from tests.conftest import wipe

            wipe(db.engine)


@pytest.mark.parametrize("form", ["status", "decline", "move", "rename"])
def test_a_refused_form_at_the_foot_of_a_page_opens_at_its_message(client, world, login, form):
    """Without JavaScript the page answering a refused form opens at the form (its action
    carries the anchor); its address, opened again later, leads back to the page."""
    login(world.coordinator)
    address, data, anchor, page = {
        "status": (f"/organisations/{world.org_a.id}/status", {"status": "banana"},
                   "membership-status",
                   f"/organisations/{world.org_a.id}-{world.org_a.slug}"),
        "decline": (f"/coordinate/applications/{world.application.id}/decline",
                    {"reason": ""}, "decide", f"/coordinate/applications/{world.application.id}"),
        "move": (f"/forum/t/{world.thread.id}/move", {"category": "0"}, "move",
                 f"/forum/t/{world.thread.id}/manage"),
        "rename": (f"/forum/t/{world.thread.id}/rename", {"title": " "}, "rename",
                   f"/forum/t/{world.thread.id}/manage"),
    }[form]
    refused = client.post(address, data=data)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert f'action="{address}#{anchor}"' in html and f'id="{anchor}"' in html
    again = client.get(address)
    assert again.status_code == 303 and again.headers["Location"] == f"{page}#{anchor}"
