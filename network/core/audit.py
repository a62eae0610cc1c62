"""The audit log: who did what to what, when, and from where. Written in the same transaction."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from network.core.time import now
from network.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int | None]
    summary: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(45))

    # A person (auth's model, named rather than imported: core imports no feature).
    actor: Mapped[Any] = relationship("Person")


def record(action: str, target: Any, summary: str, actor: Any = None,
           **details: Any) -> AuditEntry:
    """Add an audit entry to the session; it commits with the change it describes."""
    if actor is None and has_request_context() and current_user.is_authenticated:
        actor = current_user
    # current_user handed in as the target: the person, not the proxy ("localproxy").
    target = getattr(target, "_get_current_object", lambda: target)()
    entry = AuditEntry(
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "site",
        target_id=getattr(target, "id", None),
        summary=summary[:300],
        details=details,
        actor_id=actor.id if actor is not None else None,
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(entry)
    return entry


def changes(obj: Any, fields: list[str], new_values: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field whose value differs: an edit's history in the log."""
    diff = {}
    for field in fields:
        old, new = getattr(obj, field), new_values.get(field)
        if old != new:
            diff[field] = [_jsonable(old), _jsonable(new)]
    return diff


def _jsonable(value: Any) -> Any:
    if isinstance(value, list):
        return [getattr(v, "name", v) for v in value]
    if hasattr(value, "name") and not isinstance(value, str):
        return value.name
    if isinstance(value, date | time):  # and datetime; a listing's bookable hours
        return value.isoformat()
    return value
