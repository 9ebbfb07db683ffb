"""Small async factories through the API, as a municipality would work."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from services.commissioning.clock import Clock, FrozenClock
from services.commissioning.dependencies import state_of
from services.commissioning.standing import service as standing
from shared.auth import Role, ServiceCredential
from shared.db import create_sessionmaker, database_of
from tests.catalogue.conftest import ADMIN as CATALOGUE_ADMIN
from tests.catalogue.conftest import new_provider_user
from tests.catalogue.factories import provider_payload, service_type_id, verified_provider
from tests.commissioning.conftest import ADMIN, KIELCE, STARACHOWICE, START, auth, provider
from tests.conftest import asgi_client

EWA = auth(Role.EVALUATOR, subject="ewa@cus.pl")
HEADERS = {"2611011": STARACHOWICE, "2661011": KIELCE}
NAMES = {"2611011": "Gmina Starachowice", "2661011": "Miasto Kielce"}

CRITERIA = [
    {"code": "price", "name": "cena", "kind": "price", "weight": 40},
    {"code": "quality", "name": "jakość usług", "kind": "quality", "weight": 40},
    {"code": "social", "name": "zatrudnienie osób wykluczonych", "kind": "social", "weight": 20},
]
ANSWERS = {"quality": "Opiekunki z certyfikatem, koordynator dostępny 7 dni w tygodniu.", "social": 40}


async def municipality(api: httpx.AsyncClient, terc: str = "2611011") -> dict[str, Any]:
    body = {"terc": terc, "name": NAMES[terc], "cus_name": f"Centrum Usług Społecznych – {NAMES[terc]}"}
    response = await api.post("/v1/municipalities", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def need(
    api: httpx.AsyncClient,
    catalogue: httpx.AsyncClient,
    *,
    terc: str = "2611011",
    value_pln: int = 500_000,
    days: int = 300,
    service: str = "care-services",
    start: date = date(2026, 6, 1),
) -> dict[str, Any]:
    body = {
        "title": "Usługi opiekuńcze dla seniorów",
        "service_type_id": await service_type_id(catalogue, service),
        "quantity": 12_000,
        "estimated_value_grosze": value_pln * 100,
        "period_start": start.isoformat(),
        "period_end": (start + timedelta(days=days - 1)).isoformat(),
        "notes": "Diagnoza potrzeb: 140 osób 75+.",
    }
    response = await api.post(f"/v1/municipalities/{terc}/needs", json=body, headers=HEADERS[terc])
    assert response.status_code == 201, response.text
    return dict(response.json())


def call_body(
    need_id: str,
    *,
    mode: str = "open-competition",
    deadline_days: float = 30,
    value_pln: int = 500_000,
    **overrides: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "need_id": need_id,
        "title": "Konkurs: usługi opiekuńcze 2026",
        "mode": mode,
        "lots": [{"title": "Usługi opiekuńcze", "quantity": 12_000, "value_grosze": value_pln * 100}],
        "criteria": CRITERIA,
        "deadline": (START + timedelta(days=deadline_days)).isoformat(),
    }
    body.update(overrides)
    return body


async def draft(api: httpx.AsyncClient, need_: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    terc = need_["municipality_terc"]
    response = await api.post("/v1/calls", json=call_body(need_["id"], **kwargs), headers=HEADERS[terc])
    assert response.status_code == 201, response.text
    return dict(response.json())


async def open_call(api: httpx.AsyncClient, need_: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    call = await draft(api, need_, **kwargs)
    published = await api.post(f"/v1/calls/{call['id']}/publication", headers=HEADERS[need_["municipality_terc"]])
    assert published.status_code == 200, published.text
    return dict(published.json())


async def setup_open_call(api: httpx.AsyncClient, catalogue: httpx.AsyncClient, **kwargs: Any) -> dict[str, Any]:
    await municipality(api)
    return await open_call(api, await need(api, catalogue), **kwargs)


@dataclass
class CommittedCall:
    """A published call and verified providers, committed for real (races need real transactions)."""

    api: httpx.AsyncClient
    clock: FrozenClock
    call: dict[str, Any]
    providers: list[str]
    municipality: dict[str, str]  # the municipality's Authorization header
    told: bool = False  # commissioning holds the bidders' standing fresh, as a running one does

    def use_clock(self, clock: Clock) -> None:
        state_of(self.api._transport.app).clock = clock  # type: ignore[attr-defined]

    async def hold_fresh_standings(self, at: datetime) -> None:
        """Commissioning reads its bidders' standing from the catalogue as of `at`, as its refresher does."""
        app = self.api._transport.app  # type: ignore[attr-defined]
        bidders = [uuid.UUID(p) for p in self.providers]
        async with database_of(app).unit_of_work() as session:
            held = await state_of(app).standings.ask(session, bidders, at, {})
        assert set(held) == set(bidders)


