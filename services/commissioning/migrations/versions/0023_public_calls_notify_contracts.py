"""Writes to awards and contracts also drop the public's lists of calls on every replica (NOTIFY `public-calls`,
as migration 0019 for calls and lots): an open competition's answer states the prior tasks of its kind, counted
from them; and a municipality's awards of a service type are found by an index.

Revision ID: 0023
Revises: 0022
"""

from collections.abc import Sequence

from alembic import op

from shared.schema_steps import add_cache_notify_triggers_v1, drop_cache_notify_triggers_v1

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("awards", "contracts")  # what an open competition's prior tasks are counted from (calls.repository)


INDEX = "ix_awards_municipality_service_type"


def upgrade() -> None:
    add_cache_notify_triggers_v1("public_calls_changed", TABLES)
    op.create_index(INDEX, "awards", ["municipality_terc", "service_type_id"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="awards")
    drop_cache_notify_triggers_v1(TABLES)
