"""Who may not do what, every role against every sensitive operation of a call, before and after its deadline:
each refusal is a problem, and no answer to anyone but the bidder itself carries anything derived from a sealed
offer (its id, its price, its bidder, how many there are)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from shared.auth import Role
from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import ADMIN, KIELCE, STARACHOWICE, auth, provider
from tests.commissioning.factories import ANSWERS, setup_open_call

MEMBER = auth(Role.EVALUATOR, subject="member@cus.pl")
NON_MEMBER = auth(Role.EVALUATOR, subject="stranger@cus.pl")
REGIONAL = auth(Role.REGIONAL, subject="rops", voivodeship="26")
ANONYMOUS: dict[str, str] = {}


async def sealed_call(api, client) -> dict[str, Any]:
    """An open call with two sealed offers (bidders A and B), a committee member, and a provider that did not bid."""
    call = await setup_open_call(api, client)
    a, b, c = [await verified_provider(client) for _ in range(3)]
    offers = {}
    for bidder, price in ((a, 48_111_111), (b, 47_222_222)):
        body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": price, "quantity": 12_000, "answers": ANSWERS}
        made = await api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(bidder["id"]))
        assert made.status_code == 201, made.text
        offers[bidder["id"]] = made.json()
    member = {"subject": "member@cus.pl", "name": "Członek Komisji"}
    assert (await api.post(f"/v1/calls/{call['id']}/committee", json=member, headers=STARACHOWICE)).status_code == 201
    return {"call": call, "a": a, "b": b, "c": c, "offers": offers}


def secrets_of(world: dict[str, Any], but_for: str | None = None) -> list[str]:
    """What must not appear in an answer: the offers' ids and prices, and who bid (except the caller's own)."""
    found = []
    for provider_id, offer in world["offers"].items():
        if provider_id == but_for:
            continue
        found += [offer["id"], str(offer["total_price_grosze"]), provider_id]
    return found


def assert_no_secret(answer: Any, world: dict[str, Any], but_for: str | None = None) -> None:
    text = answer.text
    for secret in secrets_of(world, but_for):
        assert secret not in text, (answer.request.method, str(answer.request.url), secret)


def assert_refused(answer: Any, *statuses: int) -> None:
    assert answer.status_code in statuses, (answer.request.method, str(answer.request.url), answer.status_code)
    assert answer.headers["content-type"] == "application/problem+json"


async def test_before_the_deadline_nobody_but_each_bidder_sees_anything_of_the_offers(api, client, clock):
    world = await sealed_call(api, client)
    call, a, b, c = world["call"], world["a"], world["b"], world["c"]
    cid, lot = call["id"], call["lots"][0]["id"]
    offer_a, offer_b = world["offers"][a["id"]], world["offers"][b["id"]]
    outsiders = {
        "anonymous": ANONYMOUS,
        "own municipality": STARACHOWICE,
        "other municipality": KIELCE,
        "committee member": MEMBER,
        "other evaluator": NON_MEMBER,
        "regional": REGIONAL,
        "admin": ADMIN,
        "provider that did not bid": provider(c["id"]),
    }
    for who, headers in outsiders.items():
        # the offers themselves, their list, the committee's views: refused (a provider lists its own: none)
        listed = await api.get(f"/v1/calls/{cid}/offers", headers=headers)
        if headers is outsiders["provider that did not bid"]:
            assert listed.status_code == 200 and listed.json()["items"] == [] and listed.json()["total"] == 0
        else:
            assert_refused(listed, 401, 403, 404)
        for offer in (offer_a, offer_b):
            assert_refused(await api.get(f"/v1/offers/{offer['id']}", headers=headers), 401, 404)
            assert_refused(await api.get(f"/v1/offers/{offer['id']}/scores", headers=headers), 401, 403, 404)
        assert_refused(await api.get(f"/v1/calls/{cid}/bidders", headers=headers), 401, 403, 404)
        assert_refused(await api.get(f"/v1/calls/{cid}/lots/{lot}/ranking", headers=headers), 401, 403, 404)
        # the public reads of the call and everything built on it: nothing derived from the offers
        for path, params in (
            (f"/v1/calls/{cid}", {}),
            (f"/v1/calls/{cid}/history", {}),
            (f"/v1/calls/{cid}/questions", {}),
            (f"/v1/calls/{cid}/results", {}),
            ("/v1/calls", {"municipality": "2611011"}),
            ("/v1/offers", {}),
            ("/v1/contracts", {}),
            ("/v1/municipalities/2611011/summary", {}),
            ("/v1/monitoring", {"municipality": "2611011", "from": "2026-01-01", "to": "2026-12-31"}),
            ("/v1/monitoring", {"voivodeship": "26", "from": "2026-01-01", "to": "2026-12-31"}),
            ("/ocds/releases", {}),
            (f"/ocds/records/{call['ocid']}", {}),
        ):
            answer = await api.get(path, params=params, headers=headers)
            assert answer.status_code in (200, 401, 403), (who, path, answer.text)
            assert_no_secret(answer, world)
        record = await api.get(f"/v1/track-records/{a['id']}", headers=headers)  # names A: it is about A
        assert offer_a["id"] not in record.text and str(offer_a["total_price_grosze"]) not in record.text
        assert record.json()["awards"] == [], who
        ocds = (await api.get(f"/ocds/records/{call['ocid']}", headers=headers)).json()
        assert "numberOfTenderers" not in json.dumps(ocds) and '"bids"' not in json.dumps(ocds), who
    # the municipality amends: its answer says nothing of the offers either
    amended = await api.post(
        f"/v1/calls/{cid}/amendments", json={"description": "Doprecyzowanie opisu"}, headers=STARACHOWICE
    )
    assert amended.status_code == 201 and "offer" not in amended.text
    # each bidder sees its own offer, and only its own
    for bidder, own, other in ((a, offer_a, offer_b), (b, offer_b, offer_a)):
        mine = await api.get(f"/v1/calls/{cid}/offers", headers=provider(bidder["id"]))
        assert [o["id"] for o in mine.json()["items"]] == [own["id"]] and mine.json()["total"] == 1
        assert_no_secret(mine, world, but_for=bidder["id"])
        assert (await api.get(f"/v1/offers/{own['id']}", headers=provider(bidder["id"]))).status_code == 200
        assert_refused(await api.get(f"/v1/offers/{other['id']}", headers=provider(bidder["id"])), 404)
        assert_refused(await api.put(f"/v1/offers/{other['id']}", json={}, headers=provider(bidder["id"])), 404, 422)
        assert_refused(await api.delete(f"/v1/offers/{other['id']}", headers=provider(bidder["id"])), 404)


async def test_after_the_deadline_the_municipality_and_cleared_members_only(api, client, clock):
    world = await sealed_call(api, client)
    call, a, b = world["call"], world["a"], world["b"]
    cid, lot = call["id"], call["lots"][0]["id"]
    clock.set(datetime.fromisoformat(call["deadline"]))
    assert (await api.get(f"/v1/calls/{cid}/offers", headers=STARACHOWICE)).json()["total"] == 2
    assert (await api.get(f"/v1/calls/{cid}/offers", headers=provider(world["c"]["id"]))).json()["items"] == []
    for headers in (KIELCE, NON_MEMBER, REGIONAL, ANONYMOUS):
        assert_refused(await api.get(f"/v1/calls/{cid}/offers", headers=headers), 401, 403, 404)
        assert_refused(await api.get(f"/v1/calls/{cid}/lots/{lot}/ranking", headers=headers), 401, 403, 404)
    # the member declares a conflict with A, none with B: it reads B's offer and B's place in the ranking only
    for bidder, conflict in ((a, True), (b, False)):
        declared = await api.post(
            f"/v1/calls/{cid}/declarations", json={"provider_id": bidder["id"], "conflict": conflict}, headers=MEMBER
        )
        assert declared.status_code == 201, declared.text
    offer_a = world["offers"][a["id"]]
    assert_refused(await api.get(f"/v1/offers/{offer_a['id']}/scores", headers=MEMBER), 403)
    ranking = await api.get(f"/v1/calls/{cid}/lots/{lot}/ranking", headers=MEMBER)
    assert [r["provider_id"] for r in ranking.json()] == [b["id"]]
    assert offer_a["id"] not in ranking.text and str(offer_a["total_price_grosze"]) not in ranking.text
    # the public learns the call was closed with offers, and nothing else until the award
    summary = (await api.get("/v1/municipalities/2611011/summary")).json()
    assert summary["indicators"]["calls_closed"] == 1 and summary["indicators"]["calls_without_offers"] == 0
