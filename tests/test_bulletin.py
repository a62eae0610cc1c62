"""The weekly bulletin: chosen in one's settings, sent on the network's weekday by `flask
bulletin send` as multipart text and HTML, never twice to one person; the same issue as a
page and as plain text, each as its reader may see it."""

from __future__ import annotations

import contextvars
import re
from datetime import timedelta

from sqlalchemy import delete, func, select

from network.bulletin import services
from network.bulletin.models import BulletinDelivery, BulletinIssue
from network.core.audience import Audience
from network.core.mail import OutboxEmail
from network.core.time import now
from network.extensions import db
from network.notify.services import subscribe, subscribed
from tests.factories import PersonFactory, make_event, make_listing, make_report, make_thread

TEXT_LINKS = re.compile(r"https?://[^\s\"<>]+")


def cli(app, *args):
    db.session.rollback()
    runner = app.test_cli_runner()
    return contextvars.Context().run(runner.invoke, args=list(args))


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def readers(world):
    for person in (world.member, world.other_member):
        subscribe(person, "bulletin", True)
    db.session.commit()


def raw_header(raw: bytes, name: str) -> str:
    """One header exactly as sent, on the line that starts with its name, with its folded
    lines (a multipart message folds its Content-Type's boundary on the line after)."""
    lines = raw.split(b"\r\n\r\n", 1)[0].decode("ascii").split("\r\n")
    found = [n for n, line in enumerate(lines) if line.lower().startswith(name.lower() + ":")]
    assert len(found) == 1, lines
    value = [lines[found[0]][len(name) + 1:].lstrip(" ")]
    for line in lines[found[0] + 1:]:
        if line[:1] not in (" ", "\t"):
            break
        value.append(line)
    return "\r\n".join(value)