@asynccontextmanager
async def committed_call(
    commissioning_app: Any,
    commissioning_engine: Any,
    catalogue_app: Any,
    catalogue_engine: Any,
    *,
    terc: str,
    name: str,
    providers: int,
    told: bool = False,
) -> AsyncIterator[CommittedCall]:
    """Verified providers in the catalogue, a municipality, its need and a published open competition, all
    committed with a frozen clock; everything is deleted afterwards and the app's clock put back. `told`:
    commissioning has read the providers' standing from the catalogue's events (as a running one has), so an
    offer is decided without asking the catalogue."""
    original_clock = state_of(commissioning_app).clock
    clock = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    state_of(commissioning_app).clock = clock
    nips: list[str] = []
    ids: list[str] = []
    municipality = auth(Role.MUNICIPALITY, subject=f"cus-{terc}", terc=terc)
    try:
        async with (
            asgi_client(catalogue_app, "http://catalogue") as cat,
            asgi_client(commissioning_app, "http://commissioning") as api,
        ):
            for _ in range(providers):
                payload = provider_payload()
                nips.append(payload["nip"])
                made = (await cat.post("/v1/providers", json=payload, headers=new_provider_user())).json()
                verified = await cat.post(
                    f"/v1/providers/{made['id']}/status-changes", json={"action": "verify"}, headers=CATALOGUE_ADMIN
                )
                assert verified.status_code == 201, verified.text
                ids.append(made["id"])
            if told:
                await read_standing(commissioning_engine, catalogue_app)
            body = {"terc": terc, "name": name, "cus_name": f"GOPS {name}"}
            created = await api.post("/v1/municipalities", json=body, headers=ADMIN)
            assert created.status_code == 201, created.text
            need = await api.post(
                f"/v1/municipalities/{terc}/needs",
                headers=municipality,
                json={
                    "title": "Usługi opiekuńcze",
                    "service_type_id": await service_type_id(cat, "care-services"),
                    "quantity": 1000,
                    "estimated_value_grosze": 5_000_000,
                    "period_start": "2026-06-01",
                    "period_end": "2026-12-31",
                },
            )
            call = (await api.post("/v1/calls", json=call_body(need.json()["id"]), headers=municipality)).json()
            published = await api.post(f"/v1/calls/{call['id']}/publication", headers=municipality)
            assert published.status_code == 200, published.text
            committed = CommittedCall(api, clock, published.json(), ids, municipality, told)
            if told:
                await committed.hold_fresh_standings(clock.now())
            yield committed
    finally:
        state_of(commissioning_app).clock = original_clock
        async with commissioning_engine.begin() as conn:
            await conn.execute(text("DELETE FROM idempotency_records"))
            await conn.execute(text("DELETE FROM outbox_events WHERE municipality_terc = :t"), {"t": terc})
            await conn.execute(text("DELETE FROM calls WHERE municipality_terc = :t"), {"t": terc})
            await conn.execute(text("DELETE FROM needs WHERE municipality_terc = :t"), {"t": terc})
            await conn.execute(text("DELETE FROM municipalities WHERE terc = :t"), {"t": terc})
            await conn.execute(text("DELETE FROM provider_standings WHERE provider_id = ANY(:p)"), {"p": ids})
            if told:
                for table in ("provider_standings", "provider_memberships", "feed_positions", "applied_events"):
                    await conn.execute(text(f"DELETE FROM {table}"))
        async with catalogue_engine.begin() as conn:
            await conn.execute(text("DELETE FROM outbox_events WHERE provider_id = ANY(:p)"), {"p": ids})
            await conn.execute(text("DELETE FROM providers WHERE nip = ANY(:n)"), {"n": nips})


