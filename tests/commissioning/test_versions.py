"""Every write counts once: a write raises its resource's version (the ETag) by exactly one, however many steps
it takes, and sets its updated_at to the service's clock; ten writers with one ETag at once: one wins."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from services.commissioning.worker import run_due_events
from shared.db import database_of
from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import STARACHOWICE, provider
from tests.commissioning.factories import (
    ANSWERS,
    EWA,
    as_gmina,
    awarded_and_signed,
    call_body,
    committed_call,
    draft,
    merit,
    municipality,
    need,
    open_call,
    opened_call_with_offers,
    sign,
)

Write = Callable[[], Awaitable[dict[str, Any]]]  # the write; the resource as it then is
Case = Callable[[httpx.AsyncClient, httpx.AsyncClient, Any, Any], Awaitable[tuple[dict[str, Any], Write]]]


async def ok(response: Awaitable[httpx.Response]) -> dict[str, Any]:
    answered = await response
    assert answered.status_code in (200, 201), answered.text
    return dict(answered.json())


def read_call(api: httpx.AsyncClient, call: dict[str, Any]) -> Awaitable[dict[str, Any]]:
    return ok(api.get(f"/v1/calls/{call['id']}", headers=STARACHOWICE))


async def draft_patch(api, client, clock, app):
    await municipality(api)
    call = await draft(api, await need(api, client))
    patch = {"title": "Konkurs: usługi opiekuńcze 2026–2027"}
    return call, lambda: ok(api.patch(f"/v1/calls/{call['id']}", json=patch, headers=as_gmina(call)))


async def draft_lots(api, client, clock, app):
    await municipality(api)
    call = await draft(api, await need(api, client))
    lots = {"lots": [{"title": "Usługi opiekuńcze", "quantity": 10_000, "value_grosze": 40_000_000}]}
    return call, lambda: ok(api.patch(f"/v1/calls/{call['id']}", json=lots, headers=as_gmina(call)))


async def publication(api, client, clock, app):
    await municipality(api)
    call = await draft(api, await need(api, client))
    return call, lambda: ok(api.post(f"/v1/calls/{call['id']}/publication", headers=STARACHOWICE))


async def call_amendment(api, client, clock, app):
    await municipality(api)
    call = await open_call(api, await need(api, client))
    amendment = {"description": "Doprecyzowanie opisu przedmiotu"}

    async def write() -> dict[str, Any]:
        await ok(api.post(f"/v1/calls/{call['id']}/amendments", json=amendment, headers=STARACHOWICE))
        return await read_call(api, call)

    return call, write


async def answer(api, client, clock, app):
    await municipality(api)
    call = await open_call(api, await need(api, client))
    url = f"/v1/calls/{call['id']}/questions"
    asked = await ok(api.post(url, json={"question": "Czy można składać oferty wspólne?"}, headers=provider(NGO)))

    async def write() -> dict[str, Any]:
        await ok(api.put(f"{url}/{asked['id']}/answer", json={"answer": "Tak."}, headers=STARACHOWICE))
        return await read_call(api, call)

    return await read_call(api, call), write


async def cancellation(api, client, clock, app):
    await municipality(api)
    call = await open_call(api, await need(api, client))
    reason = {"reason": "Brak środków w budżecie"}
    return call, lambda: ok(api.post(f"/v1/calls/{call['id']}/cancellation", json=reason, headers=STARACHOWICE))


async def municipality_details(api, client, clock, app):
    made = await municipality(api)
    details = {"name": made["name"], "cus_name": made["cus_name"], "phone": "+48 41 273 00 00"}
    return made, lambda: ok(api.put("/v1/municipalities/2611011", json=details, headers=as_gmina(made)))


async def _scored(api, client, clock):
    call, providers, offers = await opened_call_with_offers(api, client, clock)
    clock.set(datetime.fromisoformat(call["deadline"]))
    await ok(
        api.post(
            f"/v1/calls/{call['id']}/declarations",
            json={"provider_id": providers[0]["id"], "conflict": False},
            headers=EWA,
        )
    )
    checked = await ok(
        api.put(f"/v1/offers/{offers[0]['id']}/formal-check", json={"passed": True}, headers=STARACHOWICE)
    )
    return offers[0], checked


async def formal_check(api, client, clock, app):
    offer, checked = await _scored(api, client, clock)
    again = {"passed": False, "reasons": ["brak podpisu osoby upoważnionej"]}
    url = f"/v1/offers/{offer['id']}/formal-check"
    return checked, lambda: ok(api.put(url, json=again, headers=as_gmina(checked)))


async def score_sheet(api, client, clock, app):
    offer, _ = await _scored(api, client, clock)
    url = f"/v1/offers/{offer['id']}/scores"
    sheet = await ok(api.put(url, json=merit(90, 50), headers=EWA))
    return sheet, lambda: ok(api.put(url, json=merit(80, 50), headers={**EWA, "If-Match": f'"{sheet["version"]}"'}))


async def _awaiting_signature(api, client, clock, app):
    contract, own = await awarded_and_signed(api, client, clock, mode="open-competition", value_pln=200_000, days=300)
    clock.advance(days=30)  # past the standstill
    await run_due_events(database_of(app).write, clock)
    return await ok(api.get(f"/v1/contracts/{contract['id']}")), own


async def contract_signature(api, client, clock, app):
    contract, _ = await _awaiting_signature(api, client, clock, app)
    signature = {"number": "CUS.526.1.2026", "signed_on": clock.now().date().isoformat()}
    url = f"/v1/contracts/{contract['id']}/signature"
    return contract, lambda: ok(api.post(url, json=signature, headers=as_gmina(contract)))


async def contract_amendment(api, client, clock, app):
    contract, own = await _awaiting_signature(api, client, clock, app)
    signed = await sign(api, contract["id"], own, clock.now().date())
    annex = {"reason": "Zmiana harmonogramu", "value_grosze": signed["value_grosze"]}  # restates the value
    url = f"/v1/contracts/{signed['id']}/amendments"
    return signed, lambda: ok(api.post(url, json=annex, headers=as_gmina(signed)))


async def offer_revision(api, client, clock, app):
    await municipality(api)
    call = await open_call(api, await need(api, client))
    ngo = await verified_provider(client)
    body = {"total_price_grosze": 40_000_000, "quantity": 12_000, "answers": ANSWERS}
    made = await ok(
        api.post(
            f"/v1/calls/{call['id']}/offers",
            json={**body, "lot_id": call["lots"][0]["id"]},
            headers=provider(ngo["id"]),
        )
    )
    headers = {**provider(ngo["id"]), "If-Match": f'"{made["version"]}"'}
    return made, lambda: ok(api.put(f"/v1/offers/{made['id']}", json={**body, "quantity": 11_000}, headers=headers))


NGO = "6b5f8a5e-0000-4000-8000-000000000001"
CASES: dict[str, Case] = {
    case.__name__: case
    for case in (
        draft_patch,
        draft_lots,
        publication,
        call_amendment,
        answer,
        cancellation,
        municipality_details,
        formal_check,
        score_sheet,
        contract_signature,
        contract_amendment,
        offer_revision,
    )
}


@pytest.mark.parametrize("case", CASES)
async def test_a_write_raises_the_version_by_one_and_stamps_the_clocks_time(
    api, client, clock, commissioning_app, case
):
    before, write = await CASES[case](api, client, clock, commissioning_app)
    clock.advance(hours=1, seconds=7)  # a write some time after the resource was read
    after = await write()
    assert after["version"] == before["version"] + 1
    if "updated_at" in after:
        assert datetime.fromisoformat(after["updated_at"]) == clock.now()


async def test_ten_writers_of_a_draft_with_one_etag_at_once_one_wins(
    commissioning_app, commissioning_engine, catalogue_app, catalogue_engine
):
    """Real commits, each request its own connection; the clock moves between them."""
    apps = (commissioning_app, commissioning_engine, catalogue_app, catalogue_engine)
    async with committed_call(*apps, terc="2611042", name="Gmina Pawłów", providers=0) as setup:
        api, gmina = setup.api, setup.municipality
        made = await api.post("/v1/calls", json=call_body(setup.call["need_id"]), headers=gmina)
        assert made.status_code == 201, made.text
        setup.clock.advance(minutes=5)
        url, headers = f"/v1/calls/{made.json()['id']}", {**gmina, "If-Match": made.headers["etag"]}
        patches = [{"title": f"Konkurs: usługi opiekuńcze, wersja {i}"} for i in range(10)]
        answers = await asyncio.gather(*(api.patch(url, json=patch, headers=headers) for patch in patches))
        assert sorted(a.status_code for a in answers) == [200] + [412] * 9, [a.text for a in answers]
        won = next(a for a in answers if a.status_code == 200)
        stored = await api.get(url, headers=gmina)
        assert won.headers["etag"] == stored.headers["etag"] == '"2"'
        assert stored.json()["title"] == won.json()["title"]
        assert datetime.fromisoformat(stored.json()["updated_at"]) == setup.clock.now()
        assert setup.clock.now() - datetime.fromisoformat(made.json()["updated_at"]) == timedelta(minutes=5)
