"""A municipality's yearly plan of grants to NGOs, against which small grants are capped (UDPP art. 19a).

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "municipality_budgets",
        sa.Column("terc", sa.String(length=7), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ngo_grants_planned_grosze", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["terc"],
            ["municipalities.terc"],
            name=op.f("fk_municipality_budgets_terc_municipalities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("terc", "year", name=op.f("pk_municipality_budgets")),
    )


def downgrade() -> None:
    op.drop_table("municipality_budgets")
