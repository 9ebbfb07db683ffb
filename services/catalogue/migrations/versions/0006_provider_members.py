"""Provider members: the accounts that act for a provider (its registering account first), and invitations.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


NOW = sa.text("clock_timestamp()")


def upgrade() -> None:
    op.create_table(
        "provider_members",
        sa.Column("provider_id", postgresql.UUID(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_members_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("provider_id", "subject", name=op.f("pk_provider_members")),
    )
    op.create_index(op.f("ix_provider_members_subject"), "provider_members", ["subject"])
    op.create_table(
        "provider_invitations",
        sa.Column("id", postgresql.UUID(), nullable=False),
        sa.Column("provider_id", postgresql.UUID(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("invited_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=NOW, nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_invitations_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_invitations")),
        sa.UniqueConstraint("provider_id", "subject", name=op.f("uq_provider_invitations_provider_id")),
    )
    op.create_index(op.f("ix_provider_invitations_provider_id"), "provider_invitations", ["provider_id"])
    op.create_index(op.f("ix_provider_invitations_subject"), "provider_invitations", ["subject"])
    # The account that registered each provider is its first member.
    op.execute(
        "INSERT INTO provider_members (provider_id, subject, added_by, added_at) "
        "SELECT id, registered_by, registered_by, created_at FROM providers"
    )


def downgrade() -> None:
    op.drop_table("provider_invitations")
    op.drop_table("provider_members")
