"""Who may ask for an archive, close an account, and edit the privacy page."""

from network.privacy import models  # noqa: F401 -- the tables, registered with the app
