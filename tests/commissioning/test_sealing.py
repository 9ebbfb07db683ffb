"""Nothing of a sealed offer leaks before the deadline: not its content, not whether there is one. Public figures
that depend on offers (calls without offers) count a call only once its deadline has passed by the clock."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import provider
from tests.commissioning.factories import ANSWERS, setup_open_call


def figures(body: dict) -> tuple[int, int]:
    return body["calls_closed"], body["calls_without_offers"]


async def test_public_figures_do_not_move_when_a_sealed_offer_arrives(api, client, clock):
    call = await setup_open_call(api, client)
    deadline = datetime.fromisoformat(call["deadline"])
    period = {"municipality": "2611011", "from": "2026-01-01", "to": (deadline + timedelta(days=1)).date().isoformat()}

    async def public() -> tuple[tuple[int, int], dict]:
        monitoring = (await api.get("/v1/monitoring", params=period)).json()
        summary = (await api.get("/v1/municipalities/2611011/summary")).json()
        return figures(monitoring), summary["indicators"]

    before = await public()
    assert before[0] == (0, 0)  # an open call is not closed, with or without offers
    coop = await verified_provider(client)
    body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": 48_000_000, "quantity": 12_000, "answers": ANSWERS}
    assert (
        await api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(coop["id"]))
    ).status_code == 201
    assert await public() == before

    clock.set(deadline)  # the worker has not run: the clock alone decides
    monitoring = (await api.get("/v1/monitoring", params=period)).json()
    assert figures(monitoring) == (1, 0)


async def test_a_call_without_offers_counts_only_after_its_deadline(api, client, clock):
    call = await setup_open_call(api, client)
    deadline = datetime.fromisoformat(call["deadline"])
    period = {"municipality": "2611011", "from": "2026-01-01", "to": "2026-12-31"}
    assert figures((await api.get("/v1/monitoring", params=period)).json()) == (0, 0)
    clock.set(deadline - timedelta(seconds=1))
    assert figures((await api.get("/v1/monitoring", params=period)).json()) == (0, 0)
    clock.set(deadline)
    assert figures((await api.get("/v1/monitoring", params=period)).json()) == (1, 1)


async def test_monitoring_takes_the_widest_dates(api):
    for start, end in (("0001-01-01", "9999-12-31"), ("9999-12-31", "9999-12-31"), ("0001-01-01", "0001-01-01")):
        answer = await api.get("/v1/monitoring", params={"voivodeship": "26", "from": start, "to": end})
        assert answer.status_code == 200, answer.text
