"""Grow the demo borough: every organisation, person, application and audit entry copied
`factor` times over, so budgets can be measured at 100x the demo data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from network.auth.models import Person
from network.core.audit import AuditEntry
from network.extensions import db
from network.forum.models import Post, Thread
from network.forum.services import refresh_category, refresh_thread
from network.members.models import Application, Membership, Organisation, OrgStatus, name_key


def grow(factor: int) -> None:
    now = datetime.now(UTC)
    organisations = db.session.scalars(select(Organisation)).all()
    people = db.session.scalars(select(Person).where(Person.email.like("%@example.org"))).all()
    memberships = db.session.scalars(select(Membership)).all()
    applications = db.session.scalars(select(Application)).all()
    coordinator = db.session.scalar(select(Person).where(
        Person.email == "coordinator@example.org"))
    threads = db.session.scalars(select(Thread)).all()
    posts = db.session.scalars(select(Post).order_by(Post.id)).all()
    for copy in range(2, factor + 1):
        org_copies = {}
        for org in organisations:
            name = f"{org.name} {copy}"
            org_copies[org.id] = Organisation(
                name=name, name_key=name_key(name), kind=org.kind, area=org.area,
                themes=list(org.themes), description=org.description,
                contribution=org.contribution, governing_document=org.governing_document,
                registered_number=org.registered_number, status=org.status,
                created_at=org.created_at, approved_at=org.approved_at,
                mou_agreed_on=org.mou_agreed_on, confirmed_active_at=org.confirmed_active_at,
                public_email=org.public_email)
        person_copies = {}
        for person in people:
            local, domain = person.email.split("@")
            person_copies[person.id] = Person(
                email=f"{local}.{copy}@{domain}", display_name=f"{person.display_name} {copy}",
                role=person.role, password_hash=person.password_hash,
                show_email_to_members=person.show_email_to_members)
        db.session.add_all([*org_copies.values(), *person_copies.values()])
        for membership in memberships:
            if membership.person_id in person_copies:
                db.session.add(Membership(
                    person=person_copies[membership.person_id],
                    organisation=org_copies[membership.organisation_id],
                    is_contact=membership.is_contact, joined_at=membership.joined_at))
        for application in applications:
            db.session.add(Application(
                organisation=org_copies[application.organisation_id],
                contact_name=application.contact_name,
                contact_email=f"{copy}.{application.contact_email}",
                message=application.message, submitted_at=application.submitted_at))
        db.session.flush()
        for org in org_copies.values():
            if org.status == OrgStatus.APPROVED:
                db.session.add(AuditEntry(
                    action="application.approve", target_type="organisation",
                    target_id=org.id, summary=f"Approved {org.name}",
                    actor_id=coordinator.id, at=now - timedelta(minutes=copy)))
        for thread in threads:
            copied = Thread(category_id=thread.category_id, title=f"{thread.title} {copy}",
                            author_id=thread.author_id, created_at=thread.created_at,
                            last_activity_at=thread.last_activity_at, held=thread.held)
            db.session.add(copied)
            db.session.add_all(
                Post(thread=copied, author_id=post.author_id, body=post.body,
                     organisation_id=post.organisation_id, created_at=post.created_at,
                     state=post.state) for post in posts if post.thread_id == thread.id)
            db.session.flush()
            refresh_thread(copied)
    db.session.flush()
    for category in {thread.category for thread in threads}:
        refresh_category(category)
    db.session.commit()
