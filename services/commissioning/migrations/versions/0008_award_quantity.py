"""What an award buys: units (hours, places...) on awards and contracts, so a lot split between winners is data.

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
    op.add_column("awards", sa.Column("quantity", sa.Integer(), nullable=True))
    op.add_column("contracts", sa.Column("quantity", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("contracts", "quantity")
    op.drop_column("awards", "quantity")
