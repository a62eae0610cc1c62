"""Markdown written by people, made safe: raw HTML off in the parser, then cleaned by nh3."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_parser.disable("image")  # no image needed to use a page, and none fetched from elsewhere

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h2", "h3", "h4", "h5", "h6",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(source: str | None, top: int = 3) -> Markup:
    """top: the level a writer's first heading (#) becomes. 3 where the page has its own h1
    and h2 around the text; 2 where the text is the page under its h1 (the privacy page)."""
    if not source:
        return Markup("")
    return _render(source, top)


# A busy thread is read far more often than it is written: its posts are rendered once per
# worker, not once per page view. About 1 KB a post, so 1,000 posts cost a megabyte.
@lru_cache(maxsize=1024)
def _render(source: str, top: int = 3) -> Markup:
    html = _parser.render(source)
    # Headings a writer makes start at `top` (h3): the page owns h1 and h2.
    for level in (6, 5, 4, 3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{min(level + top - 1, 6)}>")
        html = html.replace(f"</h{level}>", f"</h{min(level + top - 1, 6)}>")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
    )
    return Markup(clean)  # noqa: S704 -- nh3 cleaned it above, allowlist only  # nosec B704
