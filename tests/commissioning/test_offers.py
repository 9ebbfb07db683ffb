"""Sealed offers: who may submit, receipts, the deadline by the server's clock, sealing, amendments, retries."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select

from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.dependencies import state_of
from services.commissioning.models.calls import Award, Call
from services.commissioning.models.offers import Offer
from services.commissioning.offers import service as offers_service
from services.commissioning.worker import run_due_events
from shared.db import database_of
from tests.catalogue.conftest import REGIONAL_26
from tests.catalogue.factories import register_provider, verified_provider
from tests.commissioning.conftest import KIELCE, STARACHOWICE, provider
from tests.commissioning.factories import ANSWERS, municipality, need, open_call, setup_open_call
from tests.helpers import problem


def offer_body(call: dict, **overrides) -> dict:
    return {
        "lot_id": call["lots"][0]["id"],
        "total_price_grosze": 48_000_000,
        "quantity": 12_000,
        "answers": ANSWERS,
        **overrides,
    }


async def submit(api, call, provider_id, **overrides):
    return await api.post(
        f"/v1/calls/{call['id']}/offers", json=offer_body(call, **overrides), headers=provider(provider_id)
    )


async def test_verified_eligible_provider_gets_a_receipt(api, client, clock):
    call = await setup_open_call(api, client)
    coop = await verified_provider(client)
    response = await submit(api, call, coop["id"])
    assert response.status_code == 201, response.text
    offer = response.json()
    assert offer["status"] == "submitted" and offer["provider_name"] == coop["name"]
    receipt = offer["receipt"]
    assert receipt["submitted_at"] == clock.now().isoformat().replace("+00:00", "Z")
    assert len(receipt["content_hash"]) == 64
    again = await submit(api, call, coop["id"])
    assert problem(again, 409)["offer_id"] == offer["id"]
    mine = (await api.get("/v1/offers", headers=provider(coop["id"]))).json()["items"]
    assert [o["id"] for o in mine] == [offer["id"]]


async def test_who_may_not_submit(api, client):
    call = await setup_open_call(api, client, eligibility={"min_excluded_share": 0.3})
    pending = await register_provider(client)
    body = problem(await submit(api, call, pending["id"]), 403)
    assert body["type"] == "urn:cus:problem:provider-not-verified"
    company = await verified_provider(client, legal_form="company", social_economy={"is_pes": False, "employees": 9})
    body = problem(await submit(api, call, company["id"]), 422)
    assert body["type"] == "urn:cus:problem:rule-violation"
    assert {v["rule"] for v in body["violations"]} == {"eligibility-ngo", "requirement-excluded-share"}
    low_share = await verified_provider(
        client, social_economy={"is_pes": True, "employees": 10, "excluded_employees": 1}
    )
    assert problem(await submit(api, call, low_share["id"]), 422)["violations"][0]["rule"] == (
        "requirement-excluded-share"
    )
    problem(await api.post(f"/v1/calls/{call['id']}/offers", json=offer_body(call), headers=STARACHOWICE), 403)
    problem(await api.post(f"/v1/calls/{call['id']}/offers", json=offer_body(call)), 401)
    coop = await verified_provider(client)
    missing = problem(await submit(api, call, coop["id"], answers={"quality": "tak"}), 422)
    assert missing["errors"][0]["field"] == "answers" and "social" in missing["errors"][0]["reason"]
    problem(await submit(api, call, coop["id"], lot_id=str(uuid.uuid4())), 422)
    problem(await submit(api, call, coop["id"], total_price_grosze=-5), 422)
    suspended = await verified_provider(client)
    await client.post(
        f"/v1/providers/{suspended['id']}/status-changes",
        json={"action": "suspend", "reason": "kontrola"},
        headers=REGIONAL_26,
    )
    problem(await submit(api, call, suspended["id"]), 403)


async def test_offers_are_sealed_until_the_deadline(api, client, clock, cdb):
    call = await setup_open_call(api, client)
    before = (await api.get(f"/v1/calls/{call['id']}")).json()
    history_before = (await api.get(f"/v1/calls/{call['id']}/history")).json()["items"]
    a, b = await verified_provider(client), await verified_provider(client)
    offer_a = (await submit(api, call, a["id"])).json()
    offer_b = (await submit(api, call, b["id"], total_price_grosze=45_000_000)).json()
    offers_url = f"/v1/calls/{call['id']}/offers"
    sealed = problem(await api.get(offers_url, headers=STARACHOWICE), 403)
    assert "sealed" in sealed["detail"] and "2" not in sealed["detail"].split("(")[0]
    problem(await api.get(f"/v1/offers/{offer_a['id']}", headers=STARACHOWICE), 404)
    problem(await api.get(f"/v1/offers/{offer_a['id']}", headers=provider(b["id"])), 404)
    problem(await api.get(offers_url, headers=KIELCE), 403)
    assert [o["id"] for o in (await api.get(offers_url, headers=provider(a["id"]))).json()["items"]] == [offer_a["id"]]
    after = (await api.get(f"/v1/calls/{call['id']}")).json()
    assert after["updated_at"] == before["updated_at"] and after["version"] == before["version"]
    assert (await api.get(f"/v1/calls/{call['id']}/history")).json()["items"] == history_before

    clock.set(datetime.fromisoformat(call["deadline"]))
    # the worker has not run yet: reads already say evaluation, and the offers are open to the municipality
    assert (await api.get(f"/v1/calls/{call['id']}")).json()["status"] == "evaluation"
    opened = (await api.get(offers_url, headers=STARACHOWICE)).json()["items"]
    assert {o["id"] for o in opened} == {offer_a["id"], offer_b["id"]}
    assert (await api.get(f"/v1/offers/{offer_b['id']}", headers=STARACHOWICE)).json()[
        "total_price_grosze"
    ] == 45_000_000
    problem(await api.get(offers_url, headers=KIELCE), 403)
    problem(await api.get(f"/v1/offers/{offer_a['id']}", headers=KIELCE), 404)

    app_sessions = database_of(api._transport.app).write  # the test transaction's sessions
    assert await run_due_events(app_sessions, clock) == 1
    assert await run_due_events(app_sessions, clock) == 0
    stored = await cdb.scalar(select(Call).where(Call.id == uuid.UUID(call["id"])))
    await cdb.refresh(stored)
    assert stored.status == "evaluation" and stored.next_event_at is None
    history = (await api.get(f"/v1/calls/{call['id']}/history")).json()["items"]
    assert history[-1]["kind"] == "offers-opened" and history[-1]["detail"]["offers"] == 2


async def test_the_deadline_is_enforced_by_the_clock_on_every_write(api, client, clock):
    call = await setup_open_call(api, client)
    coop = await verified_provider(client)
    offer = (await submit(api, call, coop["id"])).json()
    clock.set(datetime.fromisoformat(call["deadline"]) - timedelta(microseconds=1))
    revised = await api.put(
        f"/v1/offers/{offer['id']}",
        json={"total_price_grosze": 47_000_000, "quantity": 12_000, "answers": ANSWERS},
        headers={**provider(coop["id"]), "If-Match": '"1"'},
    )
    assert revised.status_code == 200 and revised.json()["receipt"]["content_hash"] != offer["receipt"]["content_hash"]
    clock.set(datetime.fromisoformat(call["deadline"]))  # the call is still "open" in the database
    late = await verified_provider(client)
    assert problem(await submit(api, call, late["id"]), 409)["type"] == "urn:cus:problem:deadline-passed"
    problem(
        await api.put(
            f"/v1/offers/{offer['id']}",
            json={"total_price_grosze": 1, "quantity": 1, "answers": ANSWERS},
            headers={**provider(coop["id"]), "If-Match": '"2"'},
        ),
        409,
    )
    problem(await api.delete(f"/v1/offers/{offer['id']}", headers={**provider(coop["id"]), "If-Match": '"2"'}), 409)
    problem(
        await api.post(
            f"/v1/calls/{call['id']}/questions", json={"question": "Czy jeszcze można?"}, headers=provider(coop["id"])
        ),
        409,
    )
    kept = (await api.get(f"/v1/offers/{offer['id']}", headers=STARACHOWICE)).json()
    assert kept["total_price_grosze"] == 47_000_000


async def test_withdraw_and_resubmit_before_the_deadline(api, client):
    call = await setup_open_call(api, client)
    coop = await verified_provider(client)
    own = provider(coop["id"])
    offer = (await submit(api, call, coop["id"])).json()
    problem(await api.delete(f"/v1/offers/{offer['id']}", headers=own), 428)
    withdrawn = await api.delete(f"/v1/offers/{offer['id']}", headers={**own, "If-Match": '"1"'})
    assert withdrawn.json()["status"] == "withdrawn"
    again = await submit(api, call, coop["id"], total_price_grosze=40_000_000)
    assert again.status_code == 201 and again.json()["id"] == offer["id"] and again.json()["status"] == "submitted"


async def test_amendment_invalidates_offers_and_moves_a_close_deadline(api, client, clock):
    call = await setup_open_call(api, client, deadline_days=25)
    coop = await verified_provider(client)
    offer = (await submit(api, call, coop["id"])).json()
    clock.advance(days=22)  # three days before the deadline
    body = {
        "description": "Zmiana wag kryteriów",
        "criteria": [
            {"code": "price", "name": "cena", "kind": "price", "weight": 60},
            {"code": "quality", "name": "jakość", "kind": "quality", "weight": 20},
            {"code": "social", "name": "klauzula społeczna", "kind": "social", "weight": 20},
        ],
    }
    problem(await api.post(f"/v1/calls/{call['id']}/amendments", json=body, headers=KIELCE), 403)
    amended = await api.post(f"/v1/calls/{call['id']}/amendments", json=body, headers=STARACHOWICE)
    assert amended.status_code == 201, amended.text
    amendment = amended.json()
    assert not any("offer" in key for key in amendment), "sealed: not even how many offers there are"
    assert datetime.fromisoformat(amendment["deadline_after"]) == clock.now() + timedelta(days=7)
    read = (await api.get(f"/v1/calls/{call['id']}")).json()
    assert read["criteria"][0]["weight"] == 60 and read["deadline"] == amendment["deadline_after"]
    mine = (await api.get(f"/v1/offers/{offer['id']}", headers=provider(coop["id"]))).json()
    assert mine["status"] == "needs-confirmation"
    confirmed = await api.post(f"/v1/offers/{offer['id']}/confirmation", headers=provider(coop["id"]))
    assert confirmed.json()["status"] == "submitted"
    problem(
        await api.post(
            f"/v1/calls/{call['id']}/amendments",
            json={"description": "Wcześniej", "deadline": call["deadline"]},
            headers=STARACHOWICE,
        ),
        422,
    )


async def test_idempotent_retry_returns_the_first_receipt(api, client):
    call = await setup_open_call(api, client)
    coop = await verified_provider(client)
    headers = {**provider(coop["id"]), "Idempotency-Key": "offer-7f1c2a90-retry"}
    first = await api.post(f"/v1/calls/{call['id']}/offers", json=offer_body(call), headers=headers)
    second = await api.post(f"/v1/calls/{call['id']}/offers", json=offer_body(call), headers=headers)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.headers["idempotent-replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    other = await api.post(
        f"/v1/calls/{call['id']}/offers", json=offer_body(call, total_price_grosze=1), headers=headers
    )
    assert problem(other, 422)["type"] == "urn:cus:problem:idempotency-key-reused"


async def test_catalogue_down_is_a_retryable_503_and_nothing_is_written(api, client, cdb, commissioning_app):
    call = await setup_open_call(api, client)
    coop = await verified_provider(client)
    working = state_of(commissioning_app).catalogue
    state_of(commissioning_app).catalogue = CatalogueClient("http://127.0.0.1:9", timeout=1)  # nothing listens there
    headers = {**provider(coop["id"]), "Idempotency-Key": "offer-catalogue-down-1"}
    try:
        down = await api.post(f"/v1/calls/{call['id']}/offers", json=offer_body(call), headers=headers)
    finally:
        await state_of(commissioning_app).catalogue.close()
        state_of(commissioning_app).catalogue = working
    body = problem(down, 503)
    assert body["type"] == "urn:cus:problem:catalogue-unavailable" and down.headers["retry-after"] == "5"
    assert (await cdb.scalars(select(Offer).where(Offer.call_id == uuid.UUID(call["id"])))).all() == []
    retried = await api.post(f"/v1/calls/{call['id']}/offers", json=offer_body(call), headers=headers)
    assert retried.status_code == 201


async def test_art_361_refuses_a_repeat_winner(api, client, cdb, clock):
    await municipality(api)
    need_ = await need(api, client, value_pln=400_000, days=365)
    call = await open_call(api, need_, mode="reserved-361", deadline_days=20)
    coop = await verified_provider(client)
    cdb.add(
        Award(
            call_id=uuid.UUID(call["id"]),
            lot_id=uuid.UUID(call["lots"][0]["id"]),
            provider_id=uuid.UUID(coop["id"]),
            municipality_terc="2611011",
            mode="reserved-361",
            service_type_id=uuid.UUID(need_["service_type_id"]),
            value_grosze=1,
            awarded_at=clock.now() - timedelta(days=700),
        )
    )
    await cdb.flush()
    body = problem(await submit(api, call, coop["id"]), 422)
    assert body["violations"][0]["rule"] == "eligibility-reserved-361-repeat"
    newcomer = await verified_provider(client)
    assert (await submit(api, call, newcomer["id"])).status_code == 201


def test_content_hash_is_canonical():
    from services.commissioning.offers.schemas import OfferContent
    from services.commissioning.offers.service import content_hash

    ids = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    a = OfferContent(total_price_grosze=1, quantity=2, answers={"a": "x", "b": 1})
    b = OfferContent(total_price_grosze=1, quantity=2, answers={"b": 1, "a": "x"})
    assert content_hash(*ids, a) == content_hash(*ids, b)
    assert content_hash(*ids, a) != content_hash(
        *ids, OfferContent(total_price_grosze=2, quantity=2, answers=a.answers)
    )


async def test_reserved_94_call_refuses_ineligible_providers(api, client):
    await municipality(api)
    call = await open_call(api, await need(api, client), mode="reserved-94", deadline_days=15)
    company = await verified_provider(
        client, legal_form="company", social_economy={"is_pes": False, "employees": 20, "excluded_employees": 10}
    )
    body = problem(await submit(api, call, company["id"]), 422)
    assert [v["rule"] for v in body["violations"]] == ["eligibility-reserved-94-form"]
    assert body["violations"][0]["legal_basis"] == "Pzp art. 94"
    few_excluded = await verified_provider(
        client, social_economy={"is_pes": True, "employees": 10, "excluded_employees": 2}
    )
    body = problem(await submit(api, call, few_excluded["id"]), 422)
    assert body["violations"][0]["compared"] == {"share": 0.2, "limit": 0.3}
    coop = await verified_provider(client)  # 4 of 10 employees from excluded groups
    assert (await submit(api, call, coop["id"])).status_code == 201


async def test_malformed_offer_json_is_a_400_problem(api, client):
    call = await setup_open_call(api, client)
    coop = await verified_provider(client)
    response = await api.post(
        f"/v1/calls/{call['id']}/offers",
        content=b'{"lot_id": ',
        headers={**provider(coop["id"]), "Content-Type": "application/json"},
    )
    assert problem(response, 400)["type"] == "urn:cus:problem:malformed-json"


async def test_a_member_without_a_provider_claim_submits_for_its_provider(api, client):
    from shared.auth import Role
    from tests.catalogue.conftest import ADMIN as CATALOGUE_ADMIN
    from tests.catalogue.conftest import auth
    from tests.catalogue.factories import provider_payload

    call = await setup_open_call(api, client)
    founder = auth(Role.PROVIDER, subject=f"founder-{uuid.uuid4()}")
    first = (await client.post("/v1/providers", json=provider_payload(), headers=founder)).json()
    other = await verified_provider(client)
    await client.post(f"/v1/providers/{first['id']}/status-changes", json={"action": "verify"}, headers=CATALOGUE_ADMIN)
    made = await api.post(f"/v1/calls/{call['id']}/offers", json=offer_body(call), headers=founder)  # no claim
    assert made.status_code == 201, made.text
    assert made.json()["provider_id"] == first["id"]
    assert [o["id"] for o in (await api.get("/v1/offers", headers=founder)).json()["items"]] == [made.json()["id"]]
    assert (await api.get(f"/v1/offers/{made.json()['id']}", headers=founder)).status_code == 200
    # naming a provider the account does not act for is refused
    problem(
        await api.post(
            f"/v1/calls/{call['id']}/offers", json=offer_body(call, provider_id=other["id"]), headers=founder
        ),
        403,
    )


async def test_a_receipt_is_verified_independently_and_by_the_server(api, client, clock):
    """The receipt's hash is what the documentation says (the provider recomputes it from its own offer, with
    nothing but the standard library), and the server confirms it; a revision makes the old receipt stale. Only
    the provider checks it before the deadline: for anyone else it would be an oracle for guessing sealed
    prices."""
    call = await setup_open_call(api, client)
    bidder = (await verified_provider(client))["id"]
    answers = {"quality": "Opiekunki z certyfikatem – koordynator 7 dni w tygodniu", "social": 40}
    submitted = (await submit(api, call, bidder, answers=answers)).json()
    content = {
        "call_id": call["id"],
        "lot_id": call["lots"][0]["id"],
        "provider_id": bidder,
        "total_price_grosze": 48_000_000,
        "quantity": 12_000,
        "answers": answers,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    receipt = submitted["receipt"]["content_hash"]
    assert hashlib.sha256(canonical).hexdigest() == receipt
    url = f"/v1/offers/{submitted['id']}/receipt-verification"
    checked = await api.get(url, params={"content_hash": receipt}, headers=provider(bidder))
    assert checked.status_code == 200 and checked.json()["matches"] is True
    problem(await api.get(url, params={"content_hash": receipt}, headers=STARACHOWICE), 404)  # sealed
    problem(await api.get(url, params={"content_hash": receipt}, headers=provider(str(uuid.uuid4()))), 404)
    problem(await api.get(url, params={"content_hash": receipt}), 401)
    problem(await api.get(url, params={"content_hash": "ABC"}, headers=provider(bidder)), 422)
    revised = await api.put(
        f"/v1/offers/{submitted['id']}",
        json={"total_price_grosze": 47_000_000, "quantity": 12_000, "answers": answers},
        headers={**provider(bidder), "If-Match": f'"{submitted["version"]}"'},
    )
    assert revised.status_code == 200, revised.text
    stale = await api.get(url, params={"content_hash": receipt}, headers=provider(bidder))
    assert stale.json()["matches"] is False
    clock.set(datetime.fromisoformat(call["deadline"]))
    after = await api.get(url, params={"content_hash": revised.json()["receipt"]["content_hash"]}, headers=STARACHOWICE)
    assert after.status_code == 200 and after.json()["matches"] is True


async def test_revisions_check_the_etag_the_author_and_the_withdrawal(api, client):
    call = await setup_open_call(api, client)
    coop, other = await verified_provider(client), await verified_provider(client)
    offer = (await submit(api, call, coop["id"])).json()
    url, content = (
        f"/v1/offers/{offer['id']}",
        {"total_price_grosze": 47_000_000, "quantity": 12_000, "answers": ANSWERS},
    )

    async def revise(if_match: str | None, who: str = coop["id"]):
        headers = provider(who) if if_match is None else {**provider(who), "If-Match": if_match}
        return await api.put(url, json=content, headers=headers)

    problem(await revise(None), 428)
    for stale in ('"2"', '"01"', "abc", '"99999999999"'):
        assert problem(await revise(stale), 412)["current_etag"] == '"1"'
    problem(await revise('"1"', other["id"]), 404)
    assert (await revise("*")).json()["version"] == 2
    listed = await revise('"7", W/"2"')
    assert listed.status_code == 200 and listed.headers["ETag"] == '"3"'
    assert (await api.get(url, headers=provider(coop["id"]))).json()["total_price_grosze"] == 47_000_000
    await api.delete(url, headers={**provider(coop["id"]), "If-Match": '"3"'})
    assert problem(await revise('"4"'), 409)["detail"].startswith("The offer is withdrawn")


async def test_a_plain_revision_is_settled_before_the_routing(api, client, monkeypatch):
    """Most of a deadline's burst: a provider revising its offer, settled by OffersFirst in one statement
    (the route, which would also do, is not needed: here it fails). What it cannot settle reaches the route with
    its body as it came, and is refused there as always, in the caller's language."""
    call = await setup_open_call(api, client)
    coop = await verified_provider(client)
    offer = (await submit(api, call, coop["id"])).json()
    url = f"/v1/offers/{offer['id']}"
    content = {"total_price_grosze": 47_000_000, "quantity": 12_000, "answers": {**ANSWERS, "quality": "Zażółć"}}
    headers = {**provider(coop["id"]), "If-Match": '"1"'}

    async def not_needed(*_: object, **__: object) -> None:
        raise AssertionError("the route was taken")

    monkeypatch.setattr(offers_service, "revise", not_needed)
    revised = await api.put(url, json=content, headers=headers)
    assert revised.status_code == 200 and revised.headers["ETag"] == '"2"'
    assert revised.headers["content-type"] == "application/json"
    body = revised.json()
    assert body["version"] == 2 and body["answers"]["quality"] == "Zażółć" and body["id"] == offer["id"]
    assert body["receipt"]["content_hash"] != offer["receipt"]["content_hash"]
    monkeypatch.undo()

    assert problem(await api.put(url, json=content, headers=headers), 412)["current_etag"] == '"2"'
    now = {**provider(coop["id"]), "If-Match": '"2"', "Accept-Language": "pl"}
    unknown = problem(await api.put(url, json={**content, "answers": {"colour": "red"}}, headers=now), 422)
    assert unknown["errors"][0]["field"] == "answers" and "nieznane kryteria" in unknown["detail"]
    broken = await api.put(
        url, content=b'{"total_price_grosze": 1', headers={**now, "Content-Type": "application/json"}
    )
    assert problem(broken, 400)["type"] == "urn:cus:problem:malformed-json"
    problem(await api.put(f"{url}?force=1", json=content, headers=now), 422)
    problem(await api.put(url, json=content, headers={**now, "Authorization": "Bearer nie-token"}), 401)
    assert (await api.put(url, json=content, headers=now)).headers["ETag"] == '"3"'
    assert 'route="/v1/offers/{offer_id}",service="commissioning",status="200"' in (await api.get("/metrics")).text


