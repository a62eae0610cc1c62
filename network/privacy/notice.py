"""The privacy page (/privacy, for everyone, visitors too) and its editing by coordinators
(/privacy/edit): each save a new version, the newest shown."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from network.core.htmx import render, see_other
from network.core.markdown import render_markdown
from network.core.permissions import authorize, can
from network.core.submit import submit
from network.privacy.blueprint import bp
from network.privacy.notice_forms import PrivacyNoticeForm
from network.privacy.notice_services import (
    current_notice,
    default_text,
    earlier_notices,
    save_notice,
)


def notice_context() -> dict:
    notice = current_notice()
    return {"notice": notice,
            "text": render_markdown(notice.body if notice is not None else default_text(),
                                    top=2),  # the text is the page, under its h1
            "may_edit": can("privacy.edit")}


@bp.get("/privacy")
def notice():
    return render("privacy/notice.html", notice_context())


def edit_context(form: PrivacyNoticeForm) -> dict:
    notice = current_notice()
    return {"form": form, "notice": notice, "earlier": earlier_notices(notice)}


@bp.route("/privacy/edit", methods=["GET", "POST"])
def edit_notice():
    authorize("privacy.edit")
    form = PrivacyNoticeForm()
    if not form.is_submitted():
        shown = current_notice()
        form.body.data = shown.body if shown is not None else default_text()
    return submit(
        form, lambda: save_notice(form.body.data, current_user),
        page=lambda: render("privacy/edit_notice.html", edit_context(form)),
        done=lambda changed: see_other(
            url_for("privacy.notice"), _("The privacy page is saved."),
            already=_("That is the text already shown: nothing changed."), changed=changed))
