"""The forum's blueprint, and the loaders its route modules share (routes.py for reading and
writing, moderation.py and categories.py for the coordinators)."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from network.core.permissions import authorize, load, visible
from network.extensions import db
from network.forum.models import Category, Post, Thread

bp = Blueprint("forum", __name__, url_prefix="/forum")


# The forum is for people who have logged in: visitors are asked to, before anything is
# looked up, so that what they may not see is never told apart from what does not exist.
def load_category(category_id: int, need: str = "category.view") -> Category:
    authorize("forum.view")
    return load(Category, category_id, need=need, visible="category.view")


def load_thread(thread_id: int, need: str = "thread.view") -> Thread:
    authorize("forum.view")
    return load(Thread, thread_id, need=need, visible="thread.view",
                options=(joinedload(Thread.category),))


def load_post(post_id: int, need: str = "post.view") -> Post:
    authorize("forum.view")
    return load(Post, post_id, need=need, visible="post.view",
                options=(joinedload(Post.thread).joinedload(Thread.category),))


def readable_categories() -> list[Category]:
    return list(db.session.scalars(visible(
        select(Category).where(Category.archived_at.is_(None))
        .order_by(Category.position, Category.name))))
