"""Download my data: asked for on the account page, taken once from its own page before it
expires, never another person's; the ZIP holds the person's own rows and no one else's, is
guarded against formulas, and is built in bounded memory."""

from __future__ import annotations

import csv
import io
import tracemalloc
import zipfile
from datetime import timedelta

from sqlalchemy import func, insert, select

from network.auth.models import LoginSession
from network.calendar import attendance
from network.calendar.models import Answer, Rsvp
from network.core.time import local, now, today
from network.extensions import db
from network.forum.models import Post, PostRevision, Thread
from network.privacy.export import build_archive
from network.privacy.models import DataExport
from tests.conftest import commits


def body(response) -> str:
    return response.get_data(as_text=True)


def ask(client) -> str:
    """Ask for the archive; the address of the page it is taken from."""
    response = client.post("/account/data")
    assert response.status_code == 303, body(response)[:2000]
    assert response.headers["Location"].startswith("/account/data/")
    return response.headers["Location"]


def opened(response) -> zipfile.ZipFile:
    assert response.status_code == 200, body(response)[:2000]
    assert response.mimetype == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.get_data()))


def rows(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


def everything(archive: zipfile.ZipFile) -> str:
    return "\n".join(archive.read(name).decode("utf-8-sig") for name in archive.namelist())


def exports() -> int:
    return db.session.scalar(select(func.count()).select_from(DataExport))


def test_the_account_page_offers_the_archive(client, world, login):
    login(world.member)
    page = body(client.get("/account"))
    assert "Your data" in page and "Download my data" in page
    assert 'action="/account/data"' in page


def test_mo_downloads_his_posts_answers_and_sessions_and_nobody_elses(client, world, login):
    thread = db.session.get(Thread, world.thread.id)
    own = db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                               Post.author_id == world.member.id))
    db.session.add(PostRevision(post_id=own.id, body="Who has a hall? (first try)",
                                written_at=now() - timedelta(days=1)))
    event = world.event
    attendance.answer(event, event.starts_at, world.member, Answer.GOING)
    attendance.answer(event, event.starts_at, world.other_member, Answer.MAYBE)
    db.session.commit()
    login(world.member)
    page = client.get(ask(client))
    assert page.status_code == 200
    assert "Your archive is ready" in body(page) and "Download the archive" in body(page)
    assert "works once" in body(page)

    response = client.post(page.request.path)
    archive = opened(response)
    assert {"README.txt", "profile.json", "posts.csv", "post_revisions.csv", "answers.csv",
            "sessions.csv", "audit.csv", "memberships.csv", "data_exports.csv"} <= set(
        archive.namelist())
    assert archive.testzip() is None
    posts = rows(archive, "posts.csv")
    assert [post["body"] for post in posts] == ["Who has a hall?"]
    assert posts[0]["thread_title"] == "Hall for hire"
    assert posts[0]["link"].startswith("http://localhost/forum/p/")
    assert posts[0]["state"] == "visible"
    assert [revision["body"] for revision in rows(archive, "post_revisions.csv")] == [
        "Who has a hall? (first try)"]
    answers = rows(archive, "answers.csv")
    assert [(a["event_title"], a["answer"]) for a in answers] == [
        ("Tenants' open meeting", "going")]
    rsvp = db.session.scalar(select(Rsvp).where(Rsvp.person_id == world.member.id))
    # the borough's time, as the site shows it, in a form a spreadsheet reads
    assert answers[0]["occurrence_start"] == local(rsvp.occurrence_start).strftime(
        "%Y-%m-%d %H:%M:%S")
    assert [m["organisation"] for m in rows(archive, "memberships.csv")] == ["Alpha Tenants"]
    assert rows(archive, "reports.csv")[0]["seat"] == "Voluntary sector seat"
    profile = archive.read("profile.json").decode()
    assert '"email": "member@example.org"' in profile and '"name": "Mo Member"' in profile
    assert '"suspended_at": null' in profile

    sessions = rows(archive, "sessions.csv")
    assert len(sessions) == 1 and set(sessions[0]) == {
        "created_at", "expires_at", "revoked_at", "ip", "user_agent"}
    text = everything(archive)
    for token_hash in db.session.scalars(select(LoginSession.token_hash)):
        assert token_hash not in text
    for token_hash in db.session.scalars(select(DataExport.token_hash)):
        assert token_hash not in text
    # Nobody else's words or addresses: Otto's reply in Mo's thread, the others' emails.
    assert "We do." not in text
    for someone in ("other@example.org", "contact@example.org", "coordinator@example.org",
                    "Otto Other", "Cora Contact"):
        assert someone not in text, someone
    assert "What is not in it" in archive.read("README.txt").decode()


