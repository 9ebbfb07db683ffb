"""Comments on an offer published before the contract (a small grant's 7 days, UDPP art. 19a).

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offer_comments",
        sa.Column("id", postgresql.UUID(), nullable=False),
        sa.Column("call_id", postgresql.UUID(), nullable=False),
        sa.Column("offer_id", postgresql.UUID(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_offer_comments_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_offer_comments_offer_id_offers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_comments")),
    )
    op.create_index(op.f("ix_offer_comments_call_id"), "offer_comments", ["call_id"])


def downgrade() -> None:
    op.drop_table("offer_comments")
