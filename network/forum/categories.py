"""The coordinators' list of forum categories: made, renamed, reordered, restricted,
archived and brought back; never deleted."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from network.core.htmx import form_status, render
from network.core.permissions import authorize, load
from network.extensions import db
from network.forum import services
from network.forum.forms import CategoryForm, EditCategoryForm
from network.forum.models import Category
from network.forum.routes import bp


@bp.route("/categories", methods=["GET", "POST"])
def categories():
    authorize("forum.manage_categories")
    form = CategoryForm()
    if form.validate_on_submit():
        category = services.create_category(form.category_values())
        db.session.commit()
        flash(_("The category %(name)s is made.", name=category.name), "success")
        return redirect(url_for("forum.categories"), 303)
    every = list(db.session.scalars(select(Category).order_by(
        Category.archived_at.is_not(None), Category.position, Category.name)))
    return render("forum/categories.html", categories=every, form=form,
                  status=form_status(form))


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def edit_category(category_id: int):
    category = load(Category, category_id, need="forum.manage_categories")
    form = EditCategoryForm(obj=category)
    if request.method == "GET":
        form.audience.data = category.audience.value
    if form.validate_on_submit():
        archive = {"1": True, "0": False}.get(form.archive.data)
        services.edit_category(category, form.category_values(), archive=archive)
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("forum.categories"), 303)
    return render("forum/edit_category.html", category=category, form=form,
                  status=form_status(form))
