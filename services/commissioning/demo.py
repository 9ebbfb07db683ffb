"""Demo data (idempotent): Starachowice and Kielce with a programme, needs, and calls in draft and open for offers,
with offers from the catalogue's demo providers.

The catalogue's demo providers and seeded service types have stable uuid5 ids; they are referenced here by those
ids (the services share no code). A test checks they match the catalogue's demo data.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from services.commissioning.calls.service import ocid_for
from services.commissioning.contracts import awards
from services.commissioning.contracts import service as contracts
from services.commissioning.contracts.schemas import DecisionIn, PaymentIn, ReportIn, ReviewIn, SignatureIn
from services.commissioning.evaluation import service as evaluation
from services.commissioning.evaluation.schemas import DeclarationIn, FormalCheckIn, MemberIn, ScoresIn
from services.commissioning.models.calls import Call, CallEvent, CallHistory, CallStatus, Lot
from services.commissioning.models.municipalities import Municipality
from services.commissioning.models.offers import Offer, OfferStatus
from services.commissioning.models.planning import Need, Programme, ProgrammeLine
from services.commissioning.models.standing import Standing
from services.commissioning.offers.schemas import OfferContent
from services.commissioning.offers.service import content_hash
from services.commissioning.rules.modes import rules_in_force
from services.commissioning.settings import get_settings
from shared.auth import Principal, Role
from shared.identifiers import demo_nip
from shared.schemas import utc_iso

NAMESPACE = uuid.UUID("6f1a3c1e-8a45-4b8e-9a55-0c5c8a1c0004")
CATALOGUE_TYPES = uuid.UUID("6f1a3c1e-8a45-4b8e-9a55-0c5c8a1c0001")  # catalogue migration 0002
CATALOGUE_DEMO = uuid.UUID("6f1a3c1e-8a45-4b8e-9a55-0c5c8a1c0002")  # catalogue demo.py

# the catalogue service types used here: code -> (Polish name, unit, statutory area)
TYPES = {
    "care-services": ("usługi opiekuńcze", "hour", "social-assistance"),
    "personal-assistance": ("asystencja osobista", "hour", "disability"),
    "senior-activity-club": ("klub seniora", "day", "social-assistance"),
    "family-assistant": ("asystent rodziny", "hour", "family-support"),
    "respite-care": ("opieka wytchnieniowa", "hour", "disability"),
}
# catalogue demo providers (index in its list, name) that answer the demo calls
PROVIDERS = {
    0: "Spółdzielnia Socjalna „Pomocna Dłoń”",
    7: "Spółdzielnia Socjalna „Opiekunki Starachowickie”",
    10: "Spółdzielnia Socjalna „Kielecka Opieka”",
    2: "Stowarzyszenie na Rzecz Osób Niepełnosprawnych „Krokus”",
}

CRITERIA = [
    {"code": "price", "name": "cena", "kind": "price", "weight": 40},
    {"code": "quality", "name": "jakość usług", "kind": "quality", "weight": 40},
    {"code": "social", "name": "zatrudnienie osób zagrożonych wykluczeniem", "kind": "social", "weight": 20},
]


def type_id(code: str) -> uuid.UUID:
    return uuid.uuid5(CATALOGUE_TYPES, code)


def _service_type(code: str) -> dict[str, Any]:
    """The catalogue service type's fields a programme line and a need keep."""
    name, unit, _area = TYPES[code]
    return {"service_type_id": type_id(code), "service_type_code": code, "service_type_name": name, "unit": unit}


def provider_id(index: int) -> uuid.UUID:
    return uuid.uuid5(CATALOGUE_DEMO, f"provider-{index}")


