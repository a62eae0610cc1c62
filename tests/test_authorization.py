"""Every route, as every kind of person: a new route cannot skip its permission check.

A route missing from RULES fails the test until someone decides who may use it.
"""

from __future__ import annotations

import pytest

from network.extensions import db
from tests.conftest import commits, restore, snapshot
from tests.factories import PASSWORD, add_states, build_world
from tests.urls import endpoints, state_variants, url

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
# The world's event is org_a's (member and contact belong to it).
ORGANISERS = {"member", "contact"} | COORDINATOR
# The world's seat is held by "member": its holder and coordinators write its reports.
WRITERS = {"member"} | COORDINATOR
IN_ORGANISATIONS = {"member", "other_member", "contact"}  # coordinators belong to none

RULES: dict[str, set[str]] = {
    "pages.home": PUBLIC,
    "pages.memorandum": PUBLIC,
    # The privacy page: everyone reads it; coordinators and admins write it.
    "privacy.notice": PUBLIC,
    "privacy.edit_notice": COORDINATOR,
    "pages.healthz": PUBLIC,
    "pages.dashboard": SIGNED_IN,
    # The bulletin is for everyone: each reader sees what they may (visitors what is public).
    "bulletin.latest": PUBLIC,
    "bulletin.issue": PUBLIC,
    "bulletin.text": PUBLIC,
    "bulletin.latest_text": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.language": PUBLIC,  # a visitor's choice in a cookie, a person's on their account
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,
    "auth.confirm_email": SIGNED_IN,  # only the person who asked, logged in
    "auth.cancel_email_change": PUBLIC,  # the token in the link to the old address
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.change_email": SIGNED_IN,
    "auth.end_other_sessions": SIGNED_IN,
    "members.directory": PUBLIC,
    "search.search": PUBLIC,  # what each finds is their own (tests/test_search.py)
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
    "impact.organisation": ORG_MANAGER,  # org_a's contact; coordinators see every one's
    "impact.organisation_csv": ORG_MANAGER,
    "impact.network": COORDINATOR,
    "impact.network_csv": COORDINATOR,
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
    # Closing an account: one's own (the empty form the walk sends closes nothing), or a
    # coordinator's for someone else (never their own; admins alone for coordinators).
    "privacy.close_account": SIGNED_IN,
    "privacy.closed": PUBLIC,
    "privacy.close_for": COORDINATOR,
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
    "calendar.agenda": PUBLIC,
    "calendar.month": PUBLIC,
    "calendar.week": PUBLIC,
    "calendar.event": SIGNED_IN,  # a members' event; a visitor is asked to log in
    "calendar.download": SIGNED_IN,
    "calendar.paper": SIGNED_IN,
    "calendar.rsvp": SIGNED_IN,
    "calendar.new_event": POSTERS,
    "calendar.edit_event": ORGANISERS,
    "calendar.cancel_event": ORGANISERS,
    "calendar.add_paper": ORGANISERS,
    "calendar.follow": SIGNED_IN,
    "calendar.feed_settings": SIGNED_IN,
    "calendar.calendar_sources": COORDINATOR,
    "calendar.edit_source": COORDINATOR,
    "calendar.import_source": COORDINATOR,
    "calendar.remove_source": COORDINATOR,
    "calendar.public_feed": PUBLIC,
    "calendar.private_feed": PUBLIC,  # the secret in the address is the authority
    "board.board": SIGNED_IN,
    "board.new_listing": POSTERS,
    "board.listing": SIGNED_IN,
    "board.edit_listing": ORGANISERS,
    "board.settle": ORGANISERS,
    "board.change_state": ORGANISERS,
    "board.hide_listing": COORDINATOR,
    # Its own organisation's people are told so on the page; a coordinator belongs to none.
    "board.reply": {"member", "other_member", "contact"},
    "board.reply_page": SIGNED_IN,  # a reload of the reply address leads back to the form
    "board.conversation": SIGNED_IN - {"associate"},  # org_a's listing, org_b's reply
    "board.my_bookings": SIGNED_IN,
    "representation.bodies": PUBLIC,
    # The world's body is for members: a visitor (a member following a link before logging
    # in) is asked to log in, on every page of it; what only writers or coordinators see (a
    # draft, an archived body) is not there for visitors (STATE_RULES).
    "representation.body": SIGNED_IN,
    "representation.representatives": SIGNED_IN,
    "representation.new_body": COORDINATOR,
    "representation.edit_body": COORDINATOR,
    "representation.new_seat": COORDINATOR,
    "representation.edit_seat": COORDINATOR,
    "representation.new_term": COORDINATOR,
    "representation.edit_term": COORDINATOR,
    "representation.archive_body": COORDINATOR,
    "representation.archive_seat": COORDINATOR,
    # The world's seat is on a members' body, held by "member"; its report is published for
    # members, its raised item is the contact's.
    "representation.seat": SIGNED_IN,
    "representation.seat_record": SIGNED_IN,
    "representation.body_record": SIGNED_IN,
    "representation.raise_item": IN_ORGANISATIONS,
    "representation.back_item": {"member", "other_member"},  # not its author's own
    "representation.answer_item": WRITERS,
    "representation.new_report": WRITERS,
    "representation.report": SIGNED_IN,
    "representation.report_text": SIGNED_IN,
    "representation.report_paper": SIGNED_IN,
    "representation.action": SIGNED_IN,
    "representation.respond": IN_ORGANISATIONS | WRITERS,
    "representation.mark_read": SIGNED_IN,
    "representation.hide_response": COORDINATOR,
    **{endpoint: WRITERS for endpoint in (
        "representation.edit_report", "representation.add_action",
        "representation.add_question", "representation.add_report_paper",
        "representation.publish_report", "representation.update_action")},
    "board.bookings": SIGNED_IN,  # org_a's meeting room: who booked is not for everyone
    "board.book": {"member", "other_member", "contact"},  # for their own organisations
    "board.book_page": SIGNED_IN,  # a reload of the booking address leads back to the form
    "board.booking": SIGNED_IN - {"associate"},  # org_b's request for org_a's room
    "board.answer_booking": {"member", "contact"},  # org_a's people answer, no one else
    "board.cancel_booking": {"other_member"},  # the asking side withdraws a request
    "notify.notifications": SIGNED_IN,
    "notify.mark_all_read": SIGNED_IN,
    "notify.settings": SIGNED_IN,
    "notify.open_notification": AUTHOR,  # the world's notification is the member's
    "notify.unsubscribe": PUBLIC,  # the signed token in the link is the authority
    # One's own archive: anyone logged in asks; the world's link is the member's alone.
    "privacy.ask_for_archive": SIGNED_IN,
    "privacy.archive": AUTHOR,
    "privacy.download_archive": AUTHOR,
}

