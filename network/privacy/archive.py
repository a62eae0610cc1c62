"""One's own archive: asked for on the account page, then taken once from a page of its own
(no JavaScript needed: a form, a redirect, a form). The ZIP is written by export.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from flask import abort, current_app, redirect, url_for
from flask_babel import gettext as _

from network.auth.login import Hold
from network.auth.routes import account_page
from network.core.db import only_reading
from network.core.forms import EmptyForm
from network.core.htmx import render, see_other
from network.core.permissions import authorize, can, me
from network.core.submit import submit
from network.core.time import today
from network.privacy import exports
from network.privacy.blueprint import bp
from network.privacy.export import build_archive

BLOCK = 64 * 1024  # bytes of the ZIP sent at a time


@bp.post("/account/data")
def ask_for_archive():
    authorize("archive.ask")
    form, hold = EmptyForm(), Hold()
    return submit(form, lambda: exports.ask(me(), hold),
                  page=lambda: hold.answer(account_page(archive_problem=form.problem))
                  if form.problem else redirect(url_for("auth.account"), 303),
                  done=lambda made: see_other(url_for("privacy.archive", token=made[1])))


def archive_gone():
    """The 404 for a link that cannot be taken: used, expired, unknown and another person's
    are told apart by no one, but the asker (who pressed "Download" twice, or came back later)
    is told what to do, not "Page not found"."""
    return render("auth/link_gone.html", {
        "what": _("link to your archive"), "again_url": url_for("auth.account"),
        "again_label": _("Ask again on your account page")}, status=404)


def own_export(token: str):
    """The person's own usable export, or the 404 of archive_gone."""
    authorize("archive.ask")  # visitors log in first
    export = exports.find(token)
    if export is None or not can("archive.take", export):
        abort(archive_gone())
    return export


@bp.get("/account/data/<token>")
def archive(token: str):
    export = own_export(token)
    return render("privacy/archive.html", {"export": export, "token": token,
                                           "form": EmptyForm()})


@bp.post("/account/data/<token>")
def download_archive(token: str):
    export = own_export(token)
    return submit(EmptyForm(), lambda: exports.take(export),
                  page=lambda: redirect(url_for("privacy.archive", token=token), 303),
                  done=lambda taken: archive_response() if taken else archive_gone())


def archive_response():
    """The ZIP, built once the export is marked used and committed, on a reading transaction,
    from a spooled file (memory up to its spool, then disk)."""
    only_reading()
    spool, size = build_archive(me())
    response = current_app.response_class(_blocks(spool), mimetype="application/zip",
                                          direct_passthrough=True)
    response.content_length = size
    response.headers["Content-Disposition"] = (
        f'attachment; filename="network-data-{today().isoformat()}.zip"')
    response.headers["Cache-Control"] = "no-store"
    return response


def _blocks(spool: IO[bytes]) -> Iterator[bytes]:
    """The file a block at a time, closed (its disk file removed) once sent, or once the
    response is closed or dropped unsent."""
    try:
        while block := spool.read(BLOCK):
            yield block
    finally:
        spool.close()
