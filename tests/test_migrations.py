"""The migrations build exactly the models' schema, and go down and up again cleanly."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from network.core.db import include_migration_name, render_migration_item
from network.extensions import db


def differences():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True, "render_item": render_migration_item,
            "include_name": include_migration_name})
        return compare_metadata(context, db.metadata)


def test_the_migrated_schema_matches_the_models(app):
    assert differences() == []


def test_migrations_go_down_to_nothing_and_back_up(app):
    db.session.remove()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert differences() == []
    assert "organisation" in inspect(db.engine).get_table_names()
