"""Who may read the bulletin: everyone, each seeing only what they may see of what it holds
(visitors what is public; members the members' version)."""

from __future__ import annotations

from network.core.permissions import policy


@policy("bulletin.view")
def view_bulletin(person, _issue) -> bool:
    return True
