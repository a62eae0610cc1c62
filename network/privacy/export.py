"""One person's archive written as a ZIP: README.txt, profile.json and a CSV per kind of thing
(archive_contents.py and archive_account.py say what each holds and read it).

Memory stays bounded however much the person wrote: rows are read a batch at a time
(`yield_per`, a server-side cursor on PostgreSQL), each file is deflated into the ZIP as its
rows are written, and the ZIP goes to a spooled file that moves to disk past SPOOL_IN_MEMORY.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import textwrap
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO

from flask import current_app
from flask_babel import gettext as _

from network.auth.models import Person
from network.core.time import now
from network.impact.figures import cell
from network.privacy.archive_account import ACCOUNT_FILES, PROFILE_ABOUT, profile
from network.privacy.archive_contents import CONTENT_FILES, ArchiveFile, value

SPOOL_IN_MEMORY = 1024 * 1024  # bytes of ZIP kept in memory before it moves to a file on disk
FILES: tuple[ArchiveFile, ...] = (*ACCOUNT_FILES, *CONTENT_FILES)


def build_archive(person: Person) -> tuple[IO[bytes], int]:
    """The person's archive as a file at its start, and its size in bytes."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)  # noqa: SIM115 -- returned
    made = now()
    with zipfile.ZipFile(spool, "w", zipfile.ZIP_DEFLATED) as archive:
        _write_text(archive, "README.txt", made, readme(person, made))
        _write_text(archive, "profile.json", made,
                    json.dumps(profile(person), ensure_ascii=False, indent=2, default=value))
        for each in FILES:
            with archive.open(_entry(each.name, made), "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                write_csv(text, each.columns, each.rows(person.id))
                text.flush()
                text.detach()
    size = spool.tell()
    spool.seek(0)
    return spool, size


def readme(person: Person, made: datetime) -> str:
    """README.txt in the person's language: what the files are, what each holds, and what is
    not in the archive and why."""
    title = _("A copy of your data from %(site)s", site=current_app.config["SITE_NAME"])
    lines = [title, "=" * len(title), ""]
    for paragraph in (
            _("Made on %(made)s for %(name)s <%(email)s>.", made=value(made),
              name=person.display_name, email=person.email),
            _("Every time is the time in %(zone)s, as the site shows it, written as "
              "2026-12-06 09:30:00 (spreadsheets read it as a date and time); days as "
              "2026-12-06.", zone=current_app.config["TIME_ZONE"]),
            _("The CSV files are UTF-8 with a byte order mark, so that spreadsheets "
              "read their accents; a cell that would start like a formula (with =, +, -, @) "
              "starts with an apostrophe instead."),
            _("Links are addresses on the site: they work while you are a member and allowed "
              "to see what they lead to.")):
        lines += [_fill(paragraph), ""]
    lines += _heading(_("What each file holds"))
    for name, about in (("profile.json", PROFILE_ABOUT),
                        *((each.name, each.about) for each in FILES)):
        lines += [name, _fill(str(about), "    "), ""]
    lines += _heading(_("What is not in it, and why"))
    for paragraph in (
            _("Other people's words and details are not in this archive: replies by others in "
              "your threads, others' messages in your conversations, who else is going to an "
              "event, who else backed an item, the people in your organisations, bookings "
              "others asked for, and the name and address of people you invited. They belong "
              "to those people, and you can read what you were allowed to see on the site; "
              "where something of yours was answered, the file has a link to it."),
            _("What was said to you about something of yours is in it: a coordinator's reason "
              "for hiding a post or a listing, a representative's answer to an item you "
              "raised, the reason a booking or an application was declined, and your "
              "notifications."),
            _("Also left out: the secrets that let you in (your password, and the tokens of "
              "sessions and emailed links, which are kept only as hashes anyway), the text of "
              "the email we sent you (emails.csv lists it: you have it, and what it said is in "
              "notifications.csv), the search index (a copy of the words above), and the files "
              "of papers (documents you attached belong to their event or report: papers.csv "
              "lists them, with links)."),
            _("Where someone else did something to your account (the audit entries about "
              "you), audit.csv says what and when, not who or from which address."),
            _("To ask for what is held about you in another form, or for it to be erased, see "
              "the privacy page or write to the coordinators (%(address)s).",
              address=current_app.config["COORDINATOR_EMAIL"])):
        lines += [_fill(paragraph), ""]
    return "\n".join(lines)


def _heading(text: str) -> list[str]:
    return [text, "-" * len(text), ""]


def _fill(text: str, indent: str = "") -> str:
    return textwrap.fill(text, width=88, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def write_csv(text: IO[str], columns: tuple[str, ...], rows: Iterable[Iterable]) -> None:
    writer = csv.writer(text)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_cell(each) for each in row])


def csv_cell(each) -> str:
    """A value as a CSV cell: text guarded against formulas (impact.figures.cell)."""
    if isinstance(each, str):
        return cell(each)
    return value(each)


def _entry(name: str, made: datetime) -> zipfile.ZipInfo:
    """A file in the ZIP, dated by the site's clock (ZipFile would read the machine's)."""
    info = zipfile.ZipInfo(name, date_time=made.astimezone(UTC).timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_text(archive: zipfile.ZipFile, name: str, made: datetime, text: str) -> None:
    archive.writestr(_entry(name, made), text.replace("\n", "\r\n") if name.endswith(".txt")
                     else text)
