"""The statutory taxonomy: 14 areas of art. 2 ust. 1 of the CUS Act, target groups, a starting set of service types.

Revision ID: 0002
Revises: 0001

The data is inlined (not imported from the application) so this migration means the same thing forever.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AREAS = [
    ("family-policy", "polityka prorodzinna", "pro-family policy"),
    ("family-support", "wspieranie rodziny", "family support"),
    ("foster-care", "system pieczy zastępczej", "foster care"),
    ("social-assistance", "pomoc społeczna", "social assistance"),
    ("health", "promocja i ochrona zdrowia", "health promotion and protection"),
    ("disability", "wspieranie osób niepełnosprawnych", "support for people with disabilities"),
    ("education", "edukacja publiczna", "public education"),
    ("unemployment", "przeciwdziałanie bezrobociu", "counteracting unemployment"),
    ("culture", "kultura", "culture"),
    ("sport-tourism", "kultura fizyczna i turystyka", "physical culture and tourism"),
    ("civic-activity", "pobudzanie aktywności obywatelskiej", "stimulating civic activity"),
    ("housing", "mieszkalnictwo", "housing"),
    ("environment", "ochrona środowiska", "environmental protection"),
    ("reintegration", "reintegracja zawodowa i społeczna", "vocational and social reintegration"),
]

TARGET_GROUPS = [
    ("seniors", "seniorzy", "seniors"),
    ("disabled", "osoby z niepełnosprawnościami", "people with disabilities"),
    ("children-youth", "dzieci i młodzież", "children and youth"),
    ("families", "rodziny", "families"),
    ("unemployed", "osoby bezrobotne", "unemployed people"),
    ("homeless", "osoby w kryzysie bezdomności", "homeless people"),
    ("dependent", "osoby niesamodzielne", "dependent people"),
    ("carers", "opiekunowie faktyczni", "informal carers"),
    ("addicted", "osoby uzależnione", "people with addictions"),
    ("migrants", "cudzoziemcy i migranci", "foreigners and migrants"),
    ("excluded", "osoby zagrożone wykluczeniem społecznym", "people at risk of social exclusion"),
    ("all-residents", "wszyscy mieszkańcy", "all residents"),
]

# (code, area, Polish name, English name, unit, target groups, description)
SERVICE_TYPES = [
    (
        "care-services",
        "social-assistance",
        "usługi opiekuńcze",
        "care services",
        "hour",
        ["seniors", "dependent", "disabled"],
        "Pomoc w codziennych czynnościach w miejscu zamieszkania (art. 50 ustawy o pomocy społecznej).",
    ),
    (
        "specialised-care",
        "social-assistance",
        "specjalistyczne usługi opiekuńcze",
        "specialised care services",
        "hour",
        ["disabled", "dependent"],
        "Usługi dostosowane do szczególnych potrzeb wynikających z rodzaju schorzenia lub niepełnosprawności.",
    ),
    (
        "nursing",
        "health",
        "usługi pielęgniarskie",
        "nursing services",
        "visit",
        ["seniors", "dependent"],
        "Pielęgnacja i opieka pielęgniarska w domu.",
    ),
    (
        "housekeeping-help-disabled",
        "disability",
        "pomoc w prowadzeniu gospodarstwa domowego dla osób z niepełnosprawnościami",
        "help with housekeeping for people with disabilities",
        "hour",
        ["disabled"],
        None,
    ),
    (
        "personal-assistance",
        "disability",
        "asystencja osobista",
        "personal assistance",
        "hour",
        ["disabled"],
        "Wsparcie asystenta w czynnościach dnia codziennego i aktywności społecznej.",
    ),
    (
        "respite-care",
        "disability",
        "opieka wytchnieniowa",
        "respite care",
        "hour",
        ["carers", "disabled"],
        "Czasowe zastąpienie opiekunów osób z niepełnosprawnościami.",
    ),
    (
        "corrective-gymnastics",
        "health",
        "gimnastyka korekcyjna",
        "corrective gymnastics",
        "session",
        ["children-youth"],
        None,
    ),
    ("yoga", "sport-tourism", "joga", "yoga", "session", ["seniors", "all-residents"], None),
    (
        "mineral-pool-trips",
        "sport-tourism",
        "wyjazdy na baseny solankowe dla aktywnych seniorów",
        "trips to mineral pools for active seniors",
        "visit",
        ["seniors"],
        None,
    ),
    (
        "senior-activity-club",
        "social-assistance",
        "klub seniora",
        "senior activity club",
        "day",
        ["seniors"],
        None,
    ),
    (
        "day-care-centre",
        "social-assistance",
        "dzienny dom pomocy",
        "day care centre",
        "place-month",
        ["seniors", "dependent"],
        None,
    ),
    (
        "volunteering-centre",
        "civic-activity",
        "centrum wolontariatu",
        "volunteering centre",
        "hour",
        ["all-residents"],
        None,
    ),
    (
        "community-organising",
        "civic-activity",
        "organizowanie społeczności lokalnej",
        "community organising",
        "hour",
        ["all-residents", "excluded"],
        None,
    ),
    (
        "family-assistant",
        "family-support",
        "asystent rodziny",
        "family assistant",
        "hour",
        ["families"],
        "Praca z rodziną przeżywającą trudności (ustawa o wspieraniu rodziny).",
    ),
    (
        "support-day-centre",
        "family-support",
        "placówka wsparcia dziennego",
        "day support centre for children",
        "place-month",
        ["children-youth"],
        None,
    ),
    (
        "family-counselling",
        "family-policy",
        "poradnictwo rodzinne",
        "family counselling",
        "session",
        ["families"],
        None,
    ),
    (
        "parenting-workshops",
        "family-policy",
        "warsztaty umiejętności wychowawczych",
        "parenting workshops",
        "session",
        ["families"],
        None,
    ),
    (
        "foster-family-support",
        "foster-care",
        "wsparcie rodzin zastępczych",
        "support for foster families",
        "hour",
        ["families", "children-youth"],
        None,
    ),
    (
        "psychological-support",
        "health",
        "wsparcie psychologiczne",
        "psychological support",
        "session",
        ["all-residents"],
        None,
    ),
    (
        "addiction-prevention",
        "health",
        "profilaktyka uzależnień",
        "addiction prevention",
        "session",
        ["children-youth", "addicted"],
        None,
    ),
    (
        "tutoring",
        "education",
        "korepetycje i wyrównywanie szans edukacyjnych",
        "tutoring and equal-opportunity classes",
        "hour",
        ["children-youth"],
        None,
    ),
    (
        "job-coaching",
        "unemployment",
        "trener pracy",
        "job coaching",
        "hour",
        ["unemployed", "disabled"],
        None,
    ),
    (
        "vocational-training",
        "unemployment",
        "szkolenia zawodowe",
        "vocational training",
        "day",
        ["unemployed"],
        None,
    ),
    (
        "social-integration-programme",
        "reintegration",
        "reintegracja społeczna i zawodowa w CIS",
        "social and vocational reintegration programme (CIS)",
        "place-month",
        ["excluded", "unemployed"],
        None,
    ),
    (
        "social-integration-club",
        "reintegration",
        "zajęcia klubu integracji społecznej",
        "social integration club activities",
        "session",
        ["excluded"],
        None,
    ),
    (
        "occupational-therapy",
        "disability",
        "terapia zajęciowa",
        "occupational therapy",
        "place-month",
        ["disabled"],
        None,
    ),
    (
        "community-culture",
        "culture",
        "animacja kultury i zajęcia artystyczne",
        "community culture and art classes",
        "session",
        ["all-residents", "children-youth"],
        None,
    ),
    (
        "protected-housing",
        "housing",
        "mieszkanie chronione",
        "protected housing",
        "place-month",
        ["disabled", "excluded"],
        None,
    ),
    (
        "homeless-shelter",
        "housing",
        "schronisko dla osób bezdomnych",
        "homeless shelter",
        "place-month",
        ["homeless"],
        None,
    ),
    (
        "meal-delivery",
        "social-assistance",
        "dowóz posiłków",
        "meal delivery",
        "visit",
        ["seniors", "dependent"],
        None,
    ),
    (
        "environmental-education",
        "environment",
        "edukacja ekologiczna",
        "environmental education",
        "session",
        ["children-youth", "all-residents"],
        None,
    ),
    (
        "migrant-integration",
        "reintegration",
        "integracja cudzoziemców",
        "integration of foreigners",
        "hour",
        ["migrants"],
        None,
    ),
]

# Stable ids (uuid5), so demo data and integrators can refer to a seeded type by id across installations.
NAMESPACE = uuid.UUID("6f1a3c1e-8a45-4b8e-9a55-0c5c8a1c0001")


def upgrade() -> None:
    areas = sa.table("areas", sa.column("code"), sa.column("name_pl"), sa.column("name_en"), sa.column("position"))
    op.bulk_insert(
        areas,
        [{"code": c, "name_pl": pl, "name_en": en, "position": i + 1} for i, (c, pl, en) in enumerate(AREAS)],
    )
    groups = sa.table("target_groups", sa.column("code"), sa.column("name_pl"), sa.column("name_en"))
    op.bulk_insert(groups, [{"code": c, "name_pl": pl, "name_en": en} for c, pl, en in TARGET_GROUPS])
    types = sa.table(
        "service_types",
        sa.column("id", sa.Uuid()),
        sa.column("code"),
        sa.column("area_code"),
        sa.column("name_pl"),
        sa.column("name_en"),
        sa.column("description"),
        sa.column("unit"),
        sa.column("target_groups", sa.ARRAY(sa.String())),
        sa.column("version"),
    )
    op.bulk_insert(
        types,
        [
            {
                "id": uuid.uuid5(NAMESPACE, code),
                "code": code,
                "area_code": area,
                "name_pl": pl,
                "name_en": en,
                "unit": unit,
                "target_groups": groups_,
                "description": description,
                "version": 1,
            }
            for code, area, pl, en, unit, groups_, description in SERVICE_TYPES
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM service_types")
    op.execute("DELETE FROM target_groups")
    op.execute("DELETE FROM areas")