def _id(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


MUNICIPALITIES = [
    (
        "2611011",
        "Gmina Starachowice",
        "Centrum Usług Społecznych w Starachowicach",
        "ul. Radomska 45",
        "27-200",
        "Starachowice",
    ),
    (
        "2661011",
        "Miasto Kielce",
        "Miejski Ośrodek Pomocy Rodzinie w Kielcach (CUS)",
        "ul. Studzienna 2",
        "25-001",
        "Kielce",
    ),
]


def _programme(terc: str, city: str) -> tuple[Programme, list[ProgrammeLine]]:
    programme = Programme(
        id=_id(f"programme-{terc}"),
        municipality_terc=terc,
        title=f"Program usług społecznych – {city} 2026–2027",
        period_start=date(2026, 1, 1),
        period_end=date(2027, 12, 31),
        resolution_number=f"XV/{terc[-3:]}/2025",
        resolution_date=date(2025, 12, 18),
    )
    lines = [
        ProgrammeLine(
            id=_id(f"line-{terc}-{code}"),
            programme_id=programme.id,
            **_service_type(code),
            quantity=quantity,
            budget_grosze=budget,
            target_groups=groups,
            area_terc=terc,
        )
        for code, quantity, budget, groups in (
            ("care-services", 24_000, 100_800_000, ["seniors", "dependent"]),
            ("personal-assistance", 8_000, 36_000_000, ["disabled"]),
            ("senior-activity-club", 480, 5_760_000, ["seniors"]),
        )
    ]
    return programme, lines


def _need(terc: str, code: str, title: str, quantity: int, value: int, start: date, end: date) -> Need:
    return Need(
        id=_id(f"need-{terc}-{code}"),
        municipality_terc=terc,
        programme_line_id=_id(f"line-{terc}-{code}")
        if code in ("care-services", "personal-assistance", "senior-activity-club")
        else None,
        title=title,
        **_service_type(code),
        quantity=quantity,
        estimated_value_grosze=value,
        period_start=start,
        period_end=end,
        area_terc=terc,
        target_groups=[],
        notes="Diagnoza potrzeb wspólnoty samorządowej 2025; konsultacje z mieszkańcami i organizacjami pozarządowymi.",
    )


def _call(
    key: str,
    need: Need,
    *,
    mode: str,
    title: str,
    now: datetime,
    deadline: datetime,
    published: bool,
    eligibility: dict[str, Any],
) -> tuple[Call, Lot]:
    call_id = _id(f"call-{key}")
    call = Call(
        id=call_id,
        ocid=ocid_for(get_settings().ocid_prefix, call_id),
        municipality_terc=need.municipality_terc,
        need_id=need.id,
        title=title,
        description=f"{need.service_type_name} – {need.notes}",
        mode=mode,
        rules_version=rules_in_force(now.date()).version,
        status=CallStatus.OPEN.value if published else CallStatus.DRAFT.value,
        criteria=CRITERIA,
        eligibility={
            "legal_forms": [],
            "pes_only": False,
            "social_enterprise_only": False,
            "min_excluded_share": None,
            **eligibility,
        },
        documents=[
            {
                "title": "Ogłoszenie",
                "url": f"https://bip.example.pl/{key}.pdf",
                "media_type": "application/pdf",
                "sha256": None,
            }
        ],
        period_start=need.period_start,
        period_end=need.period_end,
        deadline=deadline,
        decision_date=(deadline + timedelta(days=14)).date(),
        published_at=now if published else None,
        next_event=CallEvent.OPEN_OFFERS.value if published else None,
        next_event_at=deadline if published else None,
        created_at=now,
        updated_at=now,
    )
    lot = Lot(
        id=_id(f"lot-{key}"),
        call_id=call_id,
        number=1,
        title=need.title,
        service_type_id=need.service_type_id,
        service_type_code=need.service_type_code,
        area_code=TYPES[need.service_type_code][2],
        unit=need.unit,
        quantity=need.quantity,
        area_terc=need.area_terc,
        value_grosze=need.estimated_value_grosze,
    )
    return call, lot


def _offer(call: Call, lot: Lot, index: int, price: int, now: datetime) -> Offer:
    content = OfferContent(
        total_price_grosze=price,
        quantity=lot.quantity,
        answers={"quality": "Opiekunki z kwalifikacjami, koordynator dostępny 7 dni w tygodniu.", "social": 40},
    )
    pid = provider_id(index)
    return Offer(
        id=_id(f"offer-{call.id}-{index}"),
        call_id=call.id,
        lot_id=lot.id,
        provider_id=pid,
        provider_name=PROVIDERS[index],
        provider_nip=demo_nip(index),
        status=OfferStatus.SUBMITTED.value,
        total_price_grosze=price,
        quantity=lot.quantity,
        answers=content.answers,
        content_hash=content_hash(call.id, lot.id, pid, content),
        submitted_at=now,
        created_at=now,
    )


async def load_into(session: AsyncSession, now: datetime) -> dict[str, int]:
    if await session.get(Call, _id("call-starachowice-care")) is not None:
        return {"municipalities": 0, "calls": 0, "offers": 0}
    added = {"municipalities": 0, "calls": 0, "offers": 0}
    for terc, name, cus, street, postal, city in MUNICIPALITIES:
        if not await session.get(Municipality, terc):
            session.add(
                Municipality(
                    terc=terc,
                    name=name,
                    cus_name=cus,
                    street=street,
                    postal_code=postal,
                    city=city,
                    email=f"cus@{city.lower()}.example.pl",
                )
            )
            added["municipalities"] += 1
        await session.flush()
        programme, lines = _programme(terc, city)
        session.add(programme)
        await session.flush()
        session.add_all(lines)
    await session.flush()
    year = date(now.year + 1, 1, 1)
    needs = {
        "starachowice-care": _need(
            "2611011",
            "care-services",
            "Usługi opiekuńcze dla seniorów",
            12_000,
            50_400_000,
            year,
            date(year.year, 12, 31),
        ),
        "starachowice-club": _need(
            "2611011",
            "senior-activity-club",
            "Klub seniora na osiedlu Zachód",
            240,
            900_000,
            year,
            year + timedelta(days=80),
        ),
        "kielce-care": _need(
            "2661011",
            "care-services",
            "Usługi opiekuńcze – zamówienie zastrzeżone",
            20_000,
            84_000_000,
            year,
            date(year.year, 12, 31),
        ),
        "kielce-assistance": _need(
            "2661011",
            "personal-assistance",
            "Asystencja osobista 2027",
            6_000,
            27_000_000,
            year,
            date(year.year, 12, 31),
        ),
    }
    session.add_all(needs.values())
    await session.flush()
    deadline = (now + timedelta(days=30)).replace(hour=11, minute=0, second=0, microsecond=0)
    calls = [
        (
            _call(
                "starachowice-care",
                needs["starachowice-care"],
                mode="open-competition",
                now=now,
                title="Otwarty konkurs ofert: usługi opiekuńcze dla seniorów",
                deadline=deadline,
                published=True,
                eligibility={"pes_only": True},
            ),
            [(0, 49_200_000), (7, 47_900_000)],
        ),
        (
            _call(
                "starachowice-club",
                needs["starachowice-club"],
                mode="small-grant",
                now=now,
                title="Mały grant: klub seniora",
                deadline=now + timedelta(days=10),
                published=False,
                eligibility={},
            ),
            [],
        ),
        (
            _call(
                "kielce-care",
                needs["kielce-care"],
                mode="reserved-94",
                now=now,
                title="Zamówienie zastrzeżone (art. 94 Pzp): usługi opiekuńcze",
                deadline=deadline,
                published=True,
                eligibility={"min_excluded_share": 0.3},
            ),
            [(10, 82_500_000)],
        ),
        (
            _call(
                "kielce-assistance",
                needs["kielce-assistance"],
                mode="light-regime",
                now=now,
                title="Asystencja osobista – procedura uproszczona",
                deadline=now + timedelta(days=40),
                published=False,
                eligibility={},
            ),
            [],
        ),
    ]
    for (call, lot), offers in calls:
        session.add(call)
        await session.flush()
        session.add(lot)
        session.add(CallHistory(call_id=call.id, kind="created", actor="demo", at=now, detail={"mode": call.mode}))
        if call.published_at:
            session.add(
                CallHistory(
                    call_id=call.id,
                    kind="published",
                    actor="demo",
                    at=now,
                    detail={"deadline": utc_iso(call.deadline)},
                )
            )
        await session.flush()
        for index, price in offers:
            session.add(_offer(call, lot, index, price, now))
            added["offers"] += 1
        added["calls"] += 1
    await session.flush()
    return added


async def load_later_stages(session: AsyncSession, now: datetime) -> dict[str, int]:
    """Calls under evaluation and awarded calls with contracts, reports and payments (idempotent)."""
    if await session.get(Call, _id("call-starachowice-awarded")) is not None:
        return {"calls": 0, "contracts": 0}
    past = now - timedelta(days=120)
    needs = {
        "starachowice-awarded": _need(
            "2611011",
            "personal-assistance",
            "Asystencja osobista 2026",
            4_000,
            18_000_000,
            (now - timedelta(days=100)).date(),  # started long enough ago that its first quarter is reported
            (now + timedelta(days=295)).date(),
        ),
        "starachowice-evaluation": _need(
            "2611011",
            "respite-care",
            "Opieka wytchnieniowa",
            2_000,
            9_000_000,
            (now + timedelta(days=20)).date(),
            (now + timedelta(days=200)).date(),
        ),
        "kielce-awarded": _need(
            "2661011",
            "family-assistant",
            "Asystent rodziny 2026",
            5_000,
            21_000_000,
            (now - timedelta(days=96)).date(),
            (now + timedelta(days=300)).date(),
        ),
    }
    for need in needs.values():
        need.programme_line_id = None
    session.add_all(needs.values())
    await session.flush()
    specs = [
        (
            "starachowice-awarded",
            "open-competition",
            "Konkurs: asystencja osobista 2026",
            past,
            past + timedelta(days=30),
            [(2, 17_400_000), (0, 17_900_000)],
            2,
        ),
        (
            "starachowice-evaluation",
            "open-competition",
            "Konkurs: opieka wytchnieniowa",
            now - timedelta(days=40),
            now - timedelta(days=5),
            [(2, 8_700_000), (7, 8_900_000)],
            None,
        ),
        (
            "kielce-awarded",
            "reserved-94",
            "Zamówienie zastrzeżone: asystent rodziny",
            past,
            past + timedelta(days=25),
            [(10, 20_500_000)],
            10,
        ),
    ]
    made = {"calls": 0, "contracts": 0}
    for key, mode, title, published, deadline, bids, winner in specs:
        call, lot = _call(
            key,
            needs[key],
            mode=mode,
            title=title,
            now=published,
            deadline=deadline,
            published=True,
            eligibility={"min_excluded_share": 0.3} if mode == "reserved-94" else {"pes_only": True},
        )
        call.status, call.next_event, call.next_event_at = CallStatus.EVALUATION.value, None, None
        session.add(call)
        await session.flush()
        session.add(lot)
        session.add_all(
            [
                CallHistory(call_id=call.id, kind="published", actor="demo", at=published, detail={}),
                CallHistory(
                    call_id=call.id, kind="offers-opened", actor="system", at=deadline, detail={"offers": len(bids)}
                ),
            ]
        )
        await session.flush()
        offers = [_offer(call, lot, index, price, published + timedelta(days=3)) for index, price in bids]
        session.add_all(offers)
        await _evaluate(session, call, offers, deadline)
        made["calls"] += 1
        if winner is None:
            continue
        await _award(session, call, lot, offers, winner, decided=deadline + timedelta(days=10), now=now)
        made["contracts"] += 1
    await session.flush()
    return made


def _municipality(call: Call) -> Principal:
    return Principal(subject="demo", role=Role.MUNICIPALITY, terc=call.municipality_terc)


async def _evaluate(session: AsyncSession, call: Call, offers: list[Offer], deadline: datetime) -> None:
    """A committee of two, through the evaluation service: appointed, declared, formal checks, scores."""
    municipality = _municipality(call)
    members = [
        MemberIn(subject="ewa.nowak@cus.example.pl", name="Ewa Nowak"),
        MemberIn(
            subject="jan.kowalski@ngo.example.pl",
            name="Jan Kowalski",
            nominated_by="Rada Działalności Pożytku Publicznego",
        ),
    ]
    for member in members:
        await evaluation.add_member(session, principal=municipality, now=deadline, call_id=call.id, data=member)
    checked = deadline + timedelta(days=1)
    for offer in offers:
        await evaluation.formal_check(
            session,
            principal=municipality,
            now=checked,
            offer_id=offer.id,
            data=FormalCheckIn(passed=True, reasons=[]),
            if_match=None,
        )
    scores = ScoresIn.model_validate(
        {
            "scores": {
                "quality": {"score": 80, "justification": "Doświadczona kadra."},
                "social": {"score": 70, "justification": "Zatrudnia osoby wykluczone."},
            }
        }
    )
    for member in members:
        evaluator = Principal(subject=member.subject, role=Role.EVALUATOR)
        for provider in dict.fromkeys(offer.provider_id for offer in offers):
            declaration = DeclarationIn(provider_id=provider, conflict=False, statement="Brak konfliktu interesów.")
            await evaluation.declare(session, principal=evaluator, now=checked, call_id=call.id, data=declaration)
        for offer in offers:
            await evaluation.save_scores(
                session,
                principal=evaluator,
                now=checked + timedelta(days=1),
                offer_id=offer.id,
                data=scores,
                if_match=None,
            )


async def _award(
    session: AsyncSession, call: Call, lot: Lot, offers: list[Offer], winner: int, *, decided: datetime, now: datetime
) -> None:
    """The award decision, the contract after its standstill, a first report and two payments, each through the
    function the API calls."""
    municipality = _municipality(call)
    winning = next(o for o in offers if o.provider_id == provider_id(winner))
    standing = {  # as the catalogue's demo has it, read at the decision
        winning.provider_id: Standing(
            provider_id=winning.provider_id,
            status="verified",
            catalogue_version=1,
            confirmed_at=decided,
            name=winning.provider_name,
            nip=demo_nip(winner),
            legal_form="social-cooperative",
            is_pes=True,
            social_enterprise=True,
            excluded_share=0.4,
        )
    }
    decision_in = DecisionIn.model_validate(
        {"winners": [{"offer_id": str(winning.id)}], "reason": "Najwyżej oceniona oferta spełniająca wymogi."}
    )
    _, made = await awards.decide(
        session,
        principal=municipality,
        now=decided,
        call_id=call.id,
        lot_id=lot.id,
        data=decision_in,
        standstill_days=5,
        standing=standing,
        bound=timedelta(0),
    )
    signed = decided + timedelta(days=6)
    await awards.end_standstill(session, call, signed)
    contract = made[0][1]
    provider = Principal(subject="demo", role=Role.PROVIDER, provider_id=winning.provider_id)
    await contracts.record_signature(
        session,
        principal=municipality,
        now=signed,
        contract_id=contract.id,
        data=SignatureIn(number=f"CUS.526.{call.municipality_terc[-3:]}.{signed.year}", signed_on=signed.date()),
        if_match=f'"{contract.version}"',
    )
    await contracts.confirm_signature(
        session,
        principal=provider,
        now=signed + timedelta(days=1),
        contract_id=contract.id,
        if_match=f'"{contract.version}"',
    )
    first = contract.reporting_schedule[0]
    report = await contracts.submit_report(
        session,
        principal=provider,
        now=now - timedelta(days=3),
        contract_id=contract.id,
        data=ReportIn(
            period_start=date.fromisoformat(first["period_start"]),
            period_end=date.fromisoformat(first["period_end"]),
            units_delivered=lot.quantity // 5,
            people_served={"disabled": 12} if lot.service_type_code == "personal-assistance" else {"families": 18},
            outcomes="Usługi zrealizowane zgodnie z harmonogramem.",
        ),
    )
    if call.municipality_terc == "2611011":  # Kielce has not reviewed its report yet
        await contracts.review_report(
            session,
            principal=municipality,
            now=now - timedelta(days=1),
            report_id=report.id,
            data=ReviewIn(decision="accept"),
            if_match=f'"{report.version}"',
        )
    for i, due in enumerate(contract.payment_schedule[:2]):
        payment = PaymentIn(
            schedule_index=i,
            amount_grosze=due["amount_grosze"],
            paid_on=date.fromisoformat(due["due_date"]),
            note="Przelew",
        )
        await contracts.record_payment(session, principal=municipality, now=now, contract_id=contract.id, data=payment)


async def load(url: str) -> str:
    engine = create_async_engine(url)
    try:
        async with async_sessionmaker(engine, expire_on_commit=False)() as session, session.begin():
            now = datetime.now(UTC)
            result = await load_into(session, now)
            later = await load_later_stages(session, now)
    finally:
        await engine.dispose()
    return (
        f"{result['municipalities']} municipalities, {result['calls'] + later['calls']} calls, "
        f"{result['offers']} offers, {later['contracts']} contracts added"
    )
