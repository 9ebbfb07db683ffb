"""Providers' NIP on offers and awards, for PL-NIP identifiers in open data.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("offers", sa.Column("provider_nip", sa.String(length=10), nullable=True))
    op.add_column("awards", sa.Column("provider_nip", sa.String(length=10), nullable=True))


def downgrade() -> None:
    op.drop_column("awards", "provider_nip")
    op.drop_column("offers", "provider_nip")