async def test_a_revision_answers_to_the_amended_call(api, client, clock):
    """An offer revised after its call's criteria changed is checked against the new criteria, not the ones it
    was submitted under."""
    call = await setup_open_call(api, client, deadline_days=25)
    coop = await verified_provider(client)
    offer = (await submit(api, call, coop["id"])).json()
    criteria = [
        {"code": "price", "name": "cena", "kind": "price", "weight": 50},
        {"code": "quality", "name": "jakość", "kind": "quality", "weight": 20},
        {"code": "social", "name": "klauzula społeczna", "kind": "social", "weight": 20},
        {"code": "local", "name": "zasięg lokalny", "kind": "quality", "weight": 10},
    ]
    amended = await api.post(
        f"/v1/calls/{call['id']}/amendments",
        json={"description": "Nowe kryterium", "criteria": criteria},
        headers=STARACHOWICE,
    )
    assert amended.status_code == 201, amended.text
    headers = {**provider(coop["id"]), "If-Match": '"1"'}
    content = {"total_price_grosze": 47_000_000, "quantity": 12_000, "answers": ANSWERS}
    refused = problem(await api.put(f"/v1/offers/{offer['id']}", json=content, headers=headers), 422)
    assert "local" in json.dumps(refused)
    answered = {**content, "answers": {**ANSWERS, "local": "Biuro w gminie"}}
    revised = await api.put(f"/v1/offers/{offer['id']}", json=answered, headers=headers)
    assert revised.status_code == 200 and revised.json()["status"] == "submitted"


