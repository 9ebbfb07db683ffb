"""Principals: idempotency records belong to the whole principal and the route; subjects stored as long as
identity providers send them (OIDC allows 255 characters). One payment per schedule instalment.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUBJECT_COLUMNS = [
    ("call_history", "actor"),
    ("award_decisions", "decided_by"),
    ("committee_members", "subject"),
    ("formal_checks", "checked_by"),
]


def upgrade() -> None:
    # Records of the old scope (subject only) cannot be replayed safely under the new one; they expire in a day
    # anyway: a retry in flight during the upgrade runs again, under the new rules.
    op.execute("DELETE FROM idempotency_records")
    op.drop_constraint("pk_idempotency_records", "idempotency_records", type_="primary")
    op.drop_column("idempotency_records", "subject")
    op.add_column("idempotency_records", sa.Column("principal", sa.Text(), nullable=False))
    op.add_column("idempotency_records", sa.Column("route", sa.Text(), nullable=False))
    op.create_primary_key("pk_idempotency_records", "idempotency_records", ["principal", "route", "key"])
    for table, column in SUBJECT_COLUMNS:
        op.alter_column(table, column, type_=sa.Text())
    op.create_index(
        "uq_payments_contract_instalment",
        "payments",
        ["contract_id", "schedule_index"],
        unique=True,
        postgresql_where=sa.text("schedule_index IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_payments_contract_instalment", table_name="payments")
    for table, column in SUBJECT_COLUMNS:
        op.alter_column(table, column, type_=sa.String(length=200))
    op.execute("DELETE FROM idempotency_records")
    op.drop_constraint("pk_idempotency_records", "idempotency_records", type_="primary")
    op.drop_column("idempotency_records", "route")
    op.drop_column("idempotency_records", "principal")
    op.add_column("idempotency_records", sa.Column("subject", sa.String(length=200), nullable=False))
    op.create_primary_key("pk_idempotency_records", "idempotency_records", ["subject", "key"])
