"""commissioning schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:57:54.682748
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_records",
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("body", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("headers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject", "key", name=op.f("pk_idempotency_records")),
    )
    op.create_table(
        "municipalities",
        sa.Column("terc", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("cus_name", sa.String(length=300), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=6), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("terc", name=op.f("pk_municipalities")),
    )
    op.create_table(
        "programmes",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_terc", sa.String(length=7), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("resolution_number", sa.String(length=100), nullable=True),
        sa.Column("resolution_date", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_programmes_period_order")),
        sa.ForeignKeyConstraint(
            ["municipality_terc"], ["municipalities.terc"], name=op.f("fk_programmes_municipality_terc_municipalities")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programmes")),
    )
    op.create_index(op.f("ix_programmes_municipality_terc"), "programmes", ["municipality_terc"], unique=False)
    op.create_table(
        "programme_lines",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("service_type_id", sa.Uuid(), nullable=False),
        sa.Column("service_type_code", sa.String(length=64), nullable=False),
        sa.Column("service_type_name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("budget_grosze", sa.BigInteger(), nullable=False),
        sa.Column("target_groups", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("area_terc", sa.String(length=7), nullable=False),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["programmes.id"],
            name=op.f("fk_programme_lines_programme_id_programmes"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme_lines")),
    )
    op.create_index(op.f("ix_programme_lines_programme_id"), "programme_lines", ["programme_id"], unique=False)
    op.create_table(
        "needs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_terc", sa.String(length=7), nullable=False),
        sa.Column("programme_line_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("service_type_id", sa.Uuid(), nullable=False),
        sa.Column("service_type_code", sa.String(length=64), nullable=False),
        sa.Column("service_type_name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("estimated_value_grosze", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("area_terc", sa.String(length=7), nullable=False),
        sa.Column("target_groups", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("period_end >= period_start", name=op.f("ck_needs_period_order")),
        sa.ForeignKeyConstraint(
            ["municipality_terc"], ["municipalities.terc"], name=op.f("fk_needs_municipality_terc_municipalities")
        ),
        sa.ForeignKeyConstraint(
            ["programme_line_id"],
            ["programme_lines.id"],
            name=op.f("fk_needs_programme_line_id_programme_lines"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs")),
    )
    op.create_index(op.f("ix_needs_municipality_terc"), "needs", ["municipality_terc"], unique=False)
    op.create_table(
        "calls",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ocid", sa.String(length=100), nullable=False),
        sa.Column("municipality_terc", sa.String(length=7), nullable=False),
        sa.Column("need_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("rules_version", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("criteria", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("eligibility", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("documents", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_reason", sa.Text(), nullable=True),
        sa.Column("next_event", sa.String(length=32), nullable=True),
        sa.Column("next_event_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_terc"], ["municipalities.terc"], name=op.f("fk_calls_municipality_terc_municipalities")
        ),
        sa.ForeignKeyConstraint(["need_id"], ["needs.id"], name=op.f("fk_calls_need_id_needs"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calls")),
        sa.UniqueConstraint("ocid", name=op.f("uq_calls_ocid")),
    )
    op.create_index(op.f("ix_calls_municipality_terc"), "calls", ["municipality_terc"], unique=False)
    op.create_index(op.f("ix_calls_next_event_at"), "calls", ["next_event_at"], unique=False)
    op.create_index(op.f("ix_calls_status"), "calls", ["status"], unique=False)
    op.create_table(
        "amendments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("deadline_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offers_to_confirm", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_amendments_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendments")),
        sa.UniqueConstraint("call_id", "number", name=op.f("uq_amendments_call_id")),
    )
    op.create_index(op.f("ix_amendments_call_id"), "amendments", ["call_id"], unique=False)
    op.create_table(
        "call_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_call_history_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_call_history")),
        sa.UniqueConstraint("seq", name=op.f("uq_call_history_seq")),
    )
    op.create_index(op.f("ix_call_history_call_id"), "call_history", ["call_id"], unique=False)
    op.create_table(
        "lots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("service_type_id", sa.Uuid(), nullable=False),
        sa.Column("service_type_code", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("area_terc", sa.String(length=7), nullable=False),
        sa.Column("value_grosze", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_lots_call_id_calls"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lots")),
        sa.UniqueConstraint("call_id", "number", name=op.f("uq_lots_call_id")),
    )
    op.create_index(op.f("ix_lots_call_id"), "lots", ["call_id"], unique=False)
    op.create_table(
        "questions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("asked_by_provider", sa.Uuid(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_questions_call_id_calls"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index(op.f("ix_questions_call_id"), "questions", ["call_id"], unique=False)
    op.create_table(
        "awards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_terc", sa.String(length=7), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("service_type_id", sa.Uuid(), nullable=False),
        sa.Column("value_grosze", sa.BigInteger(), nullable=False),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_awards_call_id_calls"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_awards_lot_id_lots"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_awards")),
    )
    op.create_index(op.f("ix_awards_call_id"), "awards", ["call_id"], unique=False)
    op.create_index(op.f("ix_awards_provider_id"), "awards", ["provider_id"], unique=False)
    op.create_table(
        "offers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("provider_name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("price_grosze", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("answers", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_offers_call_id_calls"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_offers_lot_id_lots"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
        sa.UniqueConstraint("lot_id", "provider_id", name=op.f("uq_offers_lot_id")),
    )
    op.create_index(op.f("ix_offers_call_id"), "offers", ["call_id"], unique=False)
    op.create_index(op.f("ix_offers_lot_id"), "offers", ["lot_id"], unique=False)
    op.create_index(op.f("ix_offers_provider_id"), "offers", ["provider_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_offers_provider_id"), table_name="offers")
    op.drop_index(op.f("ix_offers_lot_id"), table_name="offers")
    op.drop_index(op.f("ix_offers_call_id"), table_name="offers")
    op.drop_table("offers")
    op.drop_index(op.f("ix_awards_provider_id"), table_name="awards")
    op.drop_index(op.f("ix_awards_call_id"), table_name="awards")
    op.drop_table("awards")
    op.drop_index(op.f("ix_questions_call_id"), table_name="questions")
    op.drop_table("questions")
    op.drop_index(op.f("ix_lots_call_id"), table_name="lots")
    op.drop_table("lots")
    op.drop_index(op.f("ix_call_history_call_id"), table_name="call_history")
    op.drop_table("call_history")
    op.drop_index(op.f("ix_amendments_call_id"), table_name="amendments")
    op.drop_table("amendments")
    op.drop_index(op.f("ix_calls_status"), table_name="calls")
    op.drop_index(op.f("ix_calls_next_event_at"), table_name="calls")
    op.drop_index(op.f("ix_calls_municipality_terc"), table_name="calls")
    op.drop_table("calls")
    op.drop_index(op.f("ix_needs_municipality_terc"), table_name="needs")
    op.drop_table("needs")
    op.drop_index(op.f("ix_programme_lines_programme_id"), table_name="programme_lines")
    op.drop_table("programme_lines")
    op.drop_index(op.f("ix_programmes_municipality_terc"), table_name="programmes")
    op.drop_table("programmes")
    op.drop_table("municipalities")
    op.drop_table("idempotency_records")