# Signed-in people who are told "not found" rather than "forbidden": the object is someone
# else's, and its existence is not theirs to know.
HIDDEN: dict[str, set[str]] = {
    "notify.open_notification": SIGNED_IN - AUTHOR,
    **{endpoint: SIGNED_IN - AUTHOR for endpoint in (
        "privacy.archive", "privacy.download_archive")},
    "board.conversation": {"associate"},
    **{endpoint: {"associate"} for endpoint in (
        "board.booking", "board.answer_booking", "board.cancel_booking")},
}


def seen(through: set[str], forbidden: frozenset[str] | set[str] = frozenset(),
         visitor: str = "login") -> dict[str, str]:
    """Outcomes on an object in one state: who gets through; who sees it but is refused the
    action; everyone else signed in is told it is not there; visitors as given."""
    return {role: visitor if role == "visitor" else "through" if role in through
            else "forbidden" if role in forbidden else "hidden" for role in ROLES}


# The same routes on objects in the states that change the answers (tests/urls.py
# state_variants): a thread held for approval (started by other_member), a coordinators'
# thread, an archived category; a hidden and a held post (other_member's); organisations that
# applied, were suspended, or left (other_member still belongs to it); a suspended person.
STATE_RULES: dict[tuple[str, str], dict[str, str]] = {
    ("forum.thread", "held"): seen({"other_member"} | COORDINATOR),
    ("forum.thread", "restricted"): seen(COORDINATOR),
    ("forum.thread", "archived"): seen(SIGNED_IN),
    ("forum.reply", "held"): seen(set(), forbidden={"other_member"} | COORDINATOR),
    ("forum.reply", "restricted"): seen(COORDINATOR),
    ("forum.reply", "archived"): seen(set(), forbidden=SIGNED_IN),
    ("forum.post", "hidden"): seen(SIGNED_IN),
    ("forum.post", "held"): seen({"other_member"} | COORDINATOR),
    ("forum.post", "restricted"): seen(COORDINATOR),
    ("forum.edit_post", "held"): seen({"other_member"}, forbidden=COORDINATOR),
    ("forum.edit_post", "hidden"): seen(set(), forbidden=SIGNED_IN),
    ("forum.approve_post", "held"): seen(COORDINATOR, forbidden={"other_member"}),
    ("forum.restore_post", "hidden"): seen(COORDINATOR, forbidden=SIGNED_IN - COORDINATOR),
    ("forum.category", "restricted"): seen(COORDINATOR),
    ("forum.category", "archived"): seen(SIGNED_IN),
    ("forum.new_thread", "restricted"): seen(COORDINATOR),
    ("forum.new_thread", "archived"): seen(set(), forbidden=SIGNED_IN),
    ("members.organisation", "applied"): seen(COORDINATOR, visitor="hidden"),
    ("members.organisation", "suspended"): seen(COORDINATOR, visitor="hidden"),
    ("members.organisation", "left"): seen({"other_member"} | COORDINATOR, visitor="hidden"),
    ("members.edit_organisation", "applied"): seen(COORDINATOR, visitor="hidden"),
    **{(endpoint, "applied"): seen(COORDINATOR, visitor="hidden")
       for endpoint in ("impact.organisation", "impact.organisation_csv")},
    ("members.edit_organisation", "left"): seen(COORDINATOR, forbidden={"other_member"},
                                                visitor="hidden"),
    ("coordination.person", "suspended"): seen(COORDINATOR,
                                               forbidden=SIGNED_IN - COORDINATOR),
    ("coordination.suspend", "a coordinator"): seen({"admin"}, forbidden=SIGNED_IN - {"admin"}),
    ("privacy.close_for", "a coordinator"): seen({"admin"}, forbidden=SIGNED_IN - {"admin"}),
    ("calendar.event", "public"): seen(SIGNED_IN, visitor="through"),
    ("calendar.download", "public"): seen(SIGNED_IN, visitor="through"),
    ("calendar.paper", "public"): seen(SIGNED_IN, visitor="through"),
    **{(endpoint, "another organisation's"): seen({"other_member"} | COORDINATOR,
                                                  forbidden=SIGNED_IN)
       for endpoint in ("calendar.edit_event", "calendar.cancel_event", "calendar.add_paper")},
    ("calendar.private_feed", "a wrong token"): seen(set(), visitor="hidden"),
    ("board.listing", "hidden"): seen({"other_member"} | COORDINATOR),
    **{(endpoint, "another organisation's"): seen({"other_member"} | COORDINATOR,
                                                  forbidden=SIGNED_IN)
       for endpoint in ("board.edit_listing", "board.settle")},
    **{(endpoint, "not bookable"): seen(set()) for endpoint in ("board.bookings", "board.book")},
    # A closed offer takes no bookings: those who could ask get the form back, saying so.
    ("board.book", "closed"): seen(IN_ORGANISATIONS, forbidden=SIGNED_IN),
    # A request answered, withdrawn or cancelled since the page was opened: the lending side,
    # whose buttons they were, are told what became of it (303); no one else may answer.
    **{("board.answer_booking", state): seen({"member", "contact"},
                                             forbidden={"other_member"} | COORDINATOR)
       for state in ("approved", "declined", "withdrawn")},
    # Calling off again, or what was declined, changes nothing and says so, to those who
    # could have called it off.
    **{("board.cancel_booking", state): seen({"member", "contact", "other_member"}
                                             | COORDINATOR)
       for state in ("cancelled", "approved", "declined", "withdrawn")},
    ("representation.body", "public"): seen(SIGNED_IN, visitor="through"),
    ("representation.edit_body", "public"): seen(COORDINATOR, forbidden=SIGNED_IN),
    # A public report on a public body's seat nobody holds; a draft of the member's.
    ("representation.report", "public"): seen(SIGNED_IN, visitor="through"),
    ("representation.report", "draft"): seen(WRITERS, visitor="hidden"),
    ("representation.report_text", "public"): seen(SIGNED_IN, visitor="through"),
    ("representation.report_text", "draft"): seen(WRITERS, visitor="hidden"),
    ("representation.edit_report", "public"): seen(COORDINATOR, forbidden=SIGNED_IN),
    ("representation.edit_report", "draft"): seen(WRITERS, visitor="hidden"),
    ("representation.respond", "public"): seen(IN_ORGANISATIONS | COORDINATOR,
                                               forbidden={"associate"}),
    ("representation.respond", "draft"): seen(set(), forbidden=WRITERS, visitor="hidden"),
    ("representation.seat", "public"): seen(SIGNED_IN, visitor="through"),
    ("representation.body_record", "public"): seen(SIGNED_IN, visitor="through"),
    ("representation.body_record", "archived"): seen(COORDINATOR, visitor="hidden"),
    ("representation.seat_record", "public"): seen(SIGNED_IN, visitor="through"),
    ("representation.raise_item", "public"): seen(IN_ORGANISATIONS, forbidden=SIGNED_IN),
    ("representation.back_item", "answered"): seen(set(), forbidden=SIGNED_IN),
}