def parts(message) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    return (message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_the_bulletin_is_off_until_chosen_in_ones_settings(client, world, login):
    login(world.member)
    page = client.get("/account/notifications").get_data(as_text=True)
    assert "The weekly bulletin" in page
    assert not subscribed(world.member, "bulletin")
    assert client.post("/account/notifications", data={"letter_bulletin": "y"}).status_code == 303
    db.session.rollback()
    assert subscribed(world.member, "bulletin")
    box = re.search(r"<input[^>]*letter_bulletin[^>]*>",
                    client.get("/account/notifications").get_data(as_text=True)).group(0)
    assert "checked" in box
    # Sent without the box ticked (a browser sends the other fields): off again.
    assert client.post("/account/notifications",
                       data={"forum_reply": "daily"}).status_code == 303
    db.session.rollback()
    assert not subscribed(world.member, "bulletin")


def test_on_another_day_the_command_does_nothing_and_says_so(app, world):
    readers(world)
    app.config["BULLETIN_WEEKDAY"] = services.WEEKDAYS[(now().weekday() + 1) % 7]  # tomorrow
    result = cli(app, "bulletin", "send")
    assert result.exit_code == 0, result.output
    assert "Not the bulletin's day" in result.output
    assert count(BulletinIssue) == 1 and count(OutboxEmail) == 0  # the world's issue only


def test_on_its_day_each_reader_gets_the_issue_once_however_often_it_runs(app, world, mailbox,
                                                                          deliver, clock):
    readers(world)
    app.config["BULLETIN_WEEKDAY"] = services.WEEKDAYS[now().weekday()].title()  # today
    result = cli(app, "bulletin", "send")
    assert "Issue 1: queued for 2 people (0 had it already)." in result.output
    again = cli(app, "bulletin", "send")
    assert "Issue 1: queued for 0 people (2 had it already)." in again.output
    assert count(OutboxEmail) == 2 and count(BulletinDelivery) == 2
    deliver()
    assert sorted(m["To"] for m in mailbox.messages) == sorted([world.other_member.email,
                                                               world.member.email])
    clock.advance(days=7)  # another week: the next issue
    assert "Issue 2: queued for 2 people" in cli(app, "bulletin", "send").output


def test_a_run_stopped_half_way_and_run_again_sends_each_one_issue(app, world, mailbox):
    readers(world)
    first = services.send(force=True, stop_after=1)  # stopped after the first person
    assert first.sent == 1
    # Stopped inside the next person's transaction: the email and its row go together.
    issue = db.session.get(BulletinIssue, first.issue.id)
    assert services.deliver(issue, world.other_member)
    db.session.rollback()
    assert count(OutboxEmail) == 1 and count(BulletinDelivery) == 1
    second = services.send(force=True)
    assert (second.sent, second.already) == (1, 1)
    assert sorted(email.to_address for email in db.session.scalars(select(OutboxEmail))) == \
        sorted([world.member.email, world.other_member.email])


def test_the_email_is_multipart_with_canonical_links_and_one_click_unsubscribe(
        make_app, mailbox):
    from network.core.mail import deliver_due
    from tests.factories import build_world

    app = make_app(WTF_CSRF_ENABLED=True, BASE_URL="https://network.example.org")
    with app.app_context():
        world = build_world()
        readers(world)
        make_event(world.org_a, world.contact, "Members' supper",
                   starts_at=now() + timedelta(days=3))
        make_listing(world.org_b, world.other_member, "Minibus\r\nto lend")
        services.send(force=True)
        assert deliver_due() == (2, 0)
        message = mailbox.last_to(world.member.email)
        assert message["Subject"] == "Riverside Partnership Network: the weekly bulletin, " \
                                     "number 1"
        text, html = parts(message)
        for body in (text, html):
            assert "Members' supper" in body or "Members&#39; supper" in body
            assert "Minibus" in body  # new on the board this week
            links = TEXT_LINKS.findall(body)
            assert links and all(link.startswith("https://network.example.org/")
                                 for link in links), links
        assert "Hello Mo Member," in text and "<h1>The weekly bulletin</h1>" in html
        header = raw_header(mailbox.raw(message), "List-Unsubscribe")
        assert re.fullmatch(r"<https://network\.example\.org/unsubscribe/[A-Za-z0-9_.-]+>",
                            header), header
        assert raw_header(mailbox.raw(message), "List-Unsubscribe-Post") == \
            "List-Unsubscribe=One-Click"
        # The mail program's one click, without a CSRF token, turns the bulletin off only.
        path = re.sub(r"^<https://[^/]+|>$", "", header)
        response = app.test_client().post(path, data="List-Unsubscribe=One-Click",
                                          base_url="https://network.example.org",
                                          content_type="application/x-www-form-urlencoded")
        assert response.status_code == 200
        assert "The weekly bulletin" in response.get_data(as_text=True)
        db.session.rollback()
        assert not subscribed(world.member, "bulletin")
        assert subscribed(world.other_member, "bulletin")


def test_each_reader_gets_what_they_may_see(app, world, mailbox, deliver):
    readers(world)
    secret = make_thread(world.coordinators_room, world.coordinator, "Coordinators' secret",
                         ["One.", "Two.", "Three."])
    public = make_event(world.org_a, world.contact, "Open day", audience=Audience.PUBLIC,
                        starts_at=now() + timedelta(days=4))
    members = make_event(world.org_a, world.contact, "Members' supper",
                         starts_at=now() + timedelta(days=5))
    later = make_event(world.org_a, world.contact, "Next month's fair", audience=Audience.PUBLIC,
                       starts_at=now() + timedelta(days=20))
    report = make_report(world.seat, world.member, world.org_a, days_ago=3)
    services.send(force=True)
    deliver()
    text, _html = parts(mailbox.last_to(world.member.email))
    assert public.title in text and members.title in text and later.title not in text
    assert secret.title not in text
    assert f"/reports/{report.id}" in text
    assert "Hall for hire" in text  # the world's thread, busy this week
    # A visitor reading the page sees only what is public.
    client = app.test_client()
    page = client.get("/bulletin").get_data(as_text=True)
    assert public.title in page and members.title not in page.replace("&#39;", "'")
    assert "Hall for hire" not in page and f"/reports/{report.id}" not in page


def test_consultations_closing_and_short_notice_are_marked(app, client, world, login):
    from network.calendar.models import EventKind

    make_event(world.org_a, world.contact, "Towpath consultation", kind=EventKind.CONSULTATION,
               audience=Audience.PUBLIC, starts_at=now() + timedelta(days=2),
               closes_at=now() + timedelta(days=9))
    hurried = make_event(world.org_a, world.contact, "Emergency meeting",
                         audience=Audience.PUBLIC, starts_at=now() + timedelta(days=2))
    hurried.short_notice = True
    db.session.commit()
    page = re.sub(r"\s+", " ", client.get("/bulletin").get_data(as_text=True))
    assert "Consultations closing:" in page
    assert re.search(r"Towpath consultation</a> <strong>closes ", page)
    assert re.search(r"Emergency meeting</a> <strong class=\"badge warn\">Short notice", page)


def test_each_issue_has_a_page_and_plain_text_to_paste(app, client, world, login):
    assert client.get("/bulletin/2").status_code == 404
    assert client.get("/bulletin/2.txt").status_code == 404
    make_event(world.org_a, world.contact, "Open day", audience=Audience.PUBLIC,
               starts_at=now() + timedelta(days=4))
    assert services.send(force=True).issue.number == 1  # this week's: nobody chose it
    page = client.get("/bulletin/1")
    assert page.status_code == 200 and "number 1" in page.get_data(as_text=True)
    assert 'href="/bulletin/1.txt"' in page.get_data(as_text=True)
    text = client.get("/bulletin/1.txt")
    assert text.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert text.headers["Content-Disposition"] == "inline; filename=bulletin-1.txt"
    body = text.get_data(as_text=True)
    assert body.startswith("Riverside Partnership Network: the weekly bulletin\n")
    assert "- " in body and "Open day" in body and "<" not in body
    assert all(link.startswith("http://localhost/") for link in TEXT_LINKS.findall(body))
    # Members read the members' version of the same issue.
    login(world.member)
    member_page = client.get("/bulletin/1").get_data(as_text=True)
    assert "members’ version" in member_page and "Hall for hire" in member_page


def test_the_text_to_paste_is_the_public_edition_whoever_asks(app, client, world, login):
    """A coordinator pastes the text into a newsletter, which goes beyond the network: it
    holds what the public may see, not the coordinator's own view."""
    make_event(world.org_a, world.contact, "Open day", audience=Audience.PUBLIC,
               starts_at=now() + timedelta(days=4))
    make_event(world.org_a, world.contact, "Members' supper", starts_at=now() + timedelta(days=5))
    make_listing(world.org_a, world.contact, "Gazebo to lend")
    login(world.coordinator)
    page = client.get("/bulletin").get_data(as_text=True)
    assert "Members&#39; supper" in page and "Gazebo to lend" in page  # their own view
    text = client.get("/bulletin.txt").get_data(as_text=True)
    assert "Open day" in text
    assert "Members' supper" not in text and "Gazebo" not in text and "[Members]" not in text


def test_a_printout_leaves_out_what_is_for_members(app, client, world, login):
    """Printed, the members' page is the public edition: what is not public is marked for
    print to leave out (site.css: .bulletin .members-only)."""
    make_event(world.org_a, world.contact, "Open day", audience=Audience.PUBLIC,
               starts_at=now() + timedelta(days=4))
    make_event(world.org_a, world.contact, "Members' supper", starts_at=now() + timedelta(days=5))
    make_listing(world.org_a, world.contact, "Gazebo to lend")
    login(world.member)
    page = re.sub(r"\s+", " ", client.get("/bulletin").get_data(as_text=True))
    assert re.search(r'<li class="members-only">[^<]*<a [^>]*>Members&#39; supper', page)
    assert re.search(r'<li>[^<]*<a [^>]*>Open day', page)
    assert re.search(r'<section aria-labelledby="b-board" class="members-only">', page)


def test_this_weeks_is_plain_text_before_it_is_sent(app, client, world):
    """For a newsletter that goes to print before the bulletin's day."""
    db.session.execute(delete(BulletinIssue))
    db.session.commit()
    make_event(world.org_a, world.contact, "Open day", audience=Audience.PUBLIC,
               starts_at=now() + timedelta(days=4))
    page = client.get("/bulletin").get_data(as_text=True)
    assert 'href="/bulletin.txt">As plain text, for a newsletter</a> ·' in page
    unsent = client.get("/bulletin.txt")
    assert unsent.headers["Content-Disposition"] == "inline; filename=bulletin.txt"
    body = unsent.get_data(as_text=True)
    assert "Open day" in body and "number" not in body.splitlines()[1]
    assert body.rstrip().endswith("http://localhost/bulletin")


def test_a_suspended_reader_is_not_sent_it(app, world):
    readers(world)
    world.other_member.suspended_at = now()
    db.session.commit()
    assert services.send(force=True).sent == 1


def test_a_wrong_weekday_setting_is_said_plainly(app, world):
    app.config["BULLETIN_WEEKDAY"] = "Someday"
    result = cli(app, "bulletin", "send")
    assert result.exit_code != 0 and "BULLETIN_WEEKDAY must be a day's name" in result.output


def test_nobody_can_be_given_a_persons_text_in_a_header(app, world, mailbox, deliver):
    """The subject is fixed words and a number; a person's titles go in the body."""
    readers(world)
    make_listing(world.org_b, world.other_member, "Hall\r\nBcc: victim@example.org")
    PersonFactory(email="x@example.org")
    services.send(force=True)
    deliver()
    for message in mailbox.messages:
        assert "victim" not in str(message["Bcc"] or "")
        assert message["Subject"].endswith("number 1")


def test_without_a_mail_server_the_log_shows_the_text_part(make_app, caplog):
    from network.core.mail import deliver_due

    app = make_app(MAIL_SERVER=None)
    with app.app_context():
        db.session.add(OutboxEmail(to_address="reader@example.org", subject="The bulletin",
                                   body="Hello Ciarán,\n\nTHE COMING FORTNIGHT\n",
                                   html_body="<p>Hello Ciarán,</p><h2>The coming fortnight</h2>"))
        db.session.commit()
        assert deliver_due() == (1, 0)
    assert "Hello Ciarán,\n\nTHE COMING FORTNIGHT" in caplog.text
    assert "<h2>" not in caplog.text and "multipart" not in caplog.text


def test_the_unsubscribe_page_says_what_is_true_of_the_bulletin(app, world, client):
    """Its two sentences apart, and no promise of notifications on the site: the bulletin
    has none to fall back on (a notification's page keeps saying it has)."""
    from network.notify.services import unsubscribe_url

    readers(world)
    for kind, promise in (("bulletin", False), ("forum.reply", True)):
        path = re.sub(r"^https?://[^/]+", "", unsubscribe_url(world.member, kind))
        response = client.get(path)
        assert response.status_code == 200, (kind, response.status_code)
        page = re.sub(r"\s+", " ", response.get_data(as_text=True))
        said = page[page.find("<h1>"):page.find("<form", page.find("<h1>"))]
        assert "Stop emails about" in said, said
        assert re.search(r"\.[A-Z]", said) is None, said
        assert ("still see notifications" in said) is promise, said
