"""Small helpers for a person's text where it meets addresses, headers and file names."""

from __future__ import annotations

import re
import unicodedata


def slugify(value: str) -> str:
    """A readable address part: "Tenants' Federation" -> "tenants-federation"."""
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:60] or "x"


# Anything that ends a line somewhere: CR, LF, vertical tab, form feed, NEL, and Unicode's line
# and paragraph separators (which feeds and some mail programs treat as new lines).
_BREAKS_AND_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_SPACES = re.compile(r"\s+")


def one_line(value: str, limit: int = 200) -> str:
    """A person's text as one clean line, for places where a new line would start something
    else (an email header, a file name, a calendar's name): control characters and line breaks
    become single spaces, and text over `limit` characters ends in an ellipsis."""
    line = _SPACES.sub(" ", _BREAKS_AND_CONTROLS.sub(" ", value)).strip()
    return line if len(line) <= limit else line[:limit - 1].rstrip() + "…"


def in_subject(value: str) -> str:
    """A title or a name as it goes into an email's subject beside fixed words ("Cancelled:
    “…”"): one line, short enough that the words saying what happened always fit."""
    return one_line(value, 60)
