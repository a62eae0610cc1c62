"""Pages of a list: the page number from the address, bounded, and the query paged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, request
from sqlalchemy import Select, func, select

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


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a list: its items, where it is, and how many there are in all."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def paginate(query: Select, page: int | None = None, total: int | None = None) -> Page:
    """One page of an ORM query (its first entity is the item): the page given (a form's,
    already checked), or ?page=. total: how many there are, when the caller keeps count (a
    category's threads), so that no row is counted; otherwise a count query beside the page's.
    """
    number = page or page_number()
    per_page = page_size()
    items = list(db.session.scalars(query.limit(per_page).offset((number - 1) * per_page))
                 .unique())
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(
            query.order_by(None).subquery())) or 0
    return Page(items=items, page=number, per_page=per_page, total=total)
