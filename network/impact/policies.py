"""Who sees the record of what was shared: coordinators every organisation's and the
network's; an organisation's contacts their own. Others may not (403); an organisation they
may not see is not there (members' org.view, 404)."""

from __future__ import annotations

from network.core.permissions import coordinator, policy


@policy("impact.organisation")
def organisation_record(person, org) -> bool:
    return coordinator(person) or (person.is_authenticated
                                   and org.id in person.contact_organisation_ids)


@policy("impact.network")
def network_record(person, _) -> bool:
    return coordinator(person)
