"""The privacy pages: one's archive (archive.py), closing an account (closing_routes.py), the
privacy page itself (notice.py)."""

from network.privacy import archive, closing_routes, notice  # noqa: F401 -- their routes
from network.privacy.blueprint import bp

__all__ = ["bp"]
