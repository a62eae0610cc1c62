"""Pages of a list: the page number from the address, bounded, and the query paged."""

from __future__ import annotations

from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination

from network.extensions import db

# No list here has a hundred thousand pages; a larger number is a typo or a probe.
MAX_PAGE = 100_000


def page_number() -> int:
    """?page=N: 1 when absent or not a number; 404 when out of range, like a missing page."""
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        return 1
    if not 1 <= number <= MAX_PAGE:
        abort(404)
    return number


def page_size() -> int:
    """How many items a page of any list holds (PAGE_SIZE): one setting for every list."""
    return current_app.config["PAGE_SIZE"]


def paginate(query, page: int | None = None) -> Pagination:
    """One page of the query: the page given (a form's, already checked), or ?page=."""
    return db.paginate(query, page=page or page_number(), per_page=page_size(),
                       error_out=False)
