"""Database queries per page: at most 10, and the same for 10 rows as for many."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from network.core.audit import AuditEntry
from network.extensions import db
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    OrganisationFactory,
)

BUDGET = 10


def grow_organisations(world, n):
    for _ in range(n):
        OrganisationFactory(area=world.north, themes=[world.housing, world.youth])


def grow_people(world, n):
    for _ in range(n):
        MembershipFactory(organisation=world.org_b)


def grow_members_of_a(world, n):
    for _ in range(n):
        MembershipFactory(organisation=world.org_a)


def grow_audit(world, n):
    db.session.add_all(AuditEntry(action="test.thing", target_type="site", summary=f"Thing {i}",
                                  actor_id=world.coordinator.id, at=datetime.now(UTC))
                       for i in range(n))
    db.session.commit()


def grow_applications(world, n):
    for _ in range(n):
        ApplicationFactory()


PAGES = [
    ("/", "visitor", grow_organisations),
    ("/organisations", "visitor", grow_organisations),
    ("/organisations?theme={housing}", "member", grow_organisations),
    ("/organisations/{org_a}-alpha-tenants", "member", grow_members_of_a),
    ("/organisations/{org_a}/people", "contact", grow_members_of_a),
    ("/dashboard", "coordinator", grow_applications),
    ("/coordinate/applications", "coordinator", grow_applications),
    ("/coordinate/people", "coordinator", grow_people),
    ("/coordinate/audit", "coordinator", grow_audit),
]


@pytest.mark.parametrize(("path", "role", "grow"), PAGES)
def test_queries_stay_few_and_constant_as_rows_grow(client, world, login, queries, path, role,
                                                    grow):
    if role != "visitor":
        login(getattr(world, role))
    path = path.format(org_a=world.org_a.id, housing=world.housing.id)
    grow(world, 10)
    with queries() as few_rows:
        assert client.get(path).status_code == 200
    grow(world, 40)
    with queries() as many_rows:
        assert client.get(path).status_code == 200
    assert len(few_rows) <= BUDGET, few_rows
    assert len(many_rows) == len(few_rows), "\n".join(many_rows)
    print(f"\n  {path} as {role}: {len(few_rows)} queries")


def test_the_query_counter_counts(client, world, queries):
    with queries() as statements:
        client.get("/organisations")
    assert any("FROM organisation" in s for s in statements)
    assert not any(s.startswith(("BEGIN", "COMMIT", "PRAGMA")) for s in statements)
