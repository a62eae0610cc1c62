"""The coordinators' list of forum categories: made, renamed, reordered, restricted,
archived and brought back; never deleted."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from network.core.htmx import render, see_other
from network.core.permissions import authorize, load, visible
from network.core.submit import submit
from network.extensions import db
from network.forum import services
from network.forum.blueprint import bp
from network.forum.forms import CategoryForm, EditCategoryForm
from network.forum.models import Category


def categories_context(form: CategoryForm) -> dict:
    every = list(db.session.scalars(visible(select(Category).order_by(
        Category.archived_at.is_not(None), Category.position, Category.name))))
    return {"categories": every, "form": form}


@bp.route("/categories", methods=["GET", "POST"])
def categories():
    authorize("forum.manage_categories")
    form = CategoryForm()
    return submit(
        form, lambda: services.create_category(form.category_values()),
        page=lambda: render("forum/categories.html", categories_context(form)),
        done=lambda category: see_other(url_for("forum.categories"), _(
            "The category %(name)s is made.", name=category.name)))


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = load(Category, category_id, need="forum.manage_categories")
    form = EditCategoryForm(obj=category)
    if request.method == "GET":
        form.audience.data = category.audience.value
    return submit(
        form, lambda: services.edit_category(
            category, form.category_values(),
            archive={"1": True, "0": False}.get(form.archive.data)),
        page=lambda: render("forum/edit_category.html", category=category, form=form),
        done=lambda _none: see_other(url_for("forum.categories"), _("Saved.")))