# Words on a page that only some of those who see it may read. A public report shows everyone
# the representative's answers to the items members raised, and members' responses; who
# raised or backed an item, who responded, and the items not yet answered are for people
# signed in (docs/decisions.md, 2026-12-04).
WORDS: dict[tuple[str, str], dict[str, set[str]]] = {
    ("representation.report", "public"): {
        "Street lighting on Mill Lane": PUBLIC, "Repaired in March.": PUBLIC,
        "Our street too.": PUBLIC, "Bins on Fridays": SIGNED_IN, "Cora Contact": SIGNED_IN,
        "Alpha Tenants": SIGNED_IN, "Otto Other": SIGNED_IN},
    ("representation.report_text", "public"): {
        "Street lighting on Mill Lane": PUBLIC, "Repaired in March.": PUBLIC,
        "Bins on Fridays": SIGNED_IN},
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


def expected(endpoint: str, role: str, state: str = "default") -> str:
    if state != "default":
        return STATE_RULES[endpoint, state][role]
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


def test_every_state_variant_has_its_rules(app):
    world = build_world()
    variants = {(endpoint, state) for endpoint, states in
                state_variants(world, add_states(world)).items() for state in states}
    assert variants == set(STATE_RULES)
    assert set(WORDS) <= variants


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, role):
    """Every method of every route, on the world's objects and on objects in every state that
    changes the answer. A POST that gets through may change the world: if it committed, the
    database is put back as it was (a snapshot, not a rebuild) before the next request."""
    world = build_world()
    variants = state_variants(world, add_states(world))
    email = None if role == "visitor" else getattr(world, role).email
    asking = [(endpoint, state, method, url(app, endpoint, world, args))
              for endpoint, methods in sorted(endpoints(app).items())
              for state, args in [("default", None), *variants.get(endpoint, {}).items()]
              for method in sorted(methods)]
    saved = snapshot(db.engine)
    client = app.test_client()

    def log_in():
        nonlocal client
        client = app.test_client()
        if email is not None:
            response = client.post("/login", data={"email": email, "password": PASSWORD})
            assert response.status_code == 303

    log_in()
    wrong = []
    for endpoint, state, method, path in asking:
        committed_before = commits(db.engine)
        response = client.open(path, method=method)
        got, want = outcome(response), expected(endpoint, role, state)
        if got != want:
            wrong.append(f"{method} {path} ({endpoint}, {state}): got {got}, want {want}")
        if got == "through" and method == "GET":
            page = response.get_data(as_text=True)
            for words, readers in WORDS.get((endpoint, state), {}).items():
                if (words in page) != (role in readers):
                    wrong.append(f"{path} ({endpoint}, {state}): “{words}” is "
                                 f"{'shown' if words in page else 'not shown'}")
        if method == "POST" and got == "through":
            if commits(db.engine) != committed_before:  # it changed something
                restore(db.engine, saved)
            log_in()
    assert not wrong, f"As {role}:\n" + "\n".join(wrong)
    assert len(asking) > 120
