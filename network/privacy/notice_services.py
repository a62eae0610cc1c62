"""The privacy page's versions: the newest shown, every one kept; when none has been saved,
a default text that says who runs the network, what is kept, for how long (the RETAIN_*
settings' values) and how to ask for a copy or erasure."""

from __future__ import annotations

from flask import current_app, render_template
from sqlalchemy import select

from network.auth.models import Person
from network.core import audit
from network.extensions import db
from network.privacy.models import PrivacyNotice


def current_notice() -> PrivacyNotice | None:
    return db.session.scalar(select(PrivacyNotice)
                             .order_by(PrivacyNotice.created_at.desc(), PrivacyNotice.id.desc())
                             .limit(1))


def earlier_notices(newest: PrivacyNotice | None, limit: int = 10) -> list[PrivacyNotice]:
    if newest is None:
        return []
    return list(db.session.scalars(
        select(PrivacyNotice).where(PrivacyNotice.id != newest.id)
        .order_by(PrivacyNotice.created_at.desc(), PrivacyNotice.id.desc()).limit(limit)))


def default_text() -> str:
    """The default page, in Markdown, in the reader's language, with this site's settings."""
    config = current_app.config
    return render_template(
        "privacy/default_notice.txt", site=config["SITE_NAME"],
        controller=config["PRIVACY_CONTROLLER"], contact=(config["PRIVACY_CONTACT"]
                                                          or config["COORDINATOR_EMAIL"]),
        throttle_days=config["RETAIN_THROTTLE_DAYS"],
        session_days=config["RETAIN_SESSIONS_DAYS"], mail_days=config["RETAIN_MAIL_DAYS"],
        token_days=config["RETAIN_TOKENS_DAYS"],
        backup_days=config["BACKUP_KEEP_DAYS"] if config["BACKUP_DIR"] else None,
        removes_text=config.get("CLOSED_ACCOUNT_TEXT") == "remove").strip()


def save_notice(body: str, by: Person) -> bool:
    """A new version, kept beside the earlier ones. False, and nothing written, when it is the
    text already shown (the default's too)."""
    current = current_notice()
    if body == (current.body if current is not None else default_text()):
        return False
    notice = PrivacyNotice(body=body, created_by_id=by.id)
    db.session.add(notice)
    db.session.flush()
    audit.record("privacy_notice.edit", notice, "Changed the privacy page", actor=by,
                 replaces=current.id if current is not None else None)
    return True
