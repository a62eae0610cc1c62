"""Who may ask for an archive, close an account, and edit the privacy page."""

from network.auth.policies import oversee
from network.core.permissions import coordinator, policy, signed_in
from network.privacy import models  # noqa: F401 -- the tables, registered with the app

# --- one's own archive (archive.py) --------------------------------------------------------------


@policy("archive.ask")
def ask_for_archive(person, _) -> bool:
    """Anyone logged in asks for their own; a closed or suspended account cannot log in."""
    return signed_in(person)


@policy("archive.take")
def take_archive(person, export) -> bool:
    """An archive's link is its asker's alone: anyone else is told it is not there."""
    return signed_in(person) and export.person_id == person.id


# --- the privacy page (notice.py) ---------------------------------------------------------------


@policy("privacy.edit")
def edit_privacy_page(person, _) -> bool:
    """Coordinators and admins write the privacy page; everyone reads it."""
    return coordinator(person)


# --- closing an account (closing.py, closing_routes.py) ----------------------------------------


@policy("account.close")
def close_own_account(person, _) -> bool:
    """Anyone logged in closes their own account (with their password)."""
    return signed_in(person)


@policy("person.close")
def close_someones_account(person, target) -> bool:
    """For someone who cannot log in: coordinators, never on themselves; only admins for
    coordinators and admins. A closed account stays allowed: its page says it is closed, and
    pressing again changes nothing."""
    return oversee(person, target)
