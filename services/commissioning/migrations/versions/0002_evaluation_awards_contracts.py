"""evaluation awards contracts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 12:12:30.134920
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "committee_members",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("nominated_by", sa.String(length=300), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_committee_members_call_id_calls"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_members")),
        sa.UniqueConstraint("call_id", "subject", name=op.f("uq_committee_members_call_id")),
    )
    op.create_index(op.f("ix_committee_members_call_id"), "committee_members", ["call_id"], unique=False)
    op.create_index(op.f("ix_committee_members_subject"), "committee_members", ["subject"], unique=False)
    op.create_table(
        "award_decisions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("ranking", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("standstill_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["call_id"], ["calls.id"], name=op.f("fk_award_decisions_call_id_calls"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["lots.id"], name=op.f("fk_award_decisions_lot_id_lots"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_decisions")),
        sa.UniqueConstraint("lot_id", name=op.f("uq_award_decisions_lot_id")),
    )
    op.create_index(op.f("ix_award_decisions_call_id"), "award_decisions", ["call_id"], unique=False)
    op.create_table(
        "declarations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("conflict", sa.Boolean(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["committee_members.id"],
            name=op.f("fk_declarations_member_id_committee_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_declarations")),
        sa.UniqueConstraint("member_id", "provider_id", name=op.f("uq_declarations_member_id")),
    )
    op.create_index(op.f("ix_declarations_member_id"), "declarations", ["member_id"], unique=False)
    op.create_table(
        "formal_checks",
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("reasons", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("checked_by", sa.String(length=200), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_formal_checks_offer_id_offers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("offer_id", name=op.f("pk_formal_checks")),
    )
    op.create_table(
        "score_sheets",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=False),
        sa.Column("offer_id", sa.Uuid(), nullable=False),
        sa.Column("scores", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["committee_members.id"],
            name=op.f("fk_score_sheets_member_id_committee_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_score_sheets_offer_id_offers"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_sheets")),
        sa.UniqueConstraint("member_id", "offer_id", name=op.f("uq_score_sheets_member_id")),
    )
    op.create_index(op.f("ix_score_sheets_member_id"), "score_sheets", ["member_id"], unique=False)
    op.create_index(op.f("ix_score_sheets_offer_id"), "score_sheets", ["offer_id"], unique=False)
    op.create_table(
        "contracts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("award_id", sa.Uuid(), nullable=False),
        sa.Column("call_id", sa.Uuid(), nullable=False),
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("provider_name", sa.String(length=300), nullable=False),
        sa.Column("municipality_terc", sa.String(length=7), nullable=False),
        sa.Column("value_grosze", sa.BigInteger(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_schedule", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reporting_schedule", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["award_id"], ["awards.id"], name=op.f("fk_contracts_award_id_awards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_contracts_call_id_calls"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["lot_id"], ["lots.id"], name=op.f("fk_contracts_lot_id_lots"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("award_id", name=op.f("uq_contracts_award_id")),
    )
    op.create_index(op.f("ix_contracts_call_id"), "contracts", ["call_id"], unique=False)
    op.create_index(op.f("ix_contracts_municipality_terc"), "contracts", ["municipality_terc"], unique=False)
    op.create_index(op.f("ix_contracts_provider_id"), "contracts", ["provider_id"], unique=False)
    op.create_table(
        "contract_amendments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_contract_amendments_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract_amendments")),
        sa.UniqueConstraint("contract_id", "number", name=op.f("uq_contract_amendments_contract_id")),
    )
    op.create_index(op.f("ix_contract_amendments_contract_id"), "contract_amendments", ["contract_id"], unique=False)
    op.create_table(
        "delivery_reports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("units_delivered", sa.Integer(), nullable=False),
        sa.Column("people_served", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("outcomes", sa.Text(), nullable=True),
        sa.Column("issues", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"],
            ["contracts.id"],
            name=op.f("fk_delivery_reports_contract_id_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_reports")),
        sa.UniqueConstraint("contract_id", "period_start", name=op.f("uq_delivery_reports_contract_id")),
    )
    op.create_index(op.f("ix_delivery_reports_contract_id"), "delivery_reports", ["contract_id"], unique=False)
    op.create_table(
        "payments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("contract_id", sa.Uuid(), nullable=False),
        sa.Column("schedule_index", sa.Integer(), nullable=True),
        sa.Column("amount_grosze", sa.BigInteger(), nullable=False),
        sa.Column("paid_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.id"], name=op.f("fk_payments_contract_id_contracts"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
    )
    op.create_index(op.f("ix_payments_contract_id"), "payments", ["contract_id"], unique=False)
    op.add_column("awards", sa.Column("decision_id", sa.Uuid(), nullable=True))
    op.add_column("awards", sa.Column("offer_id", sa.Uuid(), nullable=True))
    op.add_column("awards", sa.Column("provider_name", sa.String(length=300), nullable=True))
    op.add_column("awards", sa.Column("is_pes", sa.Boolean(), nullable=True))
    op.create_foreign_key(
        op.f("fk_awards_decision_id_award_decisions"),
        "awards",
        "award_decisions",
        ["decision_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_foreign_key(
        op.f("fk_awards_offer_id_offers"), "awards", "offers", ["offer_id"], ["id"], ondelete="SET NULL"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("fk_awards_offer_id_offers"), "awards", type_="foreignkey")
    op.drop_constraint(op.f("fk_awards_decision_id_award_decisions"), "awards", type_="foreignkey")
    op.drop_column("awards", "is_pes")
    op.drop_column("awards", "provider_name")
    op.drop_column("awards", "offer_id")
    op.drop_column("awards", "decision_id")
    op.drop_index(op.f("ix_payments_contract_id"), table_name="payments")
    op.drop_table("payments")
    op.drop_index(op.f("ix_delivery_reports_contract_id"), table_name="delivery_reports")
    op.drop_table("delivery_reports")
    op.drop_index(op.f("ix_contract_amendments_contract_id"), table_name="contract_amendments")
    op.drop_table("contract_amendments")
    op.drop_index(op.f("ix_contracts_provider_id"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_municipality_terc"), table_name="contracts")
    op.drop_index(op.f("ix_contracts_call_id"), table_name="contracts")
    op.drop_table("contracts")
    op.drop_index(op.f("ix_score_sheets_offer_id"), table_name="score_sheets")
    op.drop_index(op.f("ix_score_sheets_member_id"), table_name="score_sheets")
    op.drop_table("score_sheets")
    op.drop_table("formal_checks")
    op.drop_index(op.f("ix_declarations_member_id"), table_name="declarations")
    op.drop_table("declarations")
    op.drop_index(op.f("ix_award_decisions_call_id"), table_name="award_decisions")
    op.drop_table("award_decisions")
    op.drop_index(op.f("ix_committee_members_subject"), table_name="committee_members")
    op.drop_index(op.f("ix_committee_members_call_id"), table_name="committee_members")
    op.drop_table("committee_members")
