"""Every write to the calls and their lots tells every replica at its commit (NOTIFY on `read_cache`, the topic
`public-calls`), whichever way it was written (a route, the worker at a deadline, a script): each replica's read
cache then drops the public's lists of calls (shared.cache).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 19:25:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("calls", "lots")  # what a call's public answer is made of (call_out)


def upgrade() -> None:
    op.execute(
        "CREATE FUNCTION public_calls_changed() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify('read_cache', 'public-calls'); RETURN NULL; END $$"
    )
    for table in TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION public_calls_changed()"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TRIGGER {table}_public_changed ON {table}")
    op.execute("DROP FUNCTION public_calls_changed()")
