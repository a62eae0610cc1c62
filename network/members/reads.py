"""What other features read of members: how a person is loaded to be named to a visitor."""

from __future__ import annotations

from network.auth.models import Person
from network.members.models import Membership


def named(person_path):
    """A loader option for a person a public page names (`joinedload(Term.holder)` and the
    like): their current organisations joined in the same query, so `who` says "a member
    of <organisation>" to a visitor at no query of its own (core.names). A select of many
    rows that uses it asks for .unique()."""
    return person_path.joinedload(Person.memberships).joinedload(Membership.organisation)
