"""Uploaded files (a meeting's papers, a report-back's): what kind a file is, decided from its
content, never its name; where its bytes are kept; how it is served back; and a paper, a file
attached to whatever owns it under a title and a name.

Bytes go through one small interface, `Storage`, so any of several app servers can serve any
file. The one kept here, `DatabaseStorage`, puts them in the database beside their record: no
shared disk, and a database backup holds them. Another (a bucket, a shared directory) is a class
with `put` and `get`, named in FILE_STORAGE.

A file is served only as a download, with headers of its own: attachment, no sniffing, and a
content security policy under which nothing in it can run, whatever a browser makes of it.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar
from urllib.parse import quote

from flask import Flask, Response, current_app, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, declared_attr, deferred, mapped_column, relationship
from werkzeug.datastructures import FileStorage
from wtforms import FileField
from wtforms.validators import StopValidation

from network.core.forms import Form, text_field
from network.core.text import one_line
from network.core.time import now
from network.extensions import db

MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # the default; the setting is MAX_UPLOAD_BYTES

# What may be attached: content type -> (what people call it, the file name ending).
KINDS = {
    "application/pdf": ("PDF", "pdf"),
    "application/vnd.oasis.opendocument.text": ("OpenDocument text", "odt"),
    "application/vnd.oasis.opendocument.spreadsheet": ("OpenDocument spreadsheet", "ods"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        ("Word document", "docx"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        ("Excel spreadsheet", "xlsx"),
    "text/plain": ("plain text", "txt"),
    "image/png": ("PNG image", "png"),
    "image/jpeg": ("JPEG image", "jpg"),
}

# The endings a file picker offers first (`accept`).
ACCEPT = ",".join(sorted({f".{ending}" for _kind, ending in KINDS.values()} | {".jpeg"}))

# Served with every file: nothing in it runs, nothing is fetched, no page frames it.
DOWNLOAD_POLICY = "default-src 'none'; sandbox; frame-ancestors 'none'"


class StoredFile(db.Model):
    """A file's record: its kind, size and digest, and its bytes (or the key they are kept
    under elsewhere). Never changed: a new version is a new StoredFile."""

    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    storage: Mapped[str] = mapped_column(String(20), default="database")
    key: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(default=now)

    @property
    def kind(self) -> str:
        return KINDS.get(self.content_type, ("file", "bin"))[0]


class Storage(Protocol):
    name: str

    def put(self, record: StoredFile, data: bytes) -> None: ...

    def get(self, record: StoredFile) -> bytes: ...


class DatabaseStorage:
    name = "database"

    def put(self, record: StoredFile, data: bytes) -> None:
        record.data = data

    def get(self, record: StoredFile) -> bytes:
        return record.data or b""


STORAGES: dict[str, Storage] = {"database": DatabaseStorage()}


def storage() -> Storage:
    return STORAGES[current_app.config.get("FILE_STORAGE", "database")]


# --- what kind of file -------------------------------------------------------------------------

OPENDOCUMENT = {"application/vnd.oasis.opendocument.text",
                "application/vnd.oasis.opendocument.spreadsheet"}
# Members that hold code an office program may run: macros are not papers. Basic/'s empty
# library lists (script-lc.xml, script-lb.xml), which some documents carry, are not code.
MACROS = re.compile(r"(^|/)vbaProject\.bin$|^Scripts/.*[^/]$"
                    r"|^Basic/[^/]+/(?!script-lb\.xml$)[^/]+$", re.IGNORECASE)
# Control characters no text file holds (tab, line feed, form feed and return are fine),
# C1 controls included: what binaries and terminal escapes are made of.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Markup a browser would act on: HTML, SVG or XML dressed as text is refused, whatever it is
# called, even though it would be served as text/plain under a policy that runs nothing.
MARKUP = re.compile(r"\A\s*<|<\s*(script|html|svg|iframe|object|embed|body|!doctype|\?xml)\b",
                    re.IGNORECASE)


def sniff(data: bytes) -> str | None:
    """The content type of an acceptable file, from its bytes; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        return _office_document(data)
    return "text/plain" if _plain_text(data) else None


