"""Races after the deadline on real PostgreSQL with real commits: concurrent awards of one lot give exactly one
award, and two evaluators saving at once keep both their scores."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.dependencies import state_of
from shared.auth import Role
from tests.commissioning.conftest import auth, provider
from tests.commissioning.factories import ANSWERS, committed_call

MIRZEC = "2611032"
MIRZEC_CUS = auth(Role.MUNICIPALITY, subject=f"cus-{MIRZEC}", terc=MIRZEC)
EVALUATORS = [auth(Role.EVALUATOR, subject=f"member-{i}@mirzec.pl") for i in range(2)]


@pytest.fixture
async def opened(
    commissioning_app: Any, commissioning_engine: Any, catalogue_app: Any, catalogue_engine: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, Any], list[dict[str, Any]]]]:
    """A published call with two formally checked offers and a two-member committee, all committed; the clock
    past the deadline. Everything is deleted afterwards."""
    async with committed_call(
        commissioning_app,
        commissioning_engine,
        catalogue_app,
        catalogue_engine,
        terc=MIRZEC,
        name="Gmina Mirzec",
        providers=2,
    ) as setup:
        api, call = setup.api, setup.call
        for i in range(2):
            await api.post(
                f"/v1/calls/{call['id']}/committee",
                json={"subject": f"member-{i}@mirzec.pl", "name": f"Członek {i}"},
                headers=MIRZEC_CUS,
            )
        offers = []
        for p, price in zip(setup.providers, (4_000_000, 4_500_000), strict=True):
            body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": price, "quantity": 1000, "answers": ANSWERS}
            offers.append((await api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(p))).json())
        setup.clock.set(datetime.fromisoformat(call["deadline"]))
        for offer in offers:
            await api.put(f"/v1/offers/{offer['id']}/formal-check", json={"passed": True}, headers=MIRZEC_CUS)
            for evaluator in EVALUATORS:
                await api.post(
                    f"/v1/calls/{call['id']}/declarations",
                    json={"provider_id": offer["provider_id"], "conflict": False},
                    headers=evaluator,
                )
        yield api, call, offers


async def test_concurrent_awards_of_one_lot_give_exactly_one_award(opened, commissioning_engine):
    api, call, offers = opened
    url = f"/v1/calls/{call['id']}/lots/{call['lots'][0]['id']}/award-decision"
    bodies = [{"winners": [{"offer_id": offers[i % 2]["id"]}], "reason": f"Decyzja nr {i}"} for i in range(8)]
    responses = await asyncio.gather(*(api.post(url, json=b, headers=MIRZEC_CUS) for b in bodies))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7, [r.text for r in responses]
    async with commissioning_engine.connect() as conn:
        awards = await conn.scalar(text("SELECT count(*) FROM awards WHERE call_id = :c"), {"c": call["id"]})
        contracts = await conn.scalar(text("SELECT count(*) FROM contracts WHERE call_id = :c"), {"c": call["id"]})
    assert awards == 1 and contracts == 1


async def test_two_evaluators_saving_at_once_keep_both_scores(opened):
    api, _call, offers = opened
    url = f"/v1/offers/{offers[0]['id']}/scores"

    def scores(points: int) -> dict[str, Any]:
        return {
            "scores": {
                "quality": {"score": points, "justification": "Ocena członka komisji"},
                "social": {"score": points, "justification": "Ocena członka komisji"},
            }
        }

    first = await asyncio.gather(
        api.put(url, json=scores(70), headers=EVALUATORS[0]), api.put(url, json=scores(90), headers=EVALUATORS[1])
    )
    assert [r.status_code for r in first] == [201, 201]
    # both edit again at once, each from the version they read: neither loses anything
    again = await asyncio.gather(
        api.put(url, json=scores(75), headers={**EVALUATORS[0], "If-Match": first[0].headers["etag"]}),
        api.put(url, json=scores(95), headers={**EVALUATORS[1], "If-Match": first[1].headers["etag"]}),
    )
    assert [r.status_code for r in again] == [200, 200]
    # one evaluator saving twice from the same version: one wins, the other is told (412)
    twice = await asyncio.gather(
        api.put(url, json=scores(10), headers={**EVALUATORS[0], "If-Match": again[0].headers["etag"]}),
        api.put(url, json=scores(20), headers={**EVALUATORS[0], "If-Match": again[0].headers["etag"]}),
    )
    assert sorted(r.status_code for r in twice) == [200, 412]
    sheets = (await api.get(url, headers=MIRZEC_CUS)).json()["items"]
    by_member = {s["version"]: s["scores"]["quality"]["score"] for s in sheets}
    assert len(sheets) == 2 and 95 in by_member.values()
    assert {s["scores"]["quality"]["score"] for s in sheets} & {10, 20}


class SlowTransport(httpx.AsyncBaseTransport):
    """The catalogue, answering after a delay."""

    def __init__(self, inner: httpx.AsyncBaseTransport, delay: float) -> None:
        self.inner, self.delay = inner, delay

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self.delay)
        return await self.inner.handle_async_request(request)


async def test_an_award_waiting_for_the_catalogue_does_not_hold_the_call(opened, commissioning_app, catalogue_app):
    api, call, offers = opened
    state = state_of(commissioning_app)
    working = state.catalogue
    state.catalogue = CatalogueClient(
        "http://catalogue", timeout=5, transport=SlowTransport(httpx.ASGITransport(app=catalogue_app), 1.0)
    )
    try:
        url = f"/v1/calls/{call['id']}/lots/{call['lots'][0]['id']}/award-decision"
        body = {"winners": [{"offer_id": offers[0]["id"]}], "reason": "Najniższa cena"}
        deciding = asyncio.create_task(api.post(url, json=body, headers=MIRZEC_CUS))
        await asyncio.sleep(0.3)  # the decision is now waiting for the catalogue
        started = time.perf_counter()
        member = {"subject": "late-member@mirzec.pl", "name": "Członek dopisany"}
        added = await api.post(f"/v1/calls/{call['id']}/committee", json=member, headers=MIRZEC_CUS)
        waited = time.perf_counter() - started
        assert added.status_code == 201 and waited < 0.5, waited  # the call's lock was not held meanwhile
        assert (await deciding).status_code == 201
    finally:
        await state.catalogue.close()
        state.catalogue = working
