"""Every write to what the catalogue's public lists are made of tells every replica at its commit (NOTIFY on
`read_cache`, the topic `catalogue-public`), whichever way it was written (a route, a feed consumer, a script):
each replica's read cache then drops those lists (shared.cache).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 19:00:00.000000
"""

from collections.abc import Sequence

from shared.schema_steps import create_cache_notify_v1, drop_cache_notify_v1

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# the tables the public lists read (providers, their offerings, places, the taxonomy, the capacity committed)
TABLES = ("providers", "offerings", "terc_units", "service_types", "areas", "target_groups", "capacity_commitments")


def upgrade() -> None:
    create_cache_notify_v1("catalogue_public_changed", "catalogue-public", TABLES)


def downgrade() -> None:
    drop_cache_notify_v1("catalogue_public_changed", TABLES)
