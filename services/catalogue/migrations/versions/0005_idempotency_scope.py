"""Principals: idempotency records belong to the whole principal and the route, not to a subject alone;
subjects are stored as long as identity providers send them (OIDC allows 255 characters).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Records of the old scope (subject only) cannot be replayed safely under the new one; they expire in a day
    # anyway: a retry in flight during the upgrade runs again, under the new rules.
    op.execute("DELETE FROM idempotency_records")
    op.drop_constraint("pk_idempotency_records", "idempotency_records", type_="primary")
    op.drop_column("idempotency_records", "subject")
    op.add_column("idempotency_records", sa.Column("principal", sa.Text(), nullable=False))
    op.add_column("idempotency_records", sa.Column("route", sa.Text(), nullable=False))
    op.create_primary_key("pk_idempotency_records", "idempotency_records", ["principal", "route", "key"])
    op.alter_column("providers", "registered_by", type_=sa.Text())
    op.alter_column("provider_status_events", "actor_subject", type_=sa.Text())


def downgrade() -> None:
    op.alter_column("provider_status_events", "actor_subject", type_=sa.String(length=200))
    op.alter_column("providers", "registered_by", type_=sa.String(length=200))
    op.execute("DELETE FROM idempotency_records")
    op.drop_constraint("pk_idempotency_records", "idempotency_records", type_="primary")
    op.drop_column("idempotency_records", "route")
    op.drop_column("idempotency_records", "principal")
    op.add_column("idempotency_records", sa.Column("subject", sa.String(length=200), nullable=False))
    op.create_primary_key("pk_idempotency_records", "idempotency_records", ["subject", "key"])
