"""The schema comes from migrations only: a model change without a migration fails here."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from guestrel.extensions import db


def test_migrated_schema_matches_the_models(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
