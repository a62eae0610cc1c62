"""Small helpers for text shown in addresses."""

from __future__ import annotations

import re
import unicodedata


def slugify(value: str) -> str:
    """A readable address part: "Tenants' Federation" -> "tenants-federation"."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:60] or "x"
