"""Values are gross with their VAT rate (none: exempt), so Pzp's net thresholds compare net values.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("needs", sa.Column("vat_rate_percent", sa.Integer(), nullable=True))
    op.add_column("calls", sa.Column("vat_rate_percent", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("calls", "vat_rate_percent")
    op.drop_column("needs", "vat_rate_percent")
