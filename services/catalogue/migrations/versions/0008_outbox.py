"""The catalogue's outbox: its domain events, written with their change (as commissioning's).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "xid", sa.BigInteger(), server_default=sa.text("(pg_current_xact_id()::text)::bigint"), nullable=False
        ),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("municipality_terc", sa.String(length=7), nullable=True),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("data", sa.dialects.postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("position", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
        sa.UniqueConstraint("position", name=op.f("uq_outbox_events_position")),
    )
    op.create_index("ix_outbox_events_xid_position", "outbox_events", ["xid", "position"])
    op.create_index(op.f("ix_outbox_events_municipality_terc"), "outbox_events", ["municipality_terc"])
    op.create_index(op.f("ix_outbox_events_provider_id"), "outbox_events", ["provider_id"])


def downgrade() -> None:
    op.drop_table("outbox_events")