def _office_document(data: bytes) -> str | None:
    """OpenDocument names its type in a member called `mimetype` (one of the two kinds taken,
    nothing else); Office Open XML documents are known by their main part. Either with macros
    is refused. Only the names and that one small member are read: no archive is unpacked."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if any(MACROS.search(name) for name in names):
                return None
            if "mimetype" in names:
                if archive.getinfo("mimetype").file_size > 100:
                    return None
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                return declared if declared in OPENDOCUMENT else None
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return ("application/vnd.openxmlformats-officedocument."
                            "wordprocessingml.document")
                if "xl/workbook.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, ValueError, OSError,
            NotImplementedError, RuntimeError, EOFError):
        return None
    return None


def _plain_text(data: bytes) -> bool:
    """UTF-8 (a byte order mark allowed), no control characters, not markup."""
    if not data:
        return False
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return bool(text) and not CONTROL.search(text) and not MARKUP.search(text)


def allowed_kinds() -> str:
    return ", ".join(name for name, _ending in KINDS.values())


# --- taking a file in ---------------------------------------------------------------------------

def safe_filename(name: str, content_type: str) -> str:
    """A name to save and serve it under: the sender's last path part, letters (any
    language's), digits, `-` and `_` kept, every other run of characters one `_`, ending as
    its kind does (never as the sender said)."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    stem = name.rsplit(".", 1)[0] if "." in name.strip(".") else name
    stem = re.sub(r"[^\w-]+", "_", stem).strip("._-")[:100].strip("._-") or "file"
    return f"{stem}.{KINDS[content_type][1]}"


@dataclass
class Upload:
    data: bytes
    content_type: str
    filename: str

    def store(self) -> StoredFile:
        """Keep it: a StoredFile in the session (the caller's transaction commits it)."""
        place = storage()
        record = StoredFile(content_type=self.content_type, size=len(self.data),
                            sha256=hashlib.sha256(self.data).hexdigest(), storage=place.name)
        place.put(record, self.data)
        db.session.add(record)
        return record


def upload_limit() -> int:
    return current_app.config.get("MAX_UPLOAD_BYTES", MAX_UPLOAD_BYTES)


def allow_uploads() -> None:
    """Let this request's body hold a file at the limit and the form around it (the site's
    usual limit, MAX_CONTENT_LENGTH, is small). Beyond that the request is refused with 413
    before it is read; up to it, a file over the limit is refused beside its field."""
    request.max_content_length = upload_limit() + 1024 * 1024


View = TypeVar("View", bound=Callable)


def accepts_uploads(view: View) -> View:
    """Mark a view whose form takes a file. Its larger limit is set before the request's
    body is read by anything, the CSRF check included (init_app)."""
    view.accepts_uploads = True  # type: ignore[attr-defined]
    return view


def _limit_for_uploads() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "accepts_uploads", False):
        allow_uploads()


def init_app(app: Flask) -> None:
    """Call before CSRFProtect's init_app: before_request functions run in the order they
    were added, and the CSRF check reads the form, so the limit must be raised first."""
    app.before_request(_limit_for_uploads)


