"""The UDPP grant: a call's terms of the grant, and an offer as the 2018 template structures it.

Revision ID: 0022
Revises: 0021
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("calls", sa.Column("grant_terms", postgresql.JSONB(astext_type=sa.Text()), nullable=True))
    op.add_column("offers", sa.Column("grant_offer", postgresql.JSONB(astext_type=sa.Text()), nullable=True))


def downgrade() -> None:
    op.drop_column("offers", "grant_offer")
    op.drop_column("calls", "grant_terms")
