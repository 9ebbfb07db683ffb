"""Providers' eligibility facts as the catalogue's events told them: an offer needs no catalogue call.

Revision ID: 0016
Revises: 0015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("provider_standings", sa.Column("name", sa.Text(), nullable=True))
    op.add_column("provider_standings", sa.Column("nip", sa.String(length=10), nullable=True))
    op.add_column("provider_standings", sa.Column("legal_form", sa.String(length=32), nullable=True))
    op.add_column("provider_standings", sa.Column("is_pes", sa.Boolean(), nullable=True))
    op.add_column("provider_standings", sa.Column("social_enterprise", sa.Boolean(), nullable=True))
    op.add_column("provider_standings", sa.Column("excluded_share", sa.Float(), nullable=True))


def downgrade() -> None:
    op.drop_column("provider_standings", "excluded_share")
    op.drop_column("provider_standings", "social_enterprise")
    op.drop_column("provider_standings", "is_pes")
    op.drop_column("provider_standings", "legal_form")
    op.drop_column("provider_standings", "nip")
    op.drop_column("provider_standings", "name")
