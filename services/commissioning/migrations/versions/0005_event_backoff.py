"""A call's due event that fails is retried with back-off: attempts and the last error on the call.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("calls", sa.Column("event_attempts", sa.Integer(), server_default="0", nullable=False))
    op.add_column("calls", sa.Column("event_error", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("calls", "event_error")
    op.drop_column("calls", "event_attempts")
