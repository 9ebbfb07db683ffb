"""A webhook subscription's owner's provider claim, apart from their memberships (looked up at every delivery).

Revision ID: 0021
Revises: 0020
"""

from collections.abc import Sequence

from shared.schema_steps import add_webhook_owner_claim_v1, drop_webhook_owner_claim_v1

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_webhook_owner_claim_v1()


def downgrade() -> None:
    drop_webhook_owner_claim_v1()
