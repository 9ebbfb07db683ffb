"""Capacity committed by signed contracts, learnt from commissioning's change feed.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("offerings", sa.Column("capacity_contracted", sa.Integer(), server_default="0", nullable=False))
    op.create_check_constraint(op.f("ck_offerings_contracted_non_negative"), "offerings", "capacity_contracted >= 0")
    op.create_table(
        "capacity_commitments",
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("offering_id", sa.Uuid(), nullable=True),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("service_type_id", sa.Uuid(), nullable=True),
        sa.Column("area_terc", sa.String(length=7), nullable=True),
        sa.Column("units_per_month", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("contract_status", sa.String(length=32), nullable=False),
        sa.Column("contract_version", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["offering_id"],
            ["offerings.id"],
            name=op.f("fk_capacity_commitments_offering_id_offerings"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("contract_id", name=op.f("pk_capacity_commitments")),
    )
    op.create_index(op.f("ix_capacity_commitments_offering_id"), "capacity_commitments", ["offering_id"])
    op.create_index(op.f("ix_capacity_commitments_provider_id"), "capacity_commitments", ["provider_id"])
    op.create_table(
        "feed_positions",
        sa.Column("feed", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("feed", name=op.f("pk_feed_positions")),
    )
    op.create_table(
        "applied_events",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=100), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_applied_events")),
    )


def downgrade() -> None:
    op.drop_table("applied_events")
    op.drop_table("feed_positions")
    op.drop_table("capacity_commitments")
    op.drop_constraint(op.f("ck_offerings_contracted_non_negative"), "offerings", type_="check")
    op.drop_column("offerings", "capacity_contracted")
