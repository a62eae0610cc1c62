"""Representatives report back: items raised before a meeting, the report after it with its
answers, actions and questions, members' responses and reads; on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from network.calendar.models import Event
from network.calendar.recurrence import occurrence_key
from network.core.time import now, today
from network.extensions import db
from network.notify.models import Notification
from network.representation.models import (
    Action,
    ActionStatus,
    ItemStatus,
    Question,
    RaisedItem,
    Report,
    ReportRead,
    ReportRevision,
    Response,
)
from tests.factories import PASSWORD, dated, make_event

KEY = "k" * 22


def text(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def told(person, kind: str) -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(select(Notification.subject).where(
        Notification.person_id == person.id, Notification.kind == kind)
        .order_by(Notification.id)))




def body_meeting(world, starts_in: timedelta) -> Event:
    start = now().replace(microsecond=0) + starts_in
    return make_event(world.org_a, world.member, "Strategic Partnership meeting",
                      starts_at=start, hours=2, body_id=world.body.id)


def hold(event: Event, days_ago: int) -> None:
    """Time passes: the meeting was held that many days ago (and what was raised for it
    moves with it)."""
    db.session.rollback()
    event = db.session.get(Event, event.id)
    shift = (now() - timedelta(days=days_ago)) - event.starts_at
    event.starts_at += shift
    event.ends_at += shift
    for item in db.session.scalars(select(RaisedItem).where(RaisedItem.event_id == event.id)):
        item.occurrence_start += shift
        item.meeting_at += shift
    db.session.commit()


def start_report(client, world, event) -> Report:
    db.session.refresh(event)
    response = client.post(f"/seats/{world.seat.id}/reports/new", data={
        "meeting": f"{event.id}-{occurrence_key(event.starts_at)}"})
    assert response.status_code == 303, text(response)
    return db.session.scalar(select(Report).where(Report.event_id == event.id))


def report_data(report, **changes) -> dict:
    data = {"summary": "The board agreed the borough plan.",
            "decisions": "- The plan goes to consultation.", "said": "We asked for evenings.",
            "audience": "members", "version": str(report.version)}
    data.update(changes)
    return data


def test_a_member_raises_an_item_and_the_report_answers_it(client, world, login_as):
    event = body_meeting(world, timedelta(hours=3))
    login_as(world.contact)
    response = client.post(f"/seats/{world.seat.id}/items", data={
        "title": "Will the health centre keep evening opening?", "body": "Our tenants work days.",
        "organisation": str(world.org_a.id), "submission": KEY})
    assert response.status_code == 303
    item = db.session.scalar(select(RaisedItem).where(RaisedItem.title.startswith("Will the")))
    assert (item.event_id, item.status) == (event.id, ItemStatus.OPEN)
    assert told(world.member, "representation.item") == [
        "Cora Contact raised “Will the health centre keep evening opening?” for your seat "
        "“Voluntary sector seat”"]
    login_as(world.other_member)
    assert client.post(f"/items/{item.id}/back", data={"back": "1"}).status_code == 303
    assert "1 other backs it: Otto Other" in text(client.get(f"/seats/{world.seat.id}"))

    login_as(world.member)  # the holder takes it to the meeting
    assert "Will the health centre keep evening opening?" in text(
        client.get(f"/seats/{world.seat.id}"))
    assert client.post(f"/items/{item.id}/answer", data={
        "status": "taken", "reply": ""}).status_code == 303
    assert told(world.contact, "representation.item") == [
        "“Will the health centre keep evening opening?” will be taken to the meeting"]
    assert len(told(world.other_member, "representation.item")) == 1

    hold(event, days_ago=2)
    report = start_report(client, world, event)
    answered = client.post(f"/reports/{report.id}/edit", data=report_data(
        report, **{f"answer_{item.id}": "Yes: evenings stay until 2028."}))
    assert answered.status_code == 303
    for what, owner, due in (("Publish the consultation timetable", "Council", 20),
                             ("Share the plan with our groups", "Mo Member", 10)):
        assert client.post(f"/reports/{report.id}/actions", data={
            "what": what, "owner": owner,
            "due_on": (today() + timedelta(days=due)).isoformat()}).status_code == 303
    assert client.post(f"/reports/{report.id}/questions", data={
        "text": "Which of our groups could host a listening event?",
        "respond_by": (today() + timedelta(days=7)).isoformat()}).status_code == 303
    assert told(world.contact, "representation.item")[-1].endswith("to the meeting")  # draft

    login_as(world.contact)
    assert client.get(f"/reports/{report.id}").status_code == 404  # a draft is for writers
    login_as(world.member)
    published = client.post(f"/reports/{report.id}/publish")
    assert published.status_code == 303
    assert "Published: 1 people it speaks for are told." in text(client.get(
        published.location))
    assert told(world.contact, "representation.report") == [
        f"Report back from Strategic Partnership (Voluntary sector seat), "
        f"{client.application.jinja_env.filters['day'](report.meeting_at)}"]
    assert told(world.contact, "representation.item")[-1] == (
        "“Will the health centre keep evening opening?” is answered in the report from "
        "Strategic Partnership")
    assert told(world.other_member, "representation.item")[-1].endswith("Strategic Partnership")
    assert told(world.other_member, "representation.report") == []  # not in its constituency

    login_as(world.contact)
    page = text(client.get(f"/reports/{report.id}"))
    assert "Yes: evenings stay until 2028." in page
    assert "Publish the consultation timetable" in page and "Share the plan" in page
    assert client.post(f"/reports/{report.id}/read").status_code == 303
    assert client.post(f"/reports/{report.id}/read").status_code == 303  # once is enough
    question = db.session.scalar(select(Question).where(Question.report_id == report.id))
    assert client.post(f"/reports/{report.id}/responses", data={
        "body": "We can host one in March.", "question": str(question.id),
        "submission": KEY}).status_code == 303
    assert count(ReportRead, ReportRead.report_id == report.id) == 1
    assert told(world.member, "representation.response") == [
        "Cora Contact responded to your report from Strategic Partnership"]

    login_as(world.member)
    page = text(client.get(f"/reports/{report.id}"))
    assert "1 person has said they read it" in page
    assert "answering “Which of our groups could host a listening event?”" in page
    first = db.session.scalar(select(Response).where(Response.report_id == report.id,
                                                     Response.author_id == world.contact.id))
    assert client.post(f"/reports/{report.id}/responses", data={
        "body": "Thank you: I'll tell the board.", "reply_to": str(first.id),
        "submission": "r" * 22}).status_code == 303
    assert told(world.contact, "representation.response") == [
        "Mo Member replied to you on the report from Strategic Partnership"]


def test_actions_carry_on_with_dated_updates_and_overdue_marks(client, world, login_as, clock):
    event = body_meeting(world, timedelta(days=-40))
    login_as(world.member)
    report = start_report(client, world, event)
    client.post(f"/reports/{report.id}/edit", data=report_data(report))
    client.post(f"/reports/{report.id}/publish")
    for what, due in (("Done one", 0), ("Late one", 5), ("Later one", 50)):
        assert client.post(f"/reports/{report.id}/actions", data={
            "what": what, "owner": "Council", "due_on": (today() + timedelta(days=due))
            .isoformat()}).status_code == 303
    clock.advance(days=10)  # ten days on: the second action is overdue
    login_as(world.member)
    done, late, later = db.session.scalars(select(Action).where(Action.report_id == report.id)
                                           .order_by(Action.id)).all()
    assert client.post(f"/actions/{done.id}", data={
        "status": "done", "note": "Timetable published."}).status_code == 303
    refused = client.post(f"/actions/{later.id}", data={"status": "open", "note": ""})
    assert refused.status_code == 422  # nothing changed, nothing said
    db.session.rollback()
    assert (done.status, done.closed_at is not None) == (ActionStatus.DONE, True)
    assert [u.status for u in done.updates] == [ActionStatus.OPEN, ActionStatus.DONE]
    assert (late.overdue, done.overdue, later.overdue) == (True, False, False)
    page = text(client.get(f"/actions/{done.id}"))
    assert "Timetable published." in page
    seat_page = text(client.get(f"/seats/{world.seat.id}"))
    assert "Done one" not in seat_page  # closed: no longer "still open"
    assert re.search(r"Late one</a>.*?Overdue", seat_page, re.S)

    second = body_meeting(world, timedelta(days=-3))
    report2 = start_report(client, world, second)
    page = text(client.get(f"/reports/{report2.id}"))
    assert "Still open from earlier meetings" in page
    assert "Late one" in page and "Later one" in page and "Done one" not in page
    login_as(world.other_member)  # any member may read, but not update
    assert client.get(f"/actions/{late.id}").status_code == 200
    assert client.post(f"/actions/{late.id}", data={"status": "done"}).status_code == 403


@pytest.mark.parametrize(("url", "data", "field", "message"), [
    ("actions", {"what": "Something", "owner": "", "due_on": "{iso+300}"}, "owner",
     "This is needed."),
    ("actions", {"what": "Something", "owner": "Council", "due_on": ""}, "due_on",
     "Give the day it is due"),
    ("questions", {"text": "Who can help?", "respond_by": "{iso-1000}"}, "respond_by",
     "Give a day from {day+1} to {day+365}: after today, and within a year."),
    ("questions", {"text": "Who can help?", "respond_by": "{iso+0}"}, "respond_by",
     "Give a day from {day+1}"),  # today: no time to answer
    ("questions", {"text": "Who can help?", "respond_by": "9999-12-31"}, "respond_by",
     "Give a day from {day+1}"),
    ("actions", {"what": "Something", "owner": "Council", "due_on": "1900-01-01"}, "due_on",
     "Give a day from today, {day+0}, to {day+730}: an action is due within two years."),
    ("actions", {"what": "Something", "owner": "Council", "due_on": "9999-12-31"}, "due_on",
     "Give a day from today, {day+0}"),
    ("edit", {"summary": "", "audience": "members"}, "summary", "This is needed."),
    ("edit", {"summary": "Fine.", "audience": "public"}, "audience",
     "Choose who can read it."),  # a members' body's report is for members
])
def test_bad_input_on_a_report_is_refused_beside_its_field(client, world, login_as, url, data,
                                                           field, message):
    event = body_meeting(world, timedelta(days=-3))
    login_as(world.member)
    report = start_report(client, world, event)
    data, message = {key: dated(value) for key, value in data.items()}, dated(message)
    if url == "edit":
        data = {**data, "version": str(report.version)}
    before = (count(Action), count(Question), db.session.get(Report, report.id).summary)
    refused = client.post(f"/reports/{report.id}/{url}", data=data)
    assert refused.status_code == 422
    assert re.search(rf'id="{field}-error"[^>]*>[^<]*{re.escape(message)}', text(refused))
    assert (count(Action), count(Question), db.session.get(Report, report.id).summary) == before


def test_a_report_without_its_summary_is_not_published_and_says_why(client, world, login_as):
    event = body_meeting(world, timedelta(days=-3))
    login_as(world.member)
    report = start_report(client, world, event)
    refused = client.post(f"/reports/{report.id}/publish")
    assert refused.status_code == 422
    assert "Say in short what happened at the meeting before publishing." in text(refused)
    assert not db.session.get(Report, report.id).published


def test_a_report_is_only_for_a_meeting_held(client, world, login_as):
    coming = body_meeting(world, timedelta(days=5))
    before = count(Report)
    login_as(world.member)
    page = client.get(f"/seats/{world.seat.id}/reports/new")
    assert "Every meeting of Strategic Partnership held this term has its report" in text(page)
    refused = client.post(f"/seats/{world.seat.id}/reports/new", data={
        "meeting": f"{coming.id}-{occurrence_key(coming.starts_at)}"})
    assert refused.status_code == 422
    assert "Choose one of the meetings held" in text(refused)
    assert count(Report) == before


def test_only_the_holder_deputy_or_a_coordinator_writes_and_drafts_stay_hidden(client, world,
                                                                               login_as):
    event = body_meeting(world, timedelta(days=-3))
    login_as(world.member)
    report = start_report(client, world, event)
    for person, status in ((world.contact, 404), (world.other_member, 404),
                           (world.associate, 404), (world.coordinator, 200)):
        login_as(person)
        assert client.get(f"/reports/{report.id}").status_code == status
    login_as(world.contact)
    assert client.get(f"/seats/{world.seat.id}/reports/new").status_code == 403
    assert client.post(f"/reports/{report.id}/publish").status_code == 404
    client.post("/logout")
    assert client.get(f"/reports/{report.id}").status_code == 404
    login_as(world.member)
    client.post(f"/reports/{report.id}/edit", data=report_data(report))
    client.post(f"/reports/{report.id}/publish")
    client.post("/logout")
    assert client.get(f"/reports/{report.id}").location.startswith("/login?next=")  # members'
    login_as(world.associate)
    assert client.get(f"/reports/{report.id}").status_code == 200
    assert client.post(f"/reports/{report.id}/responses", data={
        "body": "Hello", "submission": KEY}).status_code == 403  # associates read, no posting


def test_editing_a_published_report_keeps_its_history(client, world, login_as):
    event = body_meeting(world, timedelta(days=-3))
    login_as(world.member)
    report = start_report(client, world, event)
    client.post(f"/reports/{report.id}/edit", data=report_data(report))
    client.post(f"/reports/{report.id}/publish")
    db.session.refresh(report)
    assert client.post(f"/reports/{report.id}/edit", data=report_data(
        report, summary="The board agreed the plan, with changes.")).status_code == 303
    [revision] = db.session.scalars(select(ReportRevision).where(
        ReportRevision.report_id == report.id)).all()
    assert revision.summary == "The board agreed the borough plan."
    login_as(world.contact)
    page = text(client.get(f"/reports/{report.id}"))
    assert "The board agreed the plan, with changes." in page and ", updated " in page
    plain = client.get(f"/reports/{report.id}.txt")
    assert plain.mimetype == "text/plain"
    assert "The board agreed the plan, with changes." in text(plain)
    assert "<" not in text(plain)


def test_the_plain_text_report_keeps_a_line_for_each_item_and_a_blank_line_between_parts(
        client, world, login_as):
    """For a newsletter: each item, action and question on a line of its own, and a blank
    line before each heading, however many there are."""
    report = world.report
    for title, reply in (("Bus routes", "Kept as they are."), ("Library hours", "")):
        db.session.add(RaisedItem(seat_id=world.seat.id, author_id=world.contact.id,
                                  title=title, reply=reply, report_id=report.id,
                                  status=ItemStatus.ANSWERED if reply else ItemStatus.TAKEN))
    db.session.add(Action(seat_id=world.seat.id, report_id=report.id, what="Write to the library",
                          owner="Mo Member", due_on=today() + timedelta(days=5)))
    db.session.add(Question(report_id=report.id, text="Who uses the library on Sundays?",
                            respond_by=today() + timedelta(days=7)))
    report.decisions, report.said = "- The plan goes to consultation.", "We asked for evenings."
    db.session.commit()
    login_as(world.contact)
    lines = text(client.get(f"/reports/{report.id}.txt")).split("\n")
    day = client.application.jinja_env.filters["day"]
    assert lines[lines.index("In short"):] == [
        "In short", "The board agreed the plan.", "",
        "What was decided", "- The plan goes to consultation.", "",
        "What was said on our behalf", "We asked for evenings.", "",
        "Items members raised",
        "- Bus routes (Answered): Kept as they are.",
        "- Library hours (Taken to the meeting)", "",
        "Actions",
        f"- Write to the library (Mo Member, by {day(today() + timedelta(days=5))}): Open",
        f"- Publish the timetable (Council, by {day(today() + timedelta(days=20))}): Open", "",
        "Questions to you",
        f"- Who uses the library on Sundays? (Answer by {day(today() + timedelta(days=7))})",
        "", f"http://localhost/reports/{report.id}", ""]
    assert lines[lines.index("In short") - 1] == ""


@pytest.mark.parametrize("who", ["contact", "member"])  # a reader, and its writer
def test_a_busy_report_is_light_and_cheap(client, world, login_as, queries, who):
    """The issue's budget: a report with 10 actions and 30 responses is at most 14 KB
    compressed, in at most 10 queries."""
    import gzip

    from network.representation.models import ReportRead

    report = world.report
    report.summary = "The board agreed the community strategy for consultation. " * 4
    report.decisions = "\n".join(f"- Decision {n}: the plan changes in this way." for n in
                                 range(6))
    for n in range(10):
        action = Action(seat_id=world.seat.id, report_id=report.id,
                        what=f"Publish the consultation timetable, part {n}",
                        owner="Council regeneration team", due_on=today() + timedelta(days=n))
        db.session.add(action)
    for n in range(30):
        db.session.add(Response(report_id=report.id, author_id=world.other_member.id,
                                body=f"Response {n}: our group would like to be involved in "
                                     "the consultation, and can host an evening event."))
    db.session.add(ReportRead(report_id=report.id, person_id=world.other_member.id))
    db.session.commit()
    login_as(getattr(world, who))
    with queries() as statements:
        response = client.get(f"/reports/{report.id}", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert len(statements) <= 10, "\n".join(statements)
    sent = response.get_data()
    assert sent[:2] == b"\x1f\x8b" and len(sent) <= 14 * 1024, len(sent)
    print(f"\n  a report, 10 actions, 30 responses, as {who}: {len(sent)} bytes compressed, "
          f"{len(statements)} queries")
    page = gzip.decompress(sent).decode()
    assert page.count("Publish the consultation timetable, part") == 10
    assert page.count("our group would like to be involved") == 30


def test_a_hidden_response_is_told_to_its_author_and_its_replies_stay(client, world, login_as):
    reply = Response(report_id=world.report.id, author_id=world.member.id,
                     reply_to_id=world.response.id, body="Thank you, Cora.")
    db.session.add(reply)
    db.session.commit()
    login_as(world.coordinator)
    assert client.post(f"/report-responses/{world.response.id}/hide", data={
        "reason": "Names a neighbour."}).status_code == 303
    assert told(world.contact, "representation.response") == [
        "Your response on the report from Strategic Partnership is hidden"]
    assert db.session.scalar(select(Notification.detail).where(
        Notification.person_id == world.contact.id)) == "Names a neighbour."
    login_as(world.other_member)
    page = text(client.get(f"/reports/{world.report.id}"))
    assert "Thank you." not in page  # the hidden response
    assert "Thank you, Cora." in page  # the reply to it stays
    login_as(world.contact)
    page = text(client.get(f"/reports/{world.report.id}"))
    assert "Hidden by a coordinator: Names a neighbour." in page and "Thank you." in page


def hidden_in_print() -> set[str]:
    """The selectors site.css hides on paper (display: none in @media print)."""
    from pathlib import Path

    css = (Path(__file__).resolve().parent.parent / "static" / "css" / "site.css").read_text()
    hidden = set()
    for block in re.findall(r"@media print\s*\{((?:[^{}]*\{[^{}]*\})*[^{}]*)\}", css):
        for selectors, rules in re.findall(r"([^{}]+)\{([^{}]*)\}", block):
            if re.search(r"display:\s*none", rules):
                hidden |= {s.strip() for s in selectors.split(",")}
    return hidden


def test_a_printed_report_leaves_out_the_messages_the_site_just_said(client, world, login_as):
    login_as(world.contact)
    client.post(f"/reports/{world.report.id}/read")
    page = text(client.get(f"/reports/{world.report.id}"))
    said = re.search(r'<div class="([^"]*)"[^>]*>\s*<p class="flash success">Thank you', page)
    assert said, page
    assert set(said.group(1).split()) & {s.removeprefix(".") for s in hidden_in_print()}
    assert {".no-print", "footer.site"} <= hidden_in_print()


def test_an_action_due_beyond_reach_before_the_rule_still_shows_and_moves_on(client, world,
                                                                             login_as):
    far = Action(seat_id=world.seat.id, report_id=world.report.id, what="Someday",
                 owner="Council", due_on=date(9999, 12, 31))
    db.session.add(far)
    db.session.commit()
    login_as(world.member)
    assert "31 December 9999" in text(client.get(f"/actions/{far.id}"))
    assert "Someday" in text(client.get(f"/reports/{world.report.id}"))
    assert client.post(f"/actions/{far.id}", data={"status": "dropped",
                                                   "note": "No longer needed."}).status_code \
        == 303
    db.session.rollback()
    assert far.status == ActionStatus.DROPPED


def trail() -> tuple[int, int, int]:
    """What a change leaves behind: notifications, mail queued, audit entries."""
    from network.core.audit import AuditEntry
    from network.core.mail import OutboxEmail

    return count(Notification), count(OutboxEmail), count(AuditEntry)


def twice(client, path: str, data: dict, already: str) -> None:
    """The change once, then again: the second changes nothing, tells nobody, and says it
    was already so."""
    first = client.post(path, data=data)
    assert first.status_code == 303, text(first)
    client.get(first.location)  # the first one's message, read
    before = trail()
    again = client.post(path, data=data)
    assert again.status_code == 303
    assert already in text(client.get(again.location))
    assert trail() == before


def test_publishing_a_published_report_tells_nobody_again(client, world, login_as):
    event = body_meeting(world, timedelta(days=-3))
    login_as(world.member)
    report = start_report(client, world, event)
    client.post(f"/reports/{report.id}/edit", data=report_data(report))
    twice(client, f"/reports/{report.id}/publish", {},
          "This report was already published: nobody is told again.")


def test_marking_an_item_as_it_is_tells_nobody_again(client, world, login_as):
    login_as(world.member)
    twice(client, f"/items/{world.item.id}/answer", {"status": "answered", "reply": "Yes."},
          "It was already marked so: nobody is told again.")
    assert len(told(world.contact, "representation.item")) == 1


def test_hiding_a_hidden_response_tells_nobody_again(client, world, login_as):
    login_as(world.coordinator)
    twice(client, f"/report-responses/{world.response.id}/hide",
          {"reason": "Names a neighbour."}, "This response was already hidden.")
    assert len(told(world.contact, "representation.response")) == 1


def test_reading_or_backing_twice_counts_once(client, world, login_as):
    login_as(world.other_member)
    twice(client, f"/reports/{world.report.id}/read", {},
          "You had already said you read it. Thank you.")
    assert count(ReportRead, ReportRead.report_id == world.report.id) == 1
    twice(client, f"/items/{world.item.id}/back", {"back": "1"}, "You already back it.")
    twice(client, f"/items/{world.item.id}/back", {"back": "0"}, "You were not backing it.")


@pytest.mark.parametrize("who", ["visitor", "member"])
@pytest.mark.parametrize("address", ["/reports/{id}", "/reports/{id}.txt"])
def test_a_public_report_shows_visitors_the_answers_without_the_names(client, world, login_as,
                                                                      who, address):
    from tests.factories import add_states

    report = add_states(world).public_report
    if who == "member":
        login_as(world.member)
    shown = text(client.get(address.format(id=report.id)))
    for words in ("Street lighting on Mill Lane", "Repaired in March."):
        assert words in shown  # the representative's answer, beside the item's line
    signed_in_only = ["Bins on Fridays"]  # not answered yet
    if not address.endswith(".txt"):
        assert "Our street too." in shown  # a member's response, in its own words
        signed_in_only += ["Cora Contact", "Alpha Tenants", "Otto Other"]
        # The label; the response form tells members writing that visitors see "A member".
        assert ("<strong>A member</strong>" in shown) is (who == "visitor")
    for words in signed_in_only:
        assert (words in shown) is (who == "member"), words


def test_the_forms_say_who_will_see_an_item_or_a_response_before_it_is_written(client, world,
                                                                               login_as):
    from tests.factories import add_states

    states = add_states(world)
    login_as(world.contact)
    public = text(client.get(f"/seats/{states.public_seat.id}/items"))
    assert ("Open Neighbourhood Forum is public, and so may be the report back from its "
            "meeting: that would show everyone the line you write under “What do you want "
            "raised?” and the representative’s answer, without your name or your "
            "organisation’s.") in public
    members = text(client.get(f"/seats/{world.seat.id}/items"))
    assert "with your name and your organisation’s; never the public." in members
    respond = text(client.get(f"/reports/{states.public_report.id}"))
    assert ("This report is public: everyone can read your response, visitors too, without "
            "your name; people signed in see who wrote it. Do not name other members in it: "
            "visitors see them only as “A member”.") in respond
    assert "This report is public" not in text(client.get(f"/reports/{world.report.id}"))
    login_as(world.coordinator)  # its writer, replying to a member
    response = db.session.scalar(select(Response).where(
        Response.report_id == states.public_report.id))
    reply = text(client.get(f"/reports/{states.public_report.id}?reply_to={response.id}"))
    assert "<h2 id=\"respond-heading\">Reply to Otto Other</h2>" in reply
    assert ("This report is public: everyone can read what you write here, visitors too, under "
            "your name as the representative. Visitors see members only as “A member”, so do "
            "not name the member you reply to, or any other.") in reply
    item = db.session.scalar(select(RaisedItem).where(RaisedItem.title == "Bins on Fridays"))
    answer = text(client.get(f"/items/{item.id}/answer"))
    assert "without who raised it: do not name them in your answer." in answer


def test_the_demos_public_reports_name_no_member_to_a_visitor(demo_app):
    """Not in a response's "A member", nor in the representative's words: a reply that
    thanked a member by name gave away who wrote the response above it."""
    from html import unescape

    from network.auth.models import Person
    from network.representation.policies import representatives_of

    reports = db.session.scalars(select(Report).where(Report.audience == "public",
                                                      Report.published_at.is_not(None))).all()
    assert reports
    visitor = demo_app.test_client()
    for report in reports:
        shown = {address: unescape(text(visitor.get(address))) for address in (
            f"/reports/{report.id}", f"/reports/{report.id}.txt")}
        speakers = representatives_of(report)
        for person in db.session.scalars(select(Person).where(Person.id.not_in(speakers))):
            for name in (person.display_name, person.display_name.split()[0]):
                for address, page in shown.items():
                    assert not re.search(rf"\b{re.escape(name)}\b", page), (address, name)


@pytest.mark.parametrize("address", [
    "/reports/{report}", "/reports/{report}.txt", "/bodies/{body}-strategic-partnership",
    "/seats/{seat}", "/seats/{seat}/accountability", "/bodies/{body}/accountability",
    "/actions/{action}", "/report-papers/{paper}/minutes.txt"])
def test_a_member_following_a_link_before_logging_in_is_asked_to_and_brought_back(
        client, world, address):
    """A members-only report, body, seat, action or paper asks a visitor to log in (as the
    calendar's members' events do), and logging in brings them back to it."""
    from urllib.parse import parse_qs, urlsplit

    address = address.format(report=world.report.id, body=world.body.id, seat=world.seat.id,
                             action=world.report_action.id, paper=world.report_paper.id)
    asked = client.get(address)
    assert asked.status_code == 302
    login_page = urlsplit(asked.location)
    assert login_page.path == "/login"
    assert parse_qs(login_page.query)["next"] == [address]
    logged_in = client.post(asked.location, data={"email": world.contact.email,
                                                  "password": PASSWORD})
    assert logged_in.status_code == 303 and logged_in.location == address
    assert client.get(address).status_code == 200


def test_what_is_not_there_or_only_for_its_writers_stays_not_found(client, world):
    from tests.factories import add_states

    states = add_states(world)
    for address in (f"/reports/{states.draft_report.id}", f"/reports/{states.draft_report.id}"
                    ".txt", "/reports/99999", "/seats/99999", "/bodies/99999",
                    "/actions/99999", f"/bodies/{states.archived_body.id}/accountability"):
        assert client.get(address).status_code == 404, address
    assert client.post(f"/items/{world.item.id}/back", data={"back": "1"}).status_code == 302
    assert client.post("/items/99999/back", data={"back": "1"}).status_code == 404