def test_the_download_is_a_clean_file_name_never_stored(client, world, login):
    login(world.member)
    response = client.post(ask(client))
    opened(response)
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="network-data-{today().isoformat()}.zip"')
    assert response.headers["Cache-Control"] == "no-store"
    assert int(response.headers["Content-Length"]) == len(response.get_data())


def test_the_link_works_once(client, world, login):
    login(world.member)
    path = ask(client)
    opened(client.post(path))
    assert client.post(path).status_code == 404
    again = client.get(path)
    assert again.status_code == 404
    # Pressed twice, or come back to later: told what to do, not "Page not found".
    assert "This link to your archive has been used already, or has expired." in body(again)
    assert 'href="/account"' in body(again) and "Page not found" not in body(again)
    used = db.session.scalar(select(DataExport).order_by(DataExport.id.desc()).limit(1))
    assert used.used_at is not None


def test_the_link_expires_after_30_minutes(client, world, login, clock):
    login(world.member)
    path = ask(client)
    clock.advance(minutes=29)
    assert client.get(path).status_code == 200
    clock.advance(minutes=2)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 404


def test_another_persons_link_is_as_unknown(client, world, login):
    login(world.member)
    path = ask(client)
    other = client.application.test_client()
    login(world.other_member, c=other)
    token = path.rsplit("/", 1)[1]
    unknown = other.get("/account/data/not-a-real-token")
    for response in (other.get(path), other.post(path)):
        assert response.status_code == unknown.status_code == 404
        # The same page, but for its own address (the footer's language switch comes back)
        assert body(response).replace(token, "not-a-real-token") == body(unknown)
    opened(client.post(path))  # still Mo's, unused


def test_visitors_are_asked_to_log_in(client, world):
    for response in (client.post("/account/data"), client.get("/account/data/" + "x" * 43),
                     client.post(f"/account/data/{world.data_export_token}")):
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert exports() == 1  # the world's


def test_asking_again_within_5_minutes_is_refused_and_makes_no_row(client, world, login,
                                                                     clock):
    login(world.member)
    ask(client)
    made = exports()
    again = client.post("/account/data")
    assert again.status_code == 429
    assert int(again.headers["Retry-After"]) <= 5 * 60 + 1
    assert "You asked for a copy of your data a moment ago" in body(again)
    assert "Download my data" in body(again)  # the account page, saying why
    assert exports() == made
    clock.advance(minutes=5, seconds=1)
    ask(client)
    assert exports() == made + 1


def test_asking_again_after_downloading_is_not_told_to_use_the_used_link(client, world,
                                                                         login):
    login(world.member)
    opened(client.post(ask(client)))
    again = client.post("/account/data")
    assert again.status_code == 429
    assert "You downloaded a copy of your data a moment ago" in body(again)
    assert "Use the link you were given" not in body(again)


def test_looking_at_the_page_writes_nothing(client, world, login):
    login(world.member)
    path = ask(client)
    before = commits(db.engine)
    assert client.get(path).status_code == 200
    assert client.get(path).status_code == 200
    assert commits(db.engine) == before
    assert db.session.scalar(select(DataExport.used_at).order_by(DataExport.id.desc())
                             .limit(1)) is None


