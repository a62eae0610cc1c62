"""One rule per object type: the answer for one object (`can`) and the SQL scope for lists
(`visible`) agree for every kind of person and every object in every state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from network.board.models import Booking, Conversation, Listing
from network.calendar.models import Event
from network.core.permissions import Visitor, can, visible
from network.core.time import now
from network.extensions import db
from network.forum.models import Category, Post, PostingPause, Thread
from network.forum.policies import post_access, thread_access
from network.members.models import Organisation
from network.notify.models import Notification
from network.representation.models import Action, Body, RaisedItem, Report
from tests.factories import add_states, build_world

PEOPLE = ["visitor", "associate", "member", "other_member", "contact", "coordinator", "admin"]

VIEW = {Category: "category.view", Thread: "thread.view", Post: "post.view",
        Organisation: "org.view", Notification: "notification.open", Event: "event.view",
        Listing: "listing.view", Conversation: "conversation.view", Booking: "booking.view",
        Body: "body.view", Report: "report.view", RaisedItem: "item.view",
        Action: "action.view"}


def person(world, role):
    return Visitor() if role == "visitor" else getattr(world, role)


@pytest.mark.parametrize("role", PEOPLE)
def test_the_scope_and_the_policy_give_the_same_answer(app, role):
    world = build_world()
    add_states(world)
    who = person(world, role)
    disagreements = []
    for model, action in VIEW.items():
        every = db.session.scalars(select(model)).all()
        seen = set(db.session.scalars(visible(select(model.id), model, person=who)))
        for obj in every:
            if can(action, obj, person=who) != (obj.id in seen):
                disagreements.append(f"{model.__name__} {obj.id}: scope says {obj.id in seen}")
    assert disagreements == []


def test_each_kind_of_person_sees_what_the_rules_say(app):
    world = build_world()
    states = add_states(world)

    def seen_posts(who):
        return set(db.session.scalars(visible(select(Post.id), Post, person=who)))

    everyone_signed_in = {world.post.id, world.own_post.id, states.hidden_post.id}
    assert seen_posts(Visitor()) == set()
    assert everyone_signed_in <= seen_posts(world.member)
    assert states.held_post.id not in seen_posts(world.member)  # another's, waiting
    assert states.held_post.id in seen_posts(world.other_member)  # its author's
    assert states.secret_post.id not in seen_posts(world.member)
    assert {states.held_post.id, states.secret_post.id} <= seen_posts(world.coordinator)

    def seen_organisations(who):
        return set(db.session.scalars(visible(select(Organisation.id), Organisation,
                                              person=who)))

    # An organisation that has left stays visible to its own people, not to others.
    assert states.left_org.id in seen_organisations(world.other_member)
    assert states.left_org.id not in seen_organisations(world.member)
    assert states.suspended_org.id not in seen_organisations(world.member)
    assert states.applied_org.id not in seen_organisations(Visitor())
    assert {states.applied_org.id, states.left_org.id} <= seen_organisations(world.coordinator)


def test_a_hidden_posts_text_is_for_its_author_and_coordinators(app):
    world = build_world()
    states = add_states(world)
    post = db.session.get(Post, states.hidden_post.id)
    shown = {role: post_access(person(world, role), post).show_body for role in PEOPLE}
    assert shown == {"visitor": False, "associate": False, "member": False,
                     "other_member": True, "contact": False, "coordinator": True,
                     "admin": True}


def test_a_thread_says_why_someone_may_not_reply(app):
    world = build_world()
    states = add_states(world)
    db.session.add(PostingPause(person_id=world.contact.id, reason="Cooling off",
                                until=now() + timedelta(days=3),
                                set_by_id=world.coordinator.id))
    db.session.commit()

    def why(who, thread):
        return thread_access(who, db.session.get(Thread, thread.id)).why_no_reply

    assert why(world.member, world.thread) is None  # they may reply
    assert why(world.associate, world.thread) == "associate"
    assert why(world.contact, world.thread) == "paused"
    assert why(world.other_member, states.held_thread) == "held"
    assert why(world.member, states.held_thread) is None  # not theirs to see at all
    assert why(world.member, states.archived_thread) is None  # nothing said, as before
    db.session.get(Thread, world.thread.id).locked = True
    db.session.commit()
    assert why(world.member, world.thread) == "locked"
    assert why(world.associate, world.thread) == "locked"  # locked is said first


def test_a_coordinator_approves_held_posts_hides_shown_ones_restores_hidden_ones(app):
    world = build_world()
    states = add_states(world)
    actions = {}
    for name, post in [("shown", world.post), ("held", states.held_post),
                       ("hidden", states.hidden_post)]:
        post = db.session.get(Post, post.id)
        for role in PEOPLE:
            access = post_access(person(world, role), post)
            actions[name, role] = {a for a in ("approve", "hide", "restore")
                                   if getattr(access, a)}
            assert bool(actions[name, role]) == access.moderate, (name, role)
    assert actions["shown", "coordinator"] == {"hide"}
    assert actions["held", "coordinator"] == {"approve", "hide"}
    assert actions["hidden", "coordinator"] == {"restore"}
    assert actions["held", "other_member"] == set()  # its author


def test_one_threads_access_decides_its_posts_as_the_single_answers_do(app):
    world = build_world()
    add_states(world)
    for role in PEOPLE:
        who = person(world, role)
        thread = db.session.get(Thread, world.thread.id)
        access = thread_access(who, thread)
        for post in db.session.scalars(select(Post).where(Post.thread_id == thread.id)):
            batched = post_access(who, post, access)
            assert batched == post_access(who, post), (role, post.id)
            assert batched.edit == can("post.edit", post, person=who)
            assert batched.moderate == can("post.moderate", post, person=who)


def test_a_responses_access_agrees_with_the_scope_of_responses(app):
    """Who reads a response's words on a report's page is who the scope lets see it: a
    hidden one its author and coordinators alone."""
    from network.core.time import now
    from network.representation.models import Report, Response
    from network.representation.policies import report_access, response_access

    world = build_world()
    states = add_states(world)
    hidden = db.session.get(Response, world.response.id)
    hidden.hidden_at, hidden.hidden_reason = now(), "Off topic."
    db.session.commit()
    disagreements = []
    for role in PEOPLE:
        who = person(world, role)
        for report_id in (world.report.id, states.public_report.id):
            report = db.session.get(Report, report_id)
            access = report_access(who, report)
            seen = set(db.session.scalars(visible(
                select(Response.id).where(Response.report_id == report_id), Response,
                person=who)))
            for response in db.session.scalars(select(Response).where(
                    Response.report_id == report_id)):
                allowed = response_access(who, response, access)
                expected = access.view and response.id in seen
                if (allowed.view, allowed.show_body) != (expected, expected):
                    disagreements.append(f"{role} response {response.id}")
                assert not allowed.reply or access.respond
                assert allowed.hide == (expected and access.moderate
                                        and response.hidden_at is None)
    assert disagreements == []


@pytest.mark.parametrize("role", PEOPLE)
def test_the_posts_whose_words_one_reads_are_those_a_page_shows(app, role):
    """Search reads posts' words through post_words_seen: the posts whose text a thread's
    page shows the person (a hidden one's to its author and coordinators alone)."""
    from network.forum.policies import post_words_seen

    world = build_world()
    add_states(world)
    who = person(world, role)
    read = set(db.session.scalars(select(Post.id).where(post_words_seen(who))))
    for post in db.session.scalars(select(Post)):
        assert can("post.read", post, person=who) == (post.id in read), post.id
