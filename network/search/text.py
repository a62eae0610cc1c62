"""A searchable object's words as plain text, and the marks a snippet carries.

Markdown is reduced to the words a reader sees (no link targets, no syntax). The database
marks the words a query matched with two private-use characters, which no stored text may
contain; the page escapes everything, then turns those two into <mark> and </mark>."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

START, STOP = "\ue000", "\ue001"
_MARKERS = {ord(START): None, ord(STOP): None}
_SPACES = re.compile(r"[ \t]+")
_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def clean(value: str | None) -> str:
    """Text as it is stored for search: without the markers, NUL and other controls."""
    if not value:
        return ""
    value = value.translate(_MARKERS)
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", value)


def plain(source: str | None) -> str:
    """Markdown reduced to its words: each block a line, inline code and text kept."""
    if not source:
        return ""
    lines: list[str] = []
    for token in _parser.parse(clean(source)):
        if token.type == "inline" and token.children is not None:
            lines.append("".join(
                child.content if child.type in ("text", "code_inline") else
                " " if child.type in ("softbreak", "hardbreak") else ""
                for child in token.children))
        elif token.type in ("fence", "code_block"):
            lines.append(token.content)
    return "\n".join(_SPACES.sub(" ", line).strip() for line in lines if line.strip())


def joined(*parts: str | None) -> str:
    return "\n".join(clean(part) for part in parts if part)


def marked(text: str | None) -> Markup:
    """The database's marked text, safe for the page: every character of the person's text
    escaped, then only the markers become <mark>; one left open is closed."""
    if not text:
        return Markup("")
    html = str(escape(text))
    opened = html.count(START)
    html = html.replace(START, "<mark>").replace(STOP, "</mark>")
    closed = html.count("</mark>")
    return Markup(html + "</mark>" * max(0, opened - closed))  # noqa: S704  # nosec B704
