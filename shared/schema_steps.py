"""Schema steps every service's migrations take alike (the kit's tables in each service's own database).

Frozen once released: a migration that has run must mean the same thing forever, so a later change to these
tables is a new step here and a new migration in each service, never an edit of one below.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.cache import CHANNEL as CACHE_CHANNEL
from shared.events import OUTBOX_CHANNEL


def create_webhook_tables_v1() -> None:
    """shared.webhooks' subscriptions and deliveries, and a NOTIFY on every outbox insert."""
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("owner_subject", sa.String(length=255), nullable=False),
        sa.Column("owner_role", sa.String(length=20), nullable=False),
        sa.Column("owner_terc", sa.String(length=7), nullable=True),
        sa.Column("owner_providers", jsonb, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("types", jsonb, nullable=False),
        sa.Column("municipality_terc", sa.String(length=7), nullable=True),
        sa.Column("provider_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failures_in_row", sa.Integer(), nullable=False),
        sa.Column("cursor", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
    )
    op.create_index(
        op.f("ix_webhook_subscriptions_owner_subject"), "webhook_subscriptions", ["owner_subject"], unique=False
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("log", jsonb, nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
    )
    op.create_index(
        op.f("ix_webhook_deliveries_subscription_id"), "webhook_deliveries", ["subscription_id"], unique=False
    )
    # what the relay looks for on every pass: pending deliveries by when they are due
    op.execute(
        "CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'"
    )
    op.execute(
        "CREATE FUNCTION outbox_events_notify() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_notify('{OUTBOX_CHANNEL}', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER outbox_events_notify AFTER INSERT ON outbox_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION outbox_events_notify()"
    )


def drop_webhook_tables_v1() -> None:
    op.execute("DROP TRIGGER outbox_events_notify ON outbox_events")
    op.execute("DROP FUNCTION outbox_events_notify()")
    op.drop_table("webhook_deliveries")
    op.drop_table("webhook_subscriptions")


def add_webhook_owner_claim_v1() -> None:
    """A subscription's owner's `provider_id` claim, kept apart from the memberships they had when they saved it
    (those are looked up again for every delivery; a subscription saved before keeps none)."""
    op.add_column("webhook_subscriptions", sa.Column("owner_provider_claim", sa.Uuid(), nullable=True))


def drop_webhook_owner_claim_v1() -> None:
    op.drop_column("webhook_subscriptions", "owner_provider_claim")


def create_cache_notify_v1(function: str, topic: str, tables: tuple[str, ...]) -> None:
    """Every write to `tables` (any statement, whoever makes it) tells every replica's read cache, at its commit,
    that `topic` changed (NOTIFY on shared.cache's channel)."""
    op.execute(
        f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_notify('{CACHE_CHANNEL}', '{topic}'); RETURN NULL; END $$"
    )
    add_cache_notify_triggers_v1(function, tables)


def add_cache_notify_triggers_v1(function: str, tables: tuple[str, ...]) -> None:
    """Writes to `tables` too call the NOTIFY function `function` of `create_cache_notify_v1`."""
    for table in tables:
        op.execute(
            f"CREATE TRIGGER {table}_public_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )


def drop_cache_notify_triggers_v1(tables: tuple[str, ...]) -> None:
    for table in tables:
        op.execute(f"DROP TRIGGER {table}_public_changed ON {table}")


def drop_cache_notify_v1(function: str, tables: tuple[str, ...]) -> None:
    drop_cache_notify_triggers_v1(tables)
    op.execute(f"DROP FUNCTION {function}()")
