"""Writes to awards and contracts also drop the public's lists of calls on every replica (NOTIFY `public-calls`,
as migration 0019 for calls and lots): an open competition's answer states the prior tasks of its kind, counted
from them.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

from shared.schema_steps import add_cache_notify_triggers_v1, drop_cache_notify_triggers_v1

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("awards", "contracts")  # what an open competition's prior tasks are counted from (calls.repository)


def upgrade() -> None:
    add_cache_notify_triggers_v1("public_calls_changed", TABLES)


def downgrade() -> None:
    drop_cache_notify_triggers_v1(TABLES)
