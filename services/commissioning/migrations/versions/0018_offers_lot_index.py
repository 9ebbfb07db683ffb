"""Drop the offers' index on lot_id alone: the unique index on (lot_id, provider_id) begins with it and serves every
lookup by lot (and the cascade from lots), so the other only cost an index entry per new offer, at the deadline.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 18:10:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index(op.f("ix_offers_lot_id"), table_name="offers")


def downgrade() -> None:
    op.create_index(op.f("ix_offers_lot_id"), "offers", ["lot_id"], unique=False)
