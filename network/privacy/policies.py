"""Who may ask for an archive, close an account, and edit the privacy page."""

from network.auth.policies import manage_person
from network.core.permissions import policy, signed_in
from network.privacy import models  # noqa: F401 -- the tables, registered with the app

# --- closing an account (closing.py, closing_routes.py) ----------------------------------------

@policy("account.close")
def close_own_account(person, _) -> bool:
    """Anyone logged in closes their own account (with their password)."""
    return signed_in(person)


@policy("person.close")
def close_someones_account(person, target) -> bool:
    """For someone who cannot log in: as suspending, coordinators, never on themselves; only
    admins for coordinators and admins."""
    return manage_person(person, target)
