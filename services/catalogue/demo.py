"""Demo data (idempotent): Świętokrzyskie social-economy providers and their offerings.

Ids are uuid5 of stable keys, so a second load changes nothing and integrators can bookmark demo records.
NIP and REGON numbers carry valid checksums but are made up for the demo.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from services.catalogue.models.offerings import Offering
from services.catalogue.models.providers import Provider, ProviderStatusEvent
from services.catalogue.offerings import repository as offerings_repo
from services.catalogue.providers import repository as providers_repo
from services.catalogue.search import repository as search_vectors
from services.catalogue.taxonomy import repository as taxonomy_repo
from shared.identifiers import complete_regon, demo_nip

NAMESPACE = uuid.UUID("6f1a3c1e-8a45-4b8e-9a55-0c5c8a1c0002")

# Gminas of Świętokrzyskie (TERC 26) used by the demo: (code, name, postal code)
PLACES = {
    "2611011": ("Starachowice", "27-200"),
    "2661011": ("Kielce", "25-001"),
    "2611022": ("Brody", "27-230"),
    "2611032": ("Mirzec", "27-220"),
    "2611042": ("Pawłów", "27-225"),
    "2611053": ("Wąchock", "27-215"),
    "2607011": ("Ostrowiec Świętokrzyski", "27-400"),
    "2610011": ("Skarżysko-Kamienna", "26-110"),
    "2609011": ("Sandomierz", "27-600"),
}

# (name, legal form, gmina, PES, PS, OPP, employees, excluded, status, service types)
PROVIDERS: list[tuple[str, str, str, bool, bool, bool, int, int, str, list[str]]] = [
    (
        "Spółdzielnia Socjalna „Pomocna Dłoń”",
        "social-cooperative",
        "2611011",
        True,
        True,
        False,
        12,
        6,
        "verified",
        ["care-services", "housekeeping-help-disabled", "meal-delivery"],
    ),
    (
        "Fundacja „Razem dla Seniora”",
        "foundation",
        "2611011",
        True,
        False,
        True,
        9,
        1,
        "verified",
        ["senior-activity-club", "yoga", "mineral-pool-trips"],
    ),
    (
        "Stowarzyszenie na Rzecz Osób Niepełnosprawnych „Krokus”",
        "association",
        "2611011",
        True,
        False,
        True,
        15,
        3,
        "verified",
        ["personal-assistance", "respite-care", "corrective-gymnastics"],
    ),
    (
        "Centrum Integracji Społecznej w Starachowicach",
        "cis",
        "2611011",
        True,
        False,
        False,
        8,
        3,
        "verified",
        ["social-integration-programme", "vocational-training"],
    ),
    (
        "Klub Integracji Społecznej „Nowy Start”",
        "kis",
        "2611011",
        True,
        False,
        False,
        4,
        1,
        "verified",
        ["social-integration-club", "job-coaching"],
    ),
    (
        "Warsztat Terapii Zajęciowej w Wąchocku",
        "wtz",
        "2611053",
        True,
        False,
        False,
        11,
        2,
        "verified",
        ["occupational-therapy"],
    ),
    (
        "Zakład Aktywności Zawodowej „Przystań”",
        "zaz",
        "2611011",
        True,
        False,
        False,
        40,
        28,
        "verified",
        ["job-coaching", "meal-delivery"],
    ),
    (
        "Spółdzielnia Socjalna „Opiekunki Starachowickie”",
        "social-cooperative",
        "2611011",
        True,
        True,
        False,
        18,
        8,
        "verified",
        ["care-services", "specialised-care", "nursing"],
    ),
    (
        "Stowarzyszenie „Aktywni Mirzec”",
        "association",
        "2611032",
        True,
        False,
        False,
        3,
        0,
        "verified",
        ["community-organising", "volunteering-centre", "community-culture"],
    ),
    (
        "Fundacja Rodzina Plus",
        "foundation",
        "2661011",
        True,
        False,
        True,
        14,
        2,
        "verified",
        ["family-assistant", "family-counselling", "parenting-workshops"],
    ),
    (
        "Spółdzielnia Socjalna „Kielecka Opieka”",
        "social-cooperative",
        "2661011",
        True,
        True,
        False,
        25,
        11,
        "verified",
        ["care-services", "specialised-care", "respite-care"],
    ),
    (
        "Caritas Diecezji Kieleckiej",
        "church-legal-person",
        "2661011",
        True,
        False,
        True,
        120,
        10,
        "verified",
        ["homeless-shelter", "meal-delivery", "day-care-centre"],
    ),
    (
        "Stowarzyszenie „Dom Otwarty”",
        "association",
        "2661011",
        True,
        False,
        True,
        7,
        2,
        "verified",
        ["protected-housing", "psychological-support"],
    ),
    (
        "Fundacja „Edukacja bez Barier”",
        "foundation",
        "2661011",
        True,
        False,
        False,
        6,
        0,
        "verified",
        ["tutoring", "support-day-centre"],
    ),
    (
        "Kielecki Klub Sportowy „Zdrowie” (stowarzyszenie)",
        "association",
        "2661011",
        True,
        False,
        False,
        5,
        0,
        "verified",
        ["corrective-gymnastics", "yoga"],
    ),
    (
        "Centrum Integracji Społecznej w Kielcach",
        "cis",
        "2661011",
        True,
        False,
        False,
        10,
        4,
        "verified",
        ["social-integration-programme", "vocational-training"],
    ),
    (
        "Spółdzielnia Socjalna „Zielony Zakątek”",
        "social-cooperative",
        "2661011",
        True,
        True,
        False,
        6,
        3,
        "verified",
        ["environmental-education", "community-culture"],
    ),
    (
        "Fundacja Pomocy Cudzoziemcom „Most”",
        "foundation",
        "2661011",
        True,
        False,
        False,
        4,
        0,
        "verified",
        ["migrant-integration", "psychological-support"],
    ),
    (
        "Stowarzyszenie Rodzin Zastępczych Ziemi Świętokrzyskiej",
        "association",
        "2661011",
        True,
        False,
        True,
        3,
        0,
        "verified",
        ["foster-family-support", "family-counselling"],
    ),
    (
        "Pielęgniarska Spółka Non-Profit „Vita”",
        "nonprofit-company",
        "2661011",
        True,
        False,
        False,
        22,
        0,
        "verified",
        ["nursing", "care-services"],
    ),
    (
        "Ochotnicze Centrum Wolontariatu w Kielcach",
        "association",
        "2661011",
        True,
        False,
        True,
        3,
        0,
        "verified",
        ["volunteering-centre", "community-organising"],
    ),
    (
        "Spółdzielnia Pracy „Usługi Domowe”",
        "workers-cooperative",
        "2607011",
        True,
        False,
        False,
        30,
        5,
        "verified",
        ["housekeeping-help-disabled", "care-services"],
    ),
    (
        "Fundacja „Słoneczny Sandomierz”",
        "foundation",
        "2609011",
        True,
        False,
        False,
        5,
        1,
        "verified",
        ["senior-activity-club", "mineral-pool-trips"],
    ),
    (
        "Stowarzyszenie Trzeźwości „Wolni”",
        "association",
        "2610011",
        True,
        False,
        True,
        4,
        1,
        "verified",
        ["addiction-prevention", "psychological-support"],
    ),
    (
        "Opieka Medyczna Sp. z o.o.",
        "company",
        "2661011",
        False,
        False,
        False,
        60,
        0,
        "verified",
        ["nursing", "care-services"],
    ),
    (
        "Anna Nowak Usługi Opiekuńcze",
        "sole-trader",
        "2611042",
        False,
        False,
        False,
        3,
        0,
        "verified",
        ["care-services"],
    ),
    (
        "Dzienny Dom Pomocy w Brodach (jednostka gminy)",
        "public-unit",
        "2611022",
        False,
        False,
        False,
        9,
        0,
        "verified",
        ["day-care-centre"],
    ),
    (
        "Koło Gospodyń Wiejskich w Pawłowie (stowarzyszenie zwykłe)",
        "ordinary-association",
        "2611042",
        True,
        False,
        False,
        0,
        0,
        "verified",
        ["community-culture", "senior-activity-club"],
    ),
    (
        "Spółdzielnia Socjalna „Nowa Droga”",
        "social-cooperative",
        "2611011",
        True,
        False,
        False,
        5,
        3,
        "pending",
        ["meal-delivery", "housekeeping-help-disabled"],
    ),
    (
        "Fundacja „Asystent”",
        "foundation",
        "2661011",
        True,
        False,
        False,
        6,
        1,
        "pending",
        ["personal-assistance"],
    ),
    (
        "Stowarzyszenie „Bez Adresu”",
        "association",
        "2611011",
        True,
        False,
        False,
        2,
        0,
        "rejected",
        ["homeless-shelter"],
    ),
    (
        "Spółdzielnia Socjalna „Zawieszona”",
        "social-cooperative",
        "2661011",
        True,
        False,
        False,
        5,
        2,
        "suspended",
        ["care-services"],
    ),
]

PRICES = {  # grosze per unit
    "hour": 4200,
    "visit": 9000,
    "session": 6000,
    "day": 12000,
    "place-month": 250000,
}
CAPACITY = {"hour": 1200, "visit": 300, "session": 80, "day": 200, "place-month": 20}

KRS_FORMS = {
    "foundation",
    "association",
    "social-cooperative",
    "workers-cooperative",
    "nonprofit-company",
    "company",
}


def _provider(i: int, row: tuple[Any, ...]) -> Provider:
    name, form, terc, pes, ps, opp, employees, excluded, status, _types = row
    city, postal = PLACES[terc]
    powiat = terc[:4]
    return Provider(
        id=uuid.uuid5(NAMESPACE, f"provider-{i}"),
        name=name,
        legal_form=form,
        nip=demo_nip(i),
        regon=complete_regon(f"26{i:06d}"),
        krs=f"{800_000 + i:010d}" if form in KRS_FORMS else None,
        description=f"{name}: usługi społeczne w {'Kielcach' if terc == '2661011' else city} i okolicy.",
        street=f"ul. Sienkiewicza {i + 1}",
        postal_code=postal,
        city=city,
        terc=terc,
        voivodeship="26",
        operating_areas=[powiat] if i % 3 else [terc],
        email=f"kontakt{i}@demo-pes.pl",
        phone=f"+48 41 300 {i:02d} {i + 10:02d}",
        website=f"https://demo-pes.pl/{i}",
        contacts=[
            {
                "name": "Maria Kowalska",
                "role": "prezes zarządu",
                "email": f"prezes{i}@demo-pes.pl",
                "phone": None,
            }
        ],
        is_pes=pes,
        social_enterprise=ps,
        social_enterprise_decision_number=f"WPS.{i}.2024" if ps else None,
        social_enterprise_decision_date=date(2024, 1 + i % 12, 10) if ps else None,
        public_benefit=opp,
        employees=employees,
        excluded_employees=excluded,
        status=status,
        status_reason={"rejected": "brak wpisu w KRS", "suspended": "nieprzedłożone sprawozdanie"}.get(status),
        registered_by=f"demo-provider-{i}",
    )


def _events(provider: Provider) -> list[ProviderStatusEvent]:
    events = [
        ProviderStatusEvent(
            id=uuid.uuid5(NAMESPACE, f"{provider.id}-registered"),
            provider_id=provider.id,
            from_status=None,
            to_status="pending",
            reason="registered",
            actor_subject=provider.registered_by,
            actor_role="provider",
        )
    ]
    path = {"verified": ["verified"], "rejected": ["rejected"], "suspended": ["verified", "suspended"]}
    previous = "pending"
    for step in path.get(provider.status, []):
        events.append(
            ProviderStatusEvent(
                id=uuid.uuid5(NAMESPACE, f"{provider.id}-{step}"),
                provider_id=provider.id,
                from_status=previous,
                to_status=step,
                reason=provider.status_reason if step != "verified" else "dane zgodne z KRS i CRPES",
                actor_subject="rops-kielce-demo",
                actor_role="regional",
            )
        )
        previous = step
    return events


async def load_into(session: AsyncSession) -> dict[str, int]:
    types = {t.code: t for t in await taxonomy_repo.all_service_types(session)}
    existing = await providers_repo.all_ids(session)
    added_providers = added_offerings = 0
    for i, row in enumerate(PROVIDERS):
        provider = _provider(i, row)
        if provider.id in existing:
            continue
        session.add(provider)
        await session.flush()
        session.add_all(_events(provider))
        for j, code in enumerate(row[-1]):
            service_type = types[code]
            areas = sorted({provider.terc[:4], provider.terc} if j % 2 else {provider.terc[:4]})
            session.add(
                Offering(
                    id=uuid.uuid5(NAMESPACE, f"offering-{i}-{code}"),
                    provider_id=provider.id,
                    service_type_id=service_type.id,
                    title=f"{service_type.name_pl[:1].upper()}{service_type.name_pl[1:]} – {provider.city}",
                    description=f"{service_type.name_pl} świadczone przez {provider.name}.",
                    delivery_areas=areas,
                    delivery_area_parents=offerings_repo.parent_codes(areas),
                    capacity_per_month=CAPACITY[service_type.unit] + 10 * i,
                    capacity_committed=(CAPACITY[service_type.unit] // 4) if i % 2 else 0,
                    unit_price_grosze=PRICES[service_type.unit] + 100 * (i % 7),
                    target_groups=list(service_type.target_groups),
                    accessibility="Budynek dostępny dla osób na wózkach; pętla indukcyjna." if i % 2 else None,
                    schedule=[{"weekday": d, "opens_at": "08:00", "closes_at": "16:00"} for d in range(1, 6)],
                )
            )
            added_offerings += 1
        await session.flush()
        await search_vectors.refresh_provider_vector(session, provider.id)
        await search_vectors.refresh_offering_vectors(session, provider_id=provider.id)
        added_providers += 1
    return {"providers_added": added_providers, "offerings_added": added_offerings}


async def load(url: str) -> str:
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
            result = await load_into(session)
    finally:
        await engine.dispose()
    return f"{result['providers_added']} providers and {result['offerings_added']} offerings added"
