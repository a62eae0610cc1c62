"""Who may ask for an archive, close an account, and edit the privacy page."""

from network.core.permissions import coordinator, policy
from network.privacy import models  # noqa: F401 -- the tables, registered with the app

# --- the privacy page (notice.py) ---------------------------------------------------------------

@policy("privacy.edit")
def edit_privacy_page(person, _) -> bool:
    """Coordinators and admins write the privacy page; everyone reads it."""
    return coordinator(person)
