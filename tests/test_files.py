"""Uploaded files, as a meeting's papers: what kind a file is (from its bytes, never its name),
the limits, how it is served back, who may fetch it, versions, and the bytes kept in the
database so that any app server can serve them. Everything through HTTP, on both databases."""

from __future__ import annotations

import io
import re
import struct
import subprocess  # nosec B404 -- the test starts a second server process
import sys
import zipfile
import zlib
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from network.auth.services import suspend
from network.calendar.models import Paper
from network.core.audience import Audience
from network.core.files import StoredFile, sniff
from network.extensions import db
from tests.factories import make_event

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"


# --- real minimal files, built here ------------------------------------------------------------

def pdf(text: str = "Agenda") -> bytes:
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            + f"% {text}\n".encode() + b"trailer << /Root 1 0 R >>\n%%EOF\n")


def png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # one red pixel, no filter
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels)
            + chunk(b"IEND", b""))


def jpeg() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def archive(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, body in members.items():
            method = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            z.writestr(zipfile.ZipInfo(name), body, compress_type=method)
    return buffer.getvalue()


def opendocument(mimetype: str) -> bytes:
    return archive({"mimetype": mimetype, "content.xml": "<office:document-content/>",
                    "META-INF/manifest.xml": "<manifest:manifest/>"})


def office(main: str, **extra: str) -> bytes:
    return archive({"[Content_Types].xml": "<Types/>", "_rels/.rels": "<Relationships/>",
                    main: "<document/>", **extra})


def text(body: str = "Agenda\n1. Welcome — café at 7\n\t2. Minutes\r\n") -> bytes:
    return body.encode()


ALLOWED = {
    "pdf": (pdf(), "application/pdf"),
    "png": (png(), "image/png"),
    "jpeg": (jpeg(), "image/jpeg"),
    "odt": (opendocument(ODT), ODT),
    "ods": (opendocument(ODS), ODS),
    "docx": (office("word/document.xml"), DOCX),
    "xlsx": (office("xl/workbook.xml"), XLSX),
    "odt with empty macro library lists": (archive({
        "mimetype": ODT, "content.xml": "<office:document-content/>",
        "Basic/script-lc.xml": "<library:libraries/>",
        "Basic/Standard/script-lb.xml": "<library:library/>"}), ODT),
    "text": (text(), "text/plain"),
    "text with a byte order mark": (b"\xef\xbb\xbf" + text(), "text/plain"),
}

REFUSED = {
    "html": b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
    "html after blank lines": b"\n\n  <html><body onload=alert(1)>hi</body></html>",
    "html fragment": b"<script>alert(document.cookie)</script>",
    "svg": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "xml": b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00PE\x00\x00",
    "elf": b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00",
    "another zip": archive({"readme.txt": "hello", "setup.exe": "MZ"}),
    "a zip naming a kind not its own": opendocument("application/pdf"),
    "a zip naming html": opendocument("text/html"),
    "a macro-enabled word document": office("word/document.xml",
                                            **{"word/vbaProject.bin": "macros"}),
    "an opendocument with a basic macro": archive({
        "mimetype": ODT, "content.xml": "<office:document-content/>",
        "Basic/Standard/script-lb.xml": "<library:library/>",
        "Basic/Standard/Module1.xml": "<script:module>Shell(...)</script:module>"}),
    "an opendocument with a python script": archive({
        "mimetype": ODS, "Scripts/python/run.py": "import os"}),
    "a broken zip": b"PK\x03\x04" + b"\x00" * 40,
    "text with a nul byte": b"Agenda\x00\n1. Welcome\n",
    "text with other control characters": b"Agenda\x1b[31m red\n",
    "latin-1 text": "Caf\xe9 at seven".encode("latin-1"),
    "utf-16 text": "Agenda".encode("utf-16"),
    "empty": b"",
    "gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
}


@pytest.mark.parametrize("name", ALLOWED)
def test_sniff_recognises_each_allowed_kind_from_its_bytes(name):
    data, content_type = ALLOWED[name]
    assert sniff(data) == content_type


@pytest.mark.parametrize("name", REFUSED)
def test_sniff_refuses_every_other_kind(name):
    assert sniff(REFUSED[name]) is None


# --- helpers -------------------------------------------------------------------------------------

def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def rows() -> tuple[int, int]:
    return count(StoredFile), count(Paper)


def attach(client, event, data: bytes, filename: str, title="Agenda", replaces="", **form):
    """The form as a browser posts it: multipart, the file with the name it had."""
    fields = {"title": title, "replaces": replaces,
              "file": FileStorage(io.BytesIO(data), filename), **form}
    boundary, body = encode_multipart({name: value for name, value in fields.items()
                                       if value is not None})
    return client.post(f"/calendar/e/{event.id}/papers", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def only_paper(event) -> Paper:
    db.session.rollback()
    return db.session.scalars(select(Paper).where(Paper.event_id == event.id)
                              .order_by(Paper.id.desc())).first()


def paper_url(paper: Paper, filename: str | None = None) -> str:
    return f"/calendar/papers/{paper.id}/{quote(filename or paper.filename)}"


def event_page(client, event) -> str:
    response = client.get(f"/calendar/e/{event.id}", follow_redirects=True)
    assert response.status_code == 200
    return response.text


def error_beside(html: str, field: str) -> str:
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert found, f"no error beside {field}"
    return found.group(1)


@pytest.fixture
def meeting(world):
    """A members-only meeting of Alpha Tenants (world.contact and world.member belong)."""
    return make_event(world.org_a, world.contact, "March meeting")


# --- attaching and fetching ----------------------------------------------------------------------

def test_the_form_posts_a_file_as_multipart_without_javascript(client, world, meeting, login):
    login(world.member)
    html = client.get(f"/calendar/e/{meeting.id}/papers").text
    form = re.search(r"<form[^>]*>", html[html.index("<h1"):]).group(0)
    assert 'method="post"' in form and 'enctype="multipart/form-data"' in form
    assert "hx-" not in form
    file_input = re.search(r'<input[^>]*name="file"[^>]*>', html).group(0)
    assert 'type="file"' in file_input and 'accept=".docx,.jpeg,.jpg,' in file_input


def test_an_organiser_attaches_a_paper_and_it_downloads_exactly_as_sent(
        client, world, meeting, login):
    login(world.member)
    data = pdf("the agenda for March")
    response = attach(client, meeting, data, "March agenda.pdf", title="Agenda for March")
    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/calendar/e/{meeting.id}")

    paper = only_paper(meeting)
    assert (paper.title, paper.filename, paper.uploaded_by_id) == (
        "Agenda for March", "March_agenda.pdf", world.member.id)
    stored = db.session.get(StoredFile, paper.file_id)
    assert (stored.content_type, stored.size, stored.storage) == ("application/pdf",
                                                                  len(data), "database")
    assert stored.data == data  # the bytes are in the database row

    html = event_page(client, meeting)
    assert "Agenda for March" in html
    assert f'href="{paper_url(paper)}"' in html

    download = client.get(paper_url(paper))
    assert download.status_code == 200
    assert download.data == data
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"] == 'attachment; filename=March_agenda.pdf'
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    policy = download.headers["Content-Security-Policy"]
    assert policy.startswith("default-src 'none'; sandbox")
    assert "script-src" not in policy and "'self'" not in policy
    assert "no-store" in download.headers["Cache-Control"] or \
        "private" in download.headers["Cache-Control"]


@pytest.mark.parametrize(("name", "sent_as"), [
    ("docx", "minutes.docx"), ("xlsx", "budget.xlsx"), ("odt", "minutes.odt"),
    ("ods", "budget.ods"), ("png", "map.png"), ("jpeg", "photo.jpeg"), ("text", "notes.txt")])
def test_each_allowed_kind_is_served_back_as_its_own_type(client, world, meeting, login,
                                                          name, sent_as):
    login(world.contact)
    data, content_type = ALLOWED[name]
    assert attach(client, meeting, data, sent_as).status_code == 303
    download = client.get(paper_url(only_paper(meeting)))
    assert download.data == data
    assert download.mimetype == content_type
    if content_type == "text/plain":
        assert download.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_the_name_sent_never_decides_the_type(client, world, meeting, login):
    """PDF bytes called .txt are a PDF, and are named as one; HTML called .pdf is refused."""
    login(world.member)
    assert attach(client, meeting, pdf(), "agenda.txt").status_code == 303
    paper = only_paper(meeting)
    assert paper.filename == "agenda.pdf"
    assert client.get(paper_url(paper)).headers["Content-Type"] == "application/pdf"

    before = rows()
    refused = attach(client, meeting, REFUSED["html"], "agenda.pdf")
    assert refused.status_code == 422
    assert rows() == before


def test_a_non_ascii_or_hostile_file_name_is_made_safe(client, world, meeting, login):
    login(world.member)
    assert attach(client, meeting, pdf(), "Cyfarfod Mawrth – Protokół.pdf").status_code == 303
    paper = only_paper(meeting)
    assert paper.filename == "Cyfarfod_Mawrth_Protokół.pdf"
    download = client.get(paper_url(paper))
    assert download.status_code == 200
    disposition = download.headers["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    disposition.encode("ascii")  # a header that is ASCII throughout
    assert "filename*=UTF-8''" + quote("Cyfarfod_Mawrth_Protokół.pdf") in disposition

    for hostile in ["../../etc/passwd.pdf", "..\\..\\boot.ini.pdf", "<script>.pdf",
                    "invoice\u202efdp.exe.pdf", ".htaccess"]:
        assert attach(client, meeting, pdf(), hostile).status_code == 303
        name = only_paper(meeting).filename
        assert name.endswith(".pdf") and not name.startswith(".")
        assert not set(name) & set("/\\\"<>;:\u202e")
        assert client.get(paper_url(only_paper(meeting))).status_code == 200


# --- refused -------------------------------------------------------------------------------------

def test_a_file_over_the_limit_is_refused_and_the_rest_of_the_form_kept(make_app, login):
    from tests.factories import build_world

    app = make_app(MAX_UPLOAD_BYTES=2 * 1024 * 1024)
    client = app.test_client()
    with app.app_context():
        world = build_world()
        meeting = make_event(world.org_a, world.contact, "March meeting")
        login(world.member, c=client)
        before = rows()
        response = attach(client, meeting, pdf() + b"0" * (2 * 1024 * 1024), "big.pdf",
                          title="The big report")
        assert response.status_code == 422
        message = error_beside(response.text, "file")
        assert "larger than 2 MB" in message
        assert 'value="The big report"' in response.text
        assert rows() == before

        exactly = pdf()
        exactly += b"0" * (2 * 1024 * 1024 - len(exactly))
        assert attach(client, meeting, exactly, "just.pdf").status_code == 303
        assert rows() == (before[0] + 1, before[1] + 1)


def test_a_file_of_another_kind_is_refused_and_the_rest_of_the_form_kept(
        client, world, meeting, login):
    login(world.member)
    before = rows()
    response = attach(client, meeting, REFUSED["svg"], "logo.png", title="Our logo")
    assert response.status_code == 422
    message = error_beside(response.text, "file")
    assert "be attached" in message and "PDF" in message
    assert 'value="Our logo"' in response.text
    assert rows() == before


def test_no_file_chosen_is_refused(client, world, meeting, login):
    login(world.member)
    before = rows()
    response = client.post(f"/calendar/e/{meeting.id}/papers",
                           data={"title": "Agenda", "replaces": ""},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Choose a file" in error_beside(response.text, "file")
    assert rows() == before


def test_a_body_over_the_request_limit_gets_the_413_page(make_app, login):
    from tests.factories import build_world

    app = make_app(MAX_UPLOAD_BYTES=1000)
    client = app.test_client()
    with app.app_context():
        world = build_world()
        meeting = make_event(world.org_a, world.contact, "March meeting")
        login(world.member, c=client)
        before = rows()
        # The request may be the limit and a megabyte of form around it: within that a file
        # over the limit is read, and refused beside its field...
        response = attach(client, meeting, pdf() + b"0" * (1024 * 1024 - 10_000), "big.pdf",
                          title="Annual report")
        assert response.status_code == 422
        assert "larger than" in error_beside(response.text, "file")
        # ...beyond it, the request is refused before it is read: the error page, signed in.
        response = attach(client, meeting, pdf() + b"0" * (1024 * 1024 + 2000), "huge.pdf")
        assert response.status_code == 413
        assert "That is too large" in response.text
        assert "Log out" in response.text
        assert rows() == before


def test_a_file_over_the_site_limit_but_under_the_upload_limit_is_taken_with_csrf_on(
        make_app, login):
    """The site's usual body limit (MAX_CONTENT_LENGTH, 2 MB) is raised for this form before
    anything reads the body, the CSRF check included."""
    from tests.factories import PASSWORD, build_world
    from tests.test_security import csrf_token

    app = make_app(WTF_CSRF_ENABLED=True, MAX_UPLOAD_BYTES=4 * 1024 * 1024)
    assert app.config["MAX_CONTENT_LENGTH"] < 3 * 1024 * 1024
    client = app.test_client()
    with app.app_context():
        world = build_world()
        meeting = make_event(world.org_a, world.contact, "March meeting")
        client.post("/login", data={"email": world.member.email, "password": PASSWORD,
                                    "csrf_token": csrf_token(client.get("/login").text)})
        token = csrf_token(client.get(f"/calendar/e/{meeting.id}/papers").text)
        data = pdf() + b"0" * (3 * 1024 * 1024)
        response = attach(client, meeting, data, "report.pdf", csrf_token=token)
        assert response.status_code == 303, response.text[:500]
        assert client.get(paper_url(only_paper(meeting))).data == data

        # Elsewhere the site's limit still holds.
        big = client.post("/login", data={"email": "x" * (3 * 1024 * 1024), "password": "x"})
        assert big.status_code == 413


# --- versions ------------------------------------------------------------------------------------

def test_a_new_version_replaces_the_listed_one_and_keeps_the_old(client, world, meeting,
                                                                 login):
    """The old version's address keeps working for anyone who may see the event: links to it
    in minutes and emails still lead somewhere; the event page lists only the current one."""
    login(world.member)
    files_before = count(StoredFile)
    first = pdf("draft")
    assert attach(client, meeting, first, "agenda.pdf", title="Agenda").status_code == 303
    old = only_paper(meeting)

    form = client.get(f"/calendar/e/{meeting.id}/papers").text
    assert f'<option value="{old.id}">Agenda</option>' in form

    second = pdf("final")
    response = attach(client, meeting, second, "agenda-final.pdf", title="Agenda (final)",
                      replaces=str(old.id))
    assert response.status_code == 303
    new = only_paper(meeting)
    assert new.id != old.id
    db.session.refresh(old)
    assert old.replaced_by_id == new.id and new.replaced_by_id is None
    assert count(StoredFile) == files_before + 2

    html = event_page(client, meeting)
    assert paper_url(new) in html and "Agenda (final)" in html
    assert paper_url(old) not in html

    assert client.get(paper_url(new)).data == second
    assert client.get(paper_url(old)).data == first

    client.post("/logout")
    login(world.other_member)  # another organisation's member may see members' events
    assert client.get(paper_url(old)).data == first
    client.post("/logout")
    assert sent_to_log_in(client.get(paper_url(old)))


def test_a_paper_of_another_event_cannot_be_replaced(client, world, meeting, login):
    login(world.member)
    other_meeting = make_event(world.org_a, world.contact, "April meeting")
    assert attach(client, other_meeting, pdf(), "april.pdf").status_code == 303
    elsewhere = only_paper(other_meeting)
    before = rows()
    response = attach(client, meeting, pdf(), "x.pdf", replaces=str(elsewhere.id))
    assert response.status_code == 422
    assert rows() == before
    db.session.refresh(elsewhere)
    assert elsewhere.replaced_by_id is None


# --- who may see and attach ----------------------------------------------------------------------

@pytest.fixture
def members_paper(client, world, meeting, login):
    """A paper on the members-only meeting, attached by world.member; the client logged out."""
    login(world.member)
    assert attach(client, meeting, pdf("members only"), "minutes.pdf").status_code == 303
    client.post("/logout")
    return only_paper(meeting)


def sent_to_log_in(response) -> bool:
    """A members' event is no secret, its papers are: a visitor is asked to log in."""
    return response.status_code == 302 and "/login" in response.headers["Location"] \
        and b"%PDF" not in response.data


def test_a_members_only_paper_is_not_for_a_visitor(client, members_paper):
    assert sent_to_log_in(client.get(paper_url(members_paper)))
    assert sent_to_log_in(client.get(paper_url(members_paper, "other.pdf")))


def test_a_suspended_person_cannot_fetch_a_paper(client, world, members_paper, login):
    login(world.member)
    assert client.get(paper_url(members_paper)).status_code == 200
    suspend(db.session.get(type(world.member), world.member.id), "Spam",
            by=db.session.get(type(world.coordinator), world.coordinator.id))
    db.session.commit()
    assert sent_to_log_in(client.get(paper_url(members_paper)))


def test_another_organisations_member_may_download_but_not_attach(client, world, meeting,
                                                                  members_paper, login):
    login(world.other_member)
    assert client.get(paper_url(members_paper)).data == pdf("members only")
    assert client.get(f"/calendar/e/{meeting.id}/papers").status_code == 403
    before = rows()
    assert attach(client, meeting, pdf(), "mine.pdf").status_code == 403
    assert rows() == before


def test_a_coordinator_may_attach_to_any_organisations_event(client, world, meeting, login):
    login(world.coordinator)
    assert attach(client, meeting, pdf(), "notes.pdf").status_code == 303


def test_a_public_events_paper_downloads_for_a_visitor(client, world, login):
    public = make_event(world.org_a, world.contact, "Open day", audience=Audience.PUBLIC)
    login(world.contact)
    assert attach(client, public, text(), "programme.txt").status_code == 303
    paper = only_paper(public)
    client.post("/logout")
    assert client.get(paper_url(paper)).data == text()
    assert client.get(f"/calendar/e/{public.id}/papers").status_code != 200


def test_a_guessed_paper_id_is_not_found(client, members_paper):
    assert client.get(f"/calendar/papers/{members_paper.id + 1}/x.pdf").status_code == 404
    assert sent_to_log_in(client.get(f"/calendar/papers/{members_paper.id}/x.pdf"))
    assert client.get("/calendar/papers/99999999999999999999/x.pdf").status_code == 404


def test_a_wrong_file_name_redirects_only_those_who_may_see_it(client, world, members_paper,
                                                               login):
    assert sent_to_log_in(client.get(paper_url(members_paper, "guess.pdf")))
    login(world.other_member)
    response = client.get(paper_url(members_paper, "old-name.pdf"))
    assert response.status_code in (301, 302, 308)
    assert response.headers["Location"].endswith(paper_url(members_paper))


def test_a_stranger_cannot_attach_to_a_hidden_event(client, meeting):
    before = rows()
    response = attach(client, meeting, pdf(), "x.pdf")
    assert response.status_code in (302, 303, 404)
    assert "/login" in response.headers.get("Location", "/login") or \
        response.status_code == 404
    assert rows() == before


# --- any of several app servers -----------------------------------------------------------------

def test_a_file_uploaded_through_one_app_downloads_through_another(make_app, login):
    """Two app objects on one database, as two servers would be: nothing lives on a disk."""
    from tests.factories import build_world

    first, second = make_app(), make_app()
    with first.app_context():
        world = build_world()
        meeting = make_event(world.org_a, world.contact, "March meeting")
        one = first.test_client()
        login(world.member, c=one)
        data = pdf("shared")
        assert attach(one, meeting, data, "shared.pdf").status_code == 303
        url = paper_url(only_paper(meeting))
        member = SimpleNamespace(email=world.member.email)
    with second.app_context():
        two = second.test_client()
        login(member, c=two)
        response = two.get(url)
        assert response.status_code == 200
        assert response.data == data


SERVER = """
import sys
from network import create_app
from network.config import TestConfig

app = create_app(TestConfig(sys.argv[1]))
client = app.test_client()
client.post("/login", data={"email": sys.argv[2], "password": sys.argv[3]})
response = client.get(sys.argv[4])
sys.stdout.buffer.write(str(response.status_code).encode() + b"\\n" + response.data)
"""


def test_a_file_uploaded_here_downloads_from_a_server_in_another_process(
        client, world, meeting, login, database_url):
    """No memory or disk of this process is involved: another server process serves it."""
    from tests.factories import PASSWORD

    login(world.member)
    data = pdf("from another server")
    assert attach(client, meeting, data, "shared.pdf").status_code == 303
    url, email = paper_url(only_paper(meeting)), world.member.email
    db.session.rollback()  # this process holds no lock while the other reads
    done = subprocess.run(  # nosec B603 -- this interpreter, arguments of the test's own
        [sys.executable, "-c", SERVER, database_url, email, PASSWORD, url],
        capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    status, body = done.stdout.split(b"\n", 1)
    assert (status, body) == (b"200", data)


def test_the_first_paper_attaches_with_the_fields_its_form_has(client, world, meeting, login):
    """With no paper yet there is no "new version of" choice: the form is sent without it."""
    login(world.member)
    page = client.get(f"/calendar/e/{meeting.id}/papers").get_data(as_text=True)
    assert 'name="replaces"' not in page
    response = attach(client, meeting, pdf("first"), "agenda.pdf", replaces=None)
    assert response.status_code == 303
    assert only_paper(meeting).title == "Agenda"
