"""Contracts are signed by both parties after the standstill: a number and a date from the municipality, the
provider's confirmation.

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
    op.alter_column("contracts", "status", type_=sa.String(length=32))
    op.add_column("contracts", sa.Column("number", sa.String(length=100), nullable=True))
    op.add_column("contracts", sa.Column("signed_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("contracts", "signed_on")
    op.drop_column("contracts", "number")
    op.alter_column("contracts", "status", type_=sa.String(length=16))
