"""Webhook subscriptions and deliveries (shared.webhooks); outbox inserts NOTIFY the relays.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from shared.schema_steps import create_webhook_tables_v1, drop_webhook_tables_v1

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_webhook_tables_v1()


def downgrade() -> None:
    drop_webhook_tables_v1()