async def sign(api: httpx.AsyncClient, contract_id: str, provider_headers: dict[str, str], on: date) -> dict[str, Any]:
    """After the standstill: the municipality signs (number, date), the provider confirms."""
    contract = (await api.get(f"/v1/contracts/{contract_id}")).json()
    terc = contract["municipality_terc"]
    by_gmina = await api.post(
        f"/v1/contracts/{contract_id}/signature",
        json={"number": f"CUS.526.{contract_id[:4]}", "signed_on": on.isoformat()},
        headers={**HEADERS[terc], "If-Match": f'"{contract["version"]}"'},
    )
    assert by_gmina.status_code == 200, by_gmina.text
    confirmed = await api.post(
        f"/v1/contracts/{contract_id}/confirmation", headers={**provider_headers, "If-Match": by_gmina.headers["etag"]}
    )
    assert confirmed.status_code == 200, confirmed.text
    return dict(confirmed.json())


async def read_standing(commissioning_engine: Any, catalogue_app: Any) -> None:
    """Commissioning reads the catalogue's change feed to its end, with its service credential (verifications,
    the providers' facts, members), as its background consumer does."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=catalogue_app),
        base_url="http://catalogue",
        auth=ServiceCredential("service:commissioning"),
    ) as credentialed:
        reader = standing.consumer(create_sessionmaker(commissioning_engine), credentialed)
        while await reader.pass_once():
            pass


async def offer(api, call: dict, provider_id: str, price_pln: int) -> httpx.Response:
    """A provider's offer for the call's first lot, 100 units at this price."""
    body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": price_pln * 100, "quantity": 100, "answers": ANSWERS}
    return await api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(provider_id))


async def award_the_only_offer(api, call: dict, reason: str = "Oferta zgodna z regulaminem.") -> tuple[Any, Any]:
    """After the deadline: the call's one offer passes the formal check and wins its lot; the decision's answer
    and the offer."""
    gmina = HEADERS[call["municipality_terc"]]
    offers = (await api.get(f"/v1/calls/{call['id']}/offers", headers=gmina)).json()["items"]
    await api.put(f"/v1/offers/{offers[0]['id']}/formal-check", json={"passed": True}, headers=gmina)
    decided = await api.post(
        f"/v1/calls/{call['id']}/lots/{call['lots'][0]['id']}/award-decision",
        json={"winners": [{"offer_id": offers[0]["id"]}], "reason": reason},
        headers=gmina,
    )
    return decided, offers[0]


def merit(quality: int, social: int) -> dict:
    """A member's score sheet: these merit scores, justified."""
    return {
        "scores": {
            "quality": {"score": quality, "justification": "Ocena jakości wg regulaminu"},
            "social": {"score": social, "justification": "Udział osób wykluczonych"},
        }
    }


async def opened_call_with_offers(
    api, client, clock, prices=(48_000_000, 45_000_000, 50_000_000)
) -> tuple[Any, Any, Any]:
    """An open call with one offer for each price from its own verified provider, and a committee of two
    evaluators (Ewa, Jan): the call, the providers and the offers."""
    call = await setup_open_call(api, client)
    providers = [await verified_provider(client) for _ in prices]
    offers = []
    for p, price in zip(providers, prices, strict=True):
        body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": price, "quantity": 12_000, "answers": ANSWERS}
        response = await api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(p["id"]))
        assert response.status_code == 201, response.text
        offers.append(response.json())
    for member in (
        {"subject": "ewa@cus.pl", "name": "Ewa Nowak"},
        {"subject": "jan@ngo.pl", "name": "Jan Kowal", "nominated_by": "Fundacja Razem"},
    ):
        added = await api.post(f"/v1/calls/{call['id']}/committee", json=member, headers=STARACHOWICE)
        assert added.status_code == 201, added.text
    return call, providers, offers


async def awarded_and_signed(api, client, clock, *, mode: str, value_pln: int, days: int) -> tuple[dict, dict]:
    """A call in `mode` with one offer, awarded; its contract and the provider's headers."""
    await municipality(api)
    ngo = await verified_provider(client)
    need_ = await need(api, client, value_pln=value_pln, days=days)
    call = await open_call(api, need_, mode=mode, deadline_days=30, value_pln=value_pln)
    assert (await offer(api, call, ngo["id"], value_pln)).status_code == 201
    clock.set(datetime.fromisoformat(call["deadline"]))
    decided, _ = await award_the_only_offer(api, call)
    assert decided.status_code == 201, decided.text
    contract = (await api.get(f"/v1/contracts/{decided.json()['winners'][0]['contract_id']}")).json()
    return contract, provider(ngo["id"])


def as_gmina(resource: dict) -> dict[str, str]:
    return {**STARACHOWICE, "If-Match": f'"{resource["version"]}"'}
