"""Every write to the calls and their lots tells every replica at its commit (NOTIFY on `read_cache`, the topic
`public-calls`), whichever way it was written (a route, the worker at a deadline, a script): each replica's read
cache then drops the public's lists of calls (shared.cache).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 19:25:00.000000
"""

from collections.abc import Sequence

from shared.schema_steps import create_cache_notify_v1, drop_cache_notify_v1

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("calls", "lots")  # what a call's public answer is made of (call_out)


def upgrade() -> None:
    create_cache_notify_v1("public_calls_changed", "public-calls", TABLES)


def downgrade() -> None:
    drop_cache_notify_v1("public_calls_changed", TABLES)
