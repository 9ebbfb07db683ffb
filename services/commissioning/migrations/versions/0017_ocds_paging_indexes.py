"""Index the dates OCDS releases are paged by: each kind of release is read in date order from its own index,
so a page of /ocds/releases costs its length, not the whole history's.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 07:17:22.121054
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_amendments_at"), "amendments", ["at"], unique=False)
    op.create_index(op.f("ix_award_decisions_decided_at"), "award_decisions", ["decided_at"], unique=False)
    op.create_index(op.f("ix_calls_created_at"), "calls", ["created_at"], unique=False)
    op.create_index(op.f("ix_calls_deadline"), "calls", ["deadline"], unique=False)
    op.create_index(op.f("ix_calls_published_at"), "calls", ["published_at"], unique=False)
    op.create_index(op.f("ix_calls_updated_at"), "calls", ["updated_at"], unique=False)
    op.create_index(op.f("ix_contracts_signed_at"), "contracts", ["signed_at"], unique=False)
    op.create_index(op.f("ix_contracts_updated_at"), "contracts", ["updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_contracts_updated_at"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_signed_at"), table_name="contracts")
    op.drop_index(op.f("ix_calls_updated_at"), table_name="calls")
    op.drop_index(op.f("ix_calls_published_at"), table_name="calls")
    op.drop_index(op.f("ix_calls_deadline"), table_name="calls")
    op.drop_index(op.f("ix_calls_created_at"), table_name="calls")
    op.drop_index(op.f("ix_award_decisions_decided_at"), table_name="award_decisions")
    op.drop_index(op.f("ix_amendments_at"), table_name="amendments")
