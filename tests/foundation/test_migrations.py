"""Migrations run from empty to head and back, and match the models, on both databases."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from cpas import create_app
from cpas.extensions import db
from tests.conftest import USE_POSTGRES, base_config


def _fresh_database(tmp_path: Path, pg_cluster) -> str:
    if USE_POSTGRES:
        return pg_cluster.create_database("cpas_migrations")
    return f"sqlite:///{tmp_path / 'migrations.sqlite'}"


def test_upgrade_downgrade_and_models_match(tmp_path, pg_cluster):
    app = create_app(base_config(_fresh_database(tmp_path, pg_cluster), tmp_path))
    with app.app_context():
        upgrade(revision="heads")
        tables = set(inspect(db.engine).get_table_names())
        assert {"organisation", "user_account", "profile", "audit_entry"} <= tables
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata
            )
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(revision="heads")  # and up again, cleanly
        assert "audit_entry" in inspect(db.engine).get_table_names()
        db.engine.dispose()