def test_asking_and_downloading_are_audited(client, world, login):
    from network.core.audit import AuditEntry

    login(world.member)
    opened(client.post(ask(client)))
    entries = db.session.execute(select(AuditEntry.action, AuditEntry.target_type,
                                        AuditEntry.target_id, AuditEntry.actor_id)
                                 .where(AuditEntry.action.like("person.archive%"))
                                 .order_by(AuditEntry.id)).all()
    person = world.member.id
    assert entries == [("person.archive_ask", "person", person, person),
                       ("person.archive_download", "person", person, person)]


def test_cells_that_look_like_formulas_are_guarded(client, world, login):
    login(world.member)
    client.post(f"/forum/t/{world.thread.id}/reply",
                data={"body": "=HYPERLINK(\"http://evil.example\")"})
    client.post(f"/forum/t/{world.thread.id}/reply", data={"body": "-2+3"})
    posts = [post["body"] for post in rows(opened(client.post(ask(client))), "posts.csv")]
    assert "'=HYPERLINK(\"http://evil.example\")" in posts
    assert "'-2+3" in posts
    assert "Who has a hall?" in posts


def test_thousands_of_posts_are_written_in_bounded_memory(app, world):
    """3,000 posts of 8 KB each (24 MB of text) make an archive with at most 20 MB allocated
    at any moment: rows are read in batches and written into the ZIP as they come."""
    person = world.member
    thread_id = world.thread.id
    chunk = "".join(f"{n:05d} words of a long post, " for n in range(300))[:8000]
    db.session.execute(insert(Post), [
        {"thread_id": thread_id, "author_id": person.id, "body": f"{n} {chunk}",
         "created_at": now(), "version": 1} for n in range(3000)])
    db.session.commit()
    with app.test_request_context():
        tracemalloc.start()
        try:
            spool, size = build_archive(db.session.get(type(person), person.id))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    with spool, zipfile.ZipFile(spool) as archive:
        assert len(rows(archive, "posts.csv")) == 3001
        assert archive.getinfo("posts.csv").file_size > 24_000_000
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MB"


def test_what_others_did_to_the_account_is_there_without_who_or_where(app, client, world,
                                                                       login):
    from network.forum import services as forum

    with app.test_request_context(environ_base={"REMOTE_ADDR": "203.0.113.9"}):
        forum.pause_posting(world.member, world.coordinator, "Cooling off.",
                            now() + timedelta(days=1))
        db.session.commit()
    login(world.member)
    archive = opened(client.post(ask(client)))
    audit = {entry["action"]: entry for entry in rows(archive, "audit.csv")}
    paused = audit["person.pause_posting"]
    assert paused["by"] == "someone else" and paused["ip"] == ""
    assert paused["target_type"] == "person" and "Cooling off." in paused["details"]
    assert audit["person.archive_ask"]["by"] == "you"
    assert audit["person.archive_ask"]["ip"] == "127.0.0.1"
    assert '"reason": "Cooling off."' in archive.read("profile.json").decode()
    text = everything(archive)
    assert "203.0.113.9" not in text and "Cam Coordinator" not in text


def test_the_readme_is_in_the_persons_language(client, world, login):
    from network.auth.models import Person

    db.session.get(Person, world.member.id).locale = "pl"
    db.session.commit()
    login(world.member)
    readme = opened(client.post(ask(client))).read("README.txt").decode()
    assert readme.startswith("Kopia Twoich danych z serwisu")
    assert "Co zawiera każdy plik" in readme and "posts.csv" in readme
    assert "Twoje wpisy na forum" in readme


def test_times_are_the_boroughs_as_the_site_shows_them(app):
    from datetime import UTC, datetime

    from network.privacy.archive_contents import value

    assert app.config["TIME_ZONE"] == "Europe/London"
    assert value(datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) == "2026-07-01 10:00:00"  # summer
    assert value(datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) == "2026-12-01 09:00:00"