def test_what_a_process_knows_of_offers_is_bounded_and_kept_once_per_call():
    from services.commissioning.offers.known import KnownOffers
    from services.commissioning.standing.service import HeldStandings

    known = KnownOffers(HeldStandings(), limit=3)
    call = Call(id=uuid.uuid4(), version=1, criteria=[{"code": "price", "kind": "price"}])
    offers = [
        Offer(id=uuid.uuid4(), call_id=call.id, lot_id=uuid.uuid4(), provider_id=uuid.uuid4(), version=1, status="x")
        for _ in range(4)
    ]
    for offer in offers[:3]:
        known.remember(offer, call)
    amended = Call(id=call.id, version=2, criteria=call.criteria)  # seen with the last offer: the call is kept once
    known.remember(offers[1], amended)
    assert {known.revision_facts(o.id).call.version for o in offers[:3]} == {2}
    known.remember(offers[3], amended)  # past the limit: it starts again
    assert known.revision_facts(offers[0].id) is None and known.revision_facts(offers[3].id).call.version == 2


async def test_an_offer_another_worker_wrote_is_revised_by_its_author_only(api, client, clock, commissioning_app):
    """A worker that did not take an offer's last write reads what the revision checks first, and still refuses
    another provider, a stale ETag and a late revision."""
    from services.commissioning.offers.known import KnownOffers

    call = await setup_open_call(api, client)
    coop, other = await verified_provider(client), await verified_provider(client)
    offer = (await submit(api, call, coop["id"])).json()
    url, content = f"/v1/offers/{offer['id']}", {"total_price_grosze": 1_000, "quantity": 12_000, "answers": ANSWERS}
    for who, etag, status in ((other["id"], '"1"', 404), (coop["id"], '"2"', 412), (coop["id"], '"1"', 200)):
        commissioning_app.state.known_offers = KnownOffers(
            state_of(commissioning_app).held
        )  # as if each request went to another worker
        answer = await api.put(url, json=content, headers={**provider(who), "If-Match": etag})
        assert answer.status_code == status, answer.text
    clock.set(datetime.fromisoformat(call["deadline"]))
    commissioning_app.state.known_offers = KnownOffers(state_of(commissioning_app).held)
    late = await api.put(url, json=content, headers={**provider(coop["id"]), "If-Match": '"2"'})
    assert late.status_code == 409
