"""Every route, as every kind of person: a new route cannot skip its permission check.

A route missing from RULES fails the test until someone decides who may use it.
"""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, build_world
from tests.urls import endpoints, url

ROLES = ["visitor", "associate", "member", "other_member", "contact", "coordinator", "admin"]

# Who gets through; everyone else is sent to log in (visitors) or refused with 403, or, for
# what is theirs alone, answered 404 as if it did not exist (HIDDEN).
PUBLIC = set(ROLES)
SIGNED_IN = set(ROLES) - {"visitor"}
ORG_MANAGER = {"contact", "coordinator", "admin"}
COORDINATOR = {"coordinator", "admin"}
POSTERS = SIGNED_IN - {"associate"}  # associates read the forum; members post
# The world's thread was started by "member" and answered by "other_member".
AUTHOR = {"member"}

RULES: dict[str, set[str]] = {
    "pages.home": PUBLIC,
    "pages.memorandum": PUBLIC,
    "pages.healthz": PUBLIC,
    "pages.dashboard": SIGNED_IN,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.confirm_email": SIGNED_IN,  # only the person who asked, logged in
    "auth.cancel_email_change": PUBLIC,  # the token in the link to the old address
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.change_email": SIGNED_IN,
    "auth.end_other_sessions": SIGNED_IN,
    "members.directory": PUBLIC,
    "members.organisation": PUBLIC,
    "members.join": PUBLIC,
    "members.join_sent": PUBLIC,
    "members.accept_invitation": PUBLIC,
    "members.edit_organisation": ORG_MANAGER,
    "members.people": ORG_MANAGER,
    "members.remove_person": ORG_MANAGER,
    "members.set_contact": ORG_MANAGER,
    "members.resend_invitation": ORG_MANAGER,
    "members.cancel_invitation": ORG_MANAGER,
    "members.confirm_active": ORG_MANAGER,
    "members.change_status": COORDINATOR,
    "coordination.overview": COORDINATOR,
    "coordination.applications": COORDINATOR,
    "coordination.application": COORDINATOR,
    "coordination.approve": COORDINATOR,
    "coordination.decline": COORDINATOR,
    "coordination.people": COORDINATOR,
    "coordination.person": COORDINATOR,
    "coordination.set_role": COORDINATOR,
    "coordination.suspend": COORDINATOR,
    "coordination.reinstate": COORDINATOR,
    "coordination.list_entries": COORDINATOR,
    "coordination.edit_list_entry": COORDINATOR,
    "coordination.archive_list_entry": COORDINATOR,
    "coordination.audit_log": COORDINATOR,
    "forum.index": SIGNED_IN,
    "forum.category": SIGNED_IN,
    "forum.new_thread": POSTERS,
    "forum.thread": SIGNED_IN,
    "forum.first_unread": SIGNED_IN,
    "forum.reply": POSTERS,
    "forum.reply_page": SIGNED_IN,  # a reload of the reply address leads back to the thread
    "forum.watch": SIGNED_IN,
    "forum.post": SIGNED_IN,
    "forum.edit_post": AUTHOR,  # coordinators hide posts; they never rewrite them
    "forum.post_history": AUTHOR | COORDINATOR,
    "forum.flag_post": SIGNED_IN - {"other_member"},  # not one's own post
    "forum.moderation": COORDINATOR,
    "forum.approve_post": COORDINATOR,
    "forum.hide_post": COORDINATOR,
    "forum.restore_post": COORDINATOR,
    "forum.dismiss_flags": COORDINATOR,
    "forum.manage_thread": COORDINATOR,
    "forum.set_thread_state": COORDINATOR,
    "forum.move_thread": COORDINATOR,
    "forum.rename_thread": COORDINATOR,
    "forum.categories": COORDINATOR,
    "forum.edit_category": COORDINATOR,
    "forum.pause_posting": COORDINATOR,
    "forum.lift_pause": COORDINATOR,
    "notify.notifications": SIGNED_IN,
    "notify.mark_all_read": SIGNED_IN,
    "notify.settings": SIGNED_IN,
    "notify.open_notification": AUTHOR,  # the world's notification is the member's
    "notify.unsubscribe": PUBLIC,  # the signed token in the link is the authority
}

# Signed-in people who are told "not found" rather than "forbidden": the object is someone
# else's, and its existence is not theirs to know.
HIDDEN: dict[str, set[str]] = {
    "notify.open_notification": SIGNED_IN - AUTHOR,
}


def outcome(response) -> str:
    if response.status_code >= 500:
        return f"error {response.status_code}"
    if response.status_code in (302, 303) and "/login" in response.headers.get("Location", ""):
        return "login"
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 404:
        return "hidden"
    return "through"


def expected(endpoint: str, role: str) -> str:
    if role in HIDDEN.get(endpoint, ()):
        return "hidden"
    if role in RULES[endpoint]:
        return "through"
    return "login" if role == "visitor" else "forbidden"


def test_every_route_is_in_the_table(app):
    missing = sorted(set(endpoints(app)) - set(RULES))
    assert not missing, f"Add these endpoints to RULES, deciding who may use them: {missing}"
    stale = sorted(set(RULES) - set(endpoints(app)))
    assert not stale, f"RULES names endpoints that no longer exist: {stale}"


def test_a_visitor_is_never_refused_something_public_and_never_sees_the_rest(app):
    # The table itself must make sense: public routes need no login, everything else does.
    for endpoint, allowed in RULES.items():
        assert ("visitor" in allowed) == (allowed == PUBLIC), endpoint


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, role):
    world = build_world()
    client = app.test_client()

    def log_in():
        nonlocal client
        client = app.test_client()
        if role != "visitor":
            person = getattr(world, "other_member" if role == "other_member" else role)
            response = client.post("/login", data={"email": person.email,
                                                   "password": PASSWORD})
            assert response.status_code == 303

    def rebuild():
        nonlocal world
        from network.extensions import db
        from tests.conftest import wipe

        db.session.remove()
        wipe(db.engine)
        world = build_world()
        log_in()

    log_in()
    wrong = []
    for endpoint, methods in sorted(endpoints(app).items()):
        for method in sorted(methods):
            path = url(app, endpoint, world)
            response = client.open(path, method=method)
            got, want = outcome(response), expected(endpoint, role)
            if got != want:
                wrong.append(f"{method} {path} ({endpoint}): got {got}, want {want}")
            if method == "POST" and got == "through":
                rebuild()  # the post may have changed the world; start the next one afresh
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)
