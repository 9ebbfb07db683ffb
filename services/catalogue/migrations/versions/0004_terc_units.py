"""The TERC register's units, seeded with the 16 voivodeships, the powiats of Świętokrzyskie and the gminas the demo
uses; `make import-terc FILE=...` loads the whole register from GUS's CSV export.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

VOIVODESHIPS = [
    ("02", "DOLNOŚLĄSKIE"),
    ("04", "KUJAWSKO-POMORSKIE"),
    ("06", "LUBELSKIE"),
    ("08", "LUBUSKIE"),
    ("10", "ŁÓDZKIE"),
    ("12", "MAŁOPOLSKIE"),
    ("14", "MAZOWIECKIE"),
    ("16", "OPOLSKIE"),
    ("18", "PODKARPACKIE"),
    ("20", "PODLASKIE"),
    ("22", "POMORSKIE"),
    ("24", "ŚLĄSKIE"),
    ("26", "ŚWIĘTOKRZYSKIE"),
    ("28", "WARMIŃSKO-MAZURSKIE"),
    ("30", "WIELKOPOLSKIE"),
    ("32", "ZACHODNIOPOMORSKIE"),
]
# Świętokrzyskie (partial seed; the GUS register, once imported, overwrites names and adds every other unit)
UNITS = [
    ("2601", "buski", "powiat"),
    ("2602", "jędrzejowski", "powiat"),
    ("2603", "kazimierski", "powiat"),
    ("2604", "kielecki", "powiat"),
    ("2605", "konecki", "powiat"),
    ("2606", "opatowski", "powiat"),
    ("2607", "ostrowiecki", "powiat"),
    ("2608", "pińczowski", "powiat"),
    ("2609", "sandomierski", "powiat"),
    ("2610", "skarżyski", "powiat"),
    ("2611", "starachowicki", "powiat"),
    ("2612", "staszowski", "powiat"),
    ("2613", "włoszczowski", "powiat"),
    ("2661", "Kielce", "miasto na prawach powiatu"),
    ("2611011", "Starachowice", "gmina miejska"),
    ("2611022", "Brody", "gmina wiejska"),
    ("2611032", "Mirzec", "gmina wiejska"),
    ("2611042", "Pawłów", "gmina wiejska"),
    ("2611053", "Wąchock", "gmina miejsko-wiejska"),
    ("2661011", "Kielce", "gmina miejska"),
    ("2607011", "Ostrowiec Świętokrzyski", "gmina miejska"),
    ("2610011", "Skarżysko-Kamienna", "gmina miejska"),
    ("2609011", "Sandomierz", "gmina miejska"),
]


def upgrade() -> None:
    units = op.create_table(
        "terc_units",
        sa.Column("code", sa.String(length=7), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_terc_units")),
    )
    op.bulk_insert(
        units,
        [{"code": c, "name": n, "kind": "województwo"} for c, n in VOIVODESHIPS]
        + [{"code": c, "name": n, "kind": k} for c, n, k in UNITS],
    )


def downgrade() -> None:
    op.drop_table("terc_units")