class FileUploadField(FileField):
    """One file of an allowed kind, under the size limit. `data` is an Upload, or None when
    nothing was chosen. A refused file leaves the rest of the form as it was sent."""

    def __init__(self, label=None, validators=None, *, optional=False, **kwargs):
        # A hint to the browser's file picker only: the bytes decide, whatever the name.
        kwargs.setdefault("render_kw", {"accept": ACCEPT})
        super().__init__(label, validators, **kwargs)
        self.optional = optional
        self.refusal = None
        if not optional:
            self.flags.required = True

    def process_formdata(self, valuelist):
        self.data = None
        upload = next((v for v in valuelist if isinstance(v, FileStorage) and v.filename), None)
        if upload is None:
            return
        limit = upload_limit()
        data = upload.stream.read(limit + 1)
        if len(data) > limit:
            self.refusal = _l("That file is larger than %(size)d MB: make it smaller, or split "
                              "it.", size=limit // (1024 * 1024))
            return
        content_type = sniff(data)
        if content_type is None:
            self.refusal = _l("That kind of file can't be attached. Attach one of these: "
                              "%(kinds)s.", kinds=allowed_kinds())
            return
        self.data = Upload(data, content_type, safe_filename(upload.filename, content_type))

    def pre_validate(self, form):
        if self.refusal is not None:
            raise StopValidation(str(self.refusal))
        if self.data is None and not self.optional:
            raise StopValidation(str(_l("Choose a file to attach.")))

    def _value(self):
        return ""


def download(record: StoredFile, filename: str) -> Response:
    """The file as an attachment, with headers of its own. The whole file, never a range:
    a compressed part (text is compressed on the way out) would not fit a range's count.
    The name is one line whatever it holds (a header cannot carry a line break)."""
    filename = one_line(filename, 200) or "file"
    response = Response(storage_of(record).get(record), mimetype=record.content_type)
    try:
        filename.encode("ascii")
        names = {"filename": filename}
    except UnicodeEncodeError:  # RFC 6266: an ASCII fallback, and the name itself in UTF-8
        fallback = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
        names = {"filename": fallback.lstrip("._") or f"file.{filename.rsplit('.', 1)[-1]}",
                 "filename*": "UTF-8''" + quote(filename, safe="")}
    response.headers.set("Content-Disposition", "attachment", **names)
    response.headers["Content-Security-Policy"] = DOWNLOAD_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # Not kept on a shared computer's disk when it is a member's; checked again otherwise.
    response.headers["Cache-Control"] = ("private, no-store" if current_user.is_authenticated
                                         else "private, no-cache")
    response.set_etag(record.sha256)
    return response.make_conditional(request)


def storage_of(record: StoredFile) -> Storage:
    return STORAGES[record.storage]


# --- papers: a file attached to what owns it ----------------------------------------------------

PAPER_TITLE_MAX = 120


class PaperColumns:
    """What a paper is, whatever owns it (an event, a report): its file, the title people know
    it by, the name it is served under, who attached it and when. Each owner's model keeps its
    own table, with the owner's key and what else it needs (an event's paper: its versions)."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)  # before the owner's
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    title: Mapped[str] = mapped_column(String(PAPER_TITLE_MAX))
    filename: Mapped[str] = mapped_column(String(120))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=now)

    @declared_attr
    def file(cls) -> Mapped[StoredFile]:
        return relationship(StoredFile, lazy="raise")


AnyPaper = TypeVar("AnyPaper", bound=PaperColumns)


class PaperForm(Form):
    """A paper to attach: what it is called, and the file. A feature whose papers are other
    things says so in `title_example`, and adds what else it asks."""

    title_example = _l("Say what it is: Agenda, Minutes, Draft strategy.")
    title = text_field(_l("Title"), PAPER_TITLE_MAX)
    file = FileUploadField(_l("The file"), description=_l(
        "A PDF, a Word or Excel file, an OpenDocument text or spreadsheet, plain text, or a "
        "PNG or JPEG image."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title.description = self.title_example


def add_paper(model: type[AnyPaper], upload: Upload, title: str, by_id: int, **owner) -> AnyPaper:
    """Keep the file and attach it, as a `model`, to the owner its key names (event_id=…),
    from the person `by_id`: in the session, for the caller's transaction."""
    paper = model(file=upload.store(), title=title, filename=upload.filename,
                  uploaded_by_id=by_id, **owner)
    db.session.add(paper)
    return paper


def serve_paper(paper: PaperColumns, asked: str, endpoint: str) -> Response:
    """The paper's file under its own name. Asked for by another name, its address moves (301)
    to the one `endpoint` (paper_id, filename) gives it: the name is part of the address."""
    if asked != paper.filename:
        return redirect(url_for(endpoint, paper_id=paper.id, filename=paper.filename), 301)
    return download(db.session.get(StoredFile, paper.file_id), paper.filename)
