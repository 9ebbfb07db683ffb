"""Every write to what the catalogue's public lists are made of tells every replica at its commit (NOTIFY on
`read_cache`, the topic `catalogue-public`), whichever way it was written (a route, a feed consumer, a script):
each replica's read cache then drops those lists (shared.cache).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the tables the public lists read (providers, their offerings, places, the taxonomy, the capacity committed)
TABLES = ("providers", "offerings", "terc_units", "service_types", "areas", "target_groups", "capacity_commitments")


def upgrade() -> None:
    op.execute(
        "CREATE FUNCTION catalogue_public_changed() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify('read_cache', 'catalogue-public'); RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION catalogue_public_changed()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_public_changed ON {table}")
    op.execute("DROP FUNCTION catalogue_public_changed()")
