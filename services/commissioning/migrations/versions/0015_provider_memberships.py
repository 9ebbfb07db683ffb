"""Who acts for which provider, as the catalogue's member events told commissioning.

Revision ID: 0015
Revises: 0014
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "provider_memberships",
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", "provider_id", name=op.f("pk_provider_memberships")),
    )


def downgrade() -> None:
    op.drop_table("provider_memberships")
