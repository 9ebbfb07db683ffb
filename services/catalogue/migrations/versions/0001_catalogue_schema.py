"""catalogue schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:20:04.387303
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
    # Diacritics-insensitive search: unaccent() is STABLE, so index expressions and stored vectors go through
    # an IMMUTABLE wrapper bound to the unaccent dictionary.
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE OR REPLACE FUNCTION cus_unaccent(text) RETURNS text "
        "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
        "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$"
    )
    op.create_table(
        "areas",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_pl", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_areas")),
    )
    op.create_table(
        "providers",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("short_name", sa.String(length=100), nullable=True),
        sa.Column("legal_form", sa.String(length=32), nullable=False),
        sa.Column("nip", sa.String(length=10), nullable=False),
        sa.Column("regon", sa.String(length=14), nullable=True),
        sa.Column("krs", sa.String(length=10), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=6), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("terc", sa.String(length=7), nullable=False),
        sa.Column("voivodeship", sa.String(length=2), nullable=False),
        sa.Column("operating_areas", sa.ARRAY(sa.String(length=7)), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("contacts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("is_pes", sa.Boolean(), nullable=False),
        sa.Column("social_enterprise", sa.Boolean(), nullable=False),
        sa.Column("social_enterprise_decision_number", sa.String(length=100), nullable=True),
        sa.Column("social_enterprise_decision_date", sa.Date(), nullable=True),
        sa.Column("public_benefit", sa.Boolean(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("excluded_employees", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("registered_by", sa.String(length=200), nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_providers")),
        sa.UniqueConstraint("nip", name=op.f("uq_providers_nip")),
    )
    op.create_index(op.f("ix_providers_legal_form"), "providers", ["legal_form"], unique=False)
    op.create_index(
        "ix_providers_operating_areas", "providers", ["operating_areas"], unique=False, postgresql_using="gin"
    )
    op.create_index("ix_providers_search_vector", "providers", ["search_vector"], unique=False, postgresql_using="gin")
    op.create_index(op.f("ix_providers_status"), "providers", ["status"], unique=False)
    op.create_index(op.f("ix_providers_terc"), "providers", ["terc"], unique=False)
    op.create_index(op.f("ix_providers_voivodeship"), "providers", ["voivodeship"], unique=False)
    op.create_index("uq_providers_krs", "providers", ["krs"], unique=True, postgresql_where="krs IS NOT NULL")
    op.create_index("uq_providers_regon", "providers", ["regon"], unique=True, postgresql_where="regon IS NOT NULL")
    op.create_table(
        "target_groups",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_pl", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_target_groups")),
    )
    op.create_table(
        "provider_status_events",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_subject", sa.String(length=200), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("clock_timestamp()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_provider_status_events_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_status_events")),
        sa.UniqueConstraint("seq", name=op.f("uq_provider_status_events_seq")),
    )
    op.create_index(
        op.f("ix_provider_status_events_provider_id"), "provider_status_events", ["provider_id"], unique=False
    )
    op.create_table(
        "service_types",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("area_code", sa.String(length=32), nullable=False),
        sa.Column("name_pl", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("target_groups", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["area_code"], ["areas.code"], name=op.f("fk_service_types_area_code_areas")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_types")),
        sa.UniqueConstraint("code", name=op.f("uq_service_types_code")),
    )
    op.create_index(op.f("ix_service_types_area_code"), "service_types", ["area_code"], unique=False)
    op.create_table(
        "offerings",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("provider_id", sa.Uuid(), nullable=False),
        sa.Column("service_type_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("delivery_areas", sa.ARRAY(sa.String(length=7)), nullable=False),
        sa.Column("delivery_area_parents", sa.ARRAY(sa.String(length=7)), nullable=False),
        sa.Column("capacity_per_month", sa.Integer(), nullable=False),
        sa.Column("capacity_committed", sa.Integer(), nullable=False),
        sa.Column("price_grosze", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("target_groups", sa.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("accessibility", sa.Text(), nullable=True),
        sa.Column("schedule", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("schedule_notes", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("capacity_committed >= 0", name=op.f("ck_offerings_committed_non_negative")),
        sa.CheckConstraint("capacity_per_month >= 0", name=op.f("ck_offerings_capacity_non_negative")),
        sa.CheckConstraint("price_grosze >= 0", name=op.f("ck_offerings_price_non_negative")),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["providers.id"],
            name=op.f("fk_offerings_provider_id_providers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"], ["service_types.id"], name=op.f("fk_offerings_service_type_id_service_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offerings")),
    )
    op.create_index(
        "ix_offerings_delivery_area_parents",
        "offerings",
        ["delivery_area_parents"],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index(
        "ix_offerings_delivery_areas", "offerings", ["delivery_areas"], unique=False, postgresql_using="gin"
    )
    op.create_index(op.f("ix_offerings_provider_id"), "offerings", ["provider_id"], unique=False)
    op.create_index("ix_offerings_search_vector", "offerings", ["search_vector"], unique=False, postgresql_using="gin")
    op.create_index(op.f("ix_offerings_service_type_id"), "offerings", ["service_type_id"], unique=False)
    op.create_index("ix_offerings_target_groups", "offerings", ["target_groups"], unique=False, postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_offerings_target_groups", table_name="offerings", postgresql_using="gin")
    op.drop_index(op.f("ix_offerings_service_type_id"), table_name="offerings")
    op.drop_index("ix_offerings_search_vector", table_name="offerings", postgresql_using="gin")
    op.drop_index(op.f("ix_offerings_provider_id"), table_name="offerings")
    op.drop_index("ix_offerings_delivery_areas", table_name="offerings", postgresql_using="gin")
    op.drop_index("ix_offerings_delivery_area_parents", table_name="offerings", postgresql_using="gin")
    op.drop_table("offerings")
    op.drop_index(op.f("ix_service_types_area_code"), table_name="service_types")
    op.drop_table("service_types")
    op.drop_index(op.f("ix_provider_status_events_provider_id"), table_name="provider_status_events")
    op.drop_table("provider_status_events")
    op.drop_table("target_groups")
    op.drop_index("uq_providers_regon", table_name="providers", postgresql_where="regon IS NOT NULL")
    op.drop_index("uq_providers_krs", table_name="providers", postgresql_where="krs IS NOT NULL")
    op.drop_index(op.f("ix_providers_voivodeship"), table_name="providers")
    op.drop_index(op.f("ix_providers_terc"), table_name="providers")
    op.drop_index(op.f("ix_providers_status"), table_name="providers")
    op.drop_index("ix_providers_search_vector", table_name="providers", postgresql_using="gin")
    op.drop_index("ix_providers_operating_areas", table_name="providers", postgresql_using="gin")
    op.drop_index(op.f("ix_providers_legal_form"), table_name="providers")
    op.drop_table("providers")
    op.drop_table("areas")
    op.execute("DROP FUNCTION IF EXISTS cus_unaccent(text)")
