"""The whole story through the gateway over real HTTP, then the same with the catalogue stopped mid-way."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import httpx
import jsonschema

from tests.e2e.conftest import Stack
from tests.e2e.factories import (
    ANSWERS,
    EVALUATOR,
    GMINA,
    add_municipality,
    add_offering,
    care_service_type,
    offer_for,
    open_call,
    registered_verified_provider,
)
from tests.helpers import ok, wait_until

PES = {"pes_only": True}  # the story's calls are for social-economy entities only


def test_the_whole_story_then_the_catalogue_stops(stack: Stack, gateway: httpx.Client):
    add_municipality(gateway, "2611011", "Gmina Starachowice", "CUS w Starachowicach")
    provider, own = registered_verified_provider(gateway, with_claim=False)  # the account that registered it
    care = care_service_type(gateway)
    offering = add_offering(gateway, provider["id"], own, care)
    found = ok(gateway.get("/v1/offerings", params={"q": "uslugi opiekuncze", "place": "2611011"}))
    assert offering["id"] in {o["id"] for o in found["items"]}

    need_advice_call = open_call(
        gateway,
        care,
        "Usługi opiekuńcze 2027",
        stack.now() + timedelta(days=25),
        trace="e2e-trace-need-1",
        eligibility=PES,
    )
    need_id = ok(gateway.get("/v1/municipalities/2611011/needs", headers=GMINA))["items"][0]["id"]
    advice = ok(gateway.get(f"/v1/needs/{need_id}/mode-advice", headers=GMINA))
    assert {m["mode"]: m["verdict"] for m in advice["modes"]}["open-competition"] == "recommended"
    assert advice["local_pes_offerings"] >= 1

    # the provider finds the call in its opportunities and answers it
    call = need_advice_call
    opportunities = ok(gateway.get(f"/v1/providers/{provider['id']}/opportunities", headers=own))
    match = next(o for o in opportunities["opportunities"] if o["call_id"] == call["id"])
    assert match["eligible"] is True and opportunities["missing"] == []
    traced = gateway.post(
        f"/v1/calls/{call['id']}/offers",
        headers={**own, "X-Request-ID": "e2e-trace-offer-1"},
        json=offer_for(call, 29_000_000),
    )
    offer = ok(traced, 201)
    assert traced.headers["x-request-id"] == "e2e-trace-offer-1"
    # the access line is written once the answer has gone out, so it may land a moment after the client has it
    wait_until(lambda: "e2e-trace-offer-1" in stack.commissioning.log.read_text(), seconds=5)
    # commissioning checked the need's service type with the catalogue under the request's id (the offer itself
    # needs no catalogue call once the catalogue's events told commissioning the provider is verified)
    wait_until(lambda: "e2e-trace-need-1" in stack.catalogue.log.read_text(), seconds=5)
    assert gateway.get(f"/v1/calls/{call['id']}/offers", headers=GMINA).status_code == 403  # sealed

    # the deadline passes; the committee declares and scores; the award and the contract follow
    stack.move_clock(days=26)
    wait_until(lambda: gateway.get(f"/v1/calls/{call['id']}").json()["status"] == "evaluation")
    ok(
        gateway.post(
            f"/v1/calls/{call['id']}/committee", headers=GMINA, json={"subject": "ewa-e2e@cus.pl", "name": "Ewa Nowak"}
        ),
        201,
    )
    assert [c["call_id"] for c in ok(gateway.get("/v1/me/committees", headers=EVALUATOR))["items"]] == [call["id"]]
    assert gateway.get(f"/v1/offers/{offer['id']}", headers=EVALUATOR).status_code == 403  # declare first
    ok(
        gateway.post(
            f"/v1/calls/{call['id']}/declarations/batch",
            headers=EVALUATOR,
            json={"declarations": [{"provider_id": provider["id"], "conflict": False}]},
        ),
        201,
    )
    read = ok(gateway.get(f"/v1/calls/{call['id']}/offers", headers=EVALUATOR))[
        "items"
    ]  # the member reads what it scores
    assert [o["id"] for o in read] == [offer["id"]] and read[0]["answers"] == ANSWERS
    ok(gateway.put(f"/v1/offers/{offer['id']}/formal-check", headers=GMINA, json={"passed": True}))
    ok(
        gateway.put(
            f"/v1/offers/{offer['id']}/scores",
            headers=EVALUATOR,
            json={
                "scores": {
                    "quality": {"score": 85, "justification": "Dobra organizacja pracy"},
                    "social": {"score": 70, "justification": "Zatrudnia osoby wykluczone"},
                }
            },
        ),
        201,
    )
    decision = ok(
        gateway.post(
            f"/v1/calls/{call['id']}/lots/{call['lots'][0]['id']}/award-decision",
            headers=GMINA,
            json={"winners": [{"offer_id": offer["id"]}], "reason": "Jedyna, dobra oferta."},
        ),
        201,
    )
    contract_id = decision["winners"][0]["contract_id"]
    stack.move_clock(days=6)
    waiting = wait_until(
        lambda: (c := gateway.get(f"/v1/contracts/{contract_id}").json())["status"] == "awaiting-signature" and c
    )
    signature = {"number": "CUS.526.e2e.2026", "signed_on": stack.now().date().isoformat()}
    signed = gateway.post(
        f"/v1/contracts/{contract_id}/signature",
        json=signature,
        headers={**GMINA, "If-Match": f'"{waiting["version"]}"'},
    )
    assert signed.status_code == 200, signed.text
    confirmed = ok(
        gateway.post(f"/v1/contracts/{contract_id}/confirmation", headers={**own, "If-Match": signed.headers["etag"]})
    )
    assert confirmed["status"] == "active"
    # the catalogue learns of the signed contract from commissioning's feed: 10 000 hours over ten months
    # commit 1 000 a month of the offering's 1 500, and search shows the 500 left
    committed = wait_until(
        lambda: (o := gateway.get(f"/v1/offerings/{offering['id']}").json())["capacity_contracted"] == 1000 and o
    )
    assert committed["free_capacity"] == 500
    roomy = ok(gateway.get("/v1/offerings", params={"place": "2611011", "min_free_capacity": 600, "q": "opiekuncze"}))
    assert offering["id"] not in {o["id"] for o in roomy["items"]}
    events = ok(gateway.get("/v1/events", params={"type": "contract.signed"}))["items"]
    assert [e["data"]["contract_id"] for e in events] == [contract_id]
    # through the gateway, one feed of both services: the provider's verification (catalogue) and the story's
    # calls and contracts (commissioning), each once, and nothing new on the next page
    merged = ok(gateway.get("/v1/events", params={"limit": 500}))
    kinds = [
        e["type"]
        for e in merged["items"]
        if provider["id"] in (e["subject"], e.get("provider"), e["data"].get("provider_id"))
    ]
    assert "pl.cus.provider.verified" in kinds and "pl.cus.contract.signed" in kinds
    assert len({e["id"] for e in merged["items"]}) == len(merged["items"]) and merged["missing"] == []
    assert ok(gateway.get("/v1/events", params={"after": merged["next_cursor"]}))["items"] == []
    only = ok(gateway.get("/v1/events", params={"type": "provider.verified"}))["items"]
    assert {e["source"] for e in only} == {"urn:cus:catalogue"}
    assert gateway.get("/v1/events", params={"after": "yesterday"}).status_code == 422
    assert gateway.get("/v1/events", params={"type": "call.exploded"}).status_code == 422  # as the service says
    described = ok(gateway.get("/v1/events/asyncapi"))  # the real event is what the AsyncAPI document says
    jsonschema.validate(
        events[0]["data"], {"$ref": "#/components/schemas/ContractData", "components": described["components"]}
    )
    jsonschema.validate(events[0], {"$ref": "#/components/schemas/CloudEvent", "components": described["components"]})
    overview = ok(gateway.get("/v1/municipalities/2611011/overview", headers=GMINA))
    assert overview["missing"] == []
    assert [c["id"] for c in overview["active_contracts"]] == [contract_id]
    assert overview["indicators"]["value_commissioned_grosze"] == 29_000_000
    assert provider["id"] in {p["id"] for p in overview["providers"]["items"]}
    assert overview["needs"]["total"] == 1

    # the first quarter over, the provider reports it and the municipality accepts
    stack.move_clock(days=(datetime(2027, 4, 2, tzinfo=UTC) - stack.now()).total_seconds() / 86_400)
    report = ok(
        gateway.post(
            f"/v1/contracts/{contract_id}/reports",
            headers=own,
            json={
                "period_start": "2027-01-01",
                "period_end": "2027-03-31",
                "units_delivered": 2800,
                "people_served": {"seniors": 33},
            },
        ),
        201,
    )
    ok(
        gateway.put(
            f"/v1/reports/{report['id']}/review", headers={**GMINA, "If-Match": '"1"'}, json={"decision": "accept"}
        )
    )

    results_page = gateway.get(f"/zamowienia/{call['id']}")  # the public page of the call, once decided
    assert results_page.status_code == 200 and "Ranking ofert" in results_page.text
    assert f'href="/dostawcy/{provider["id"]}"' in results_page.text
    profile = ok(gateway.get(f"/v1/providers/{provider['id']}/profile"))
    assert profile["track_record"]["accepted_reports"] == 1 and len(profile["track_record"]["awards"]) == 1
    package = ok(gateway.get(f"/ocds/records/{call['ocid']}"))
    record = package["records"][0]
    assert package["uri"].startswith(stack.gateway.url)  # links lead through the public entry
    assert gateway.get(package["uri"].removeprefix(stack.gateway.url)).status_code == 200
    hsds = ok(gateway.get(f"/hsds/services/{offering['id']}"))
    assert hsds["url"] == f"{stack.gateway.url}/v1/offerings/{offering['id']}"
    assert gateway.get(hsds["url"].removeprefix(stack.gateway.url)).status_code == 200
    assert record["compiledRelease"]["contracts"][0]["status"] == "active"
    assert record["compiledRelease"]["awards"][0]["suppliers"][0]["name"] == provider["name"]
    # the bulk file comes through the gateway as it is written (chunked, no length known first), as the service
    # sends it, and holds the same record
    with gateway.stream("GET", "/ocds/bulk/records.jsonl") as bulk:
        assert bulk.status_code == 200 and bulk.headers["transfer-encoding"] == "chunked"
        assert "content-length" not in bulk.headers and bulk.headers["content-type"] == "application/x-ndjson"
        assert 'filename="records.jsonl"' in bulk.headers["content-disposition"]
        streamed = b"".join(bulk.iter_bytes())
    assert streamed == httpx.get(f"{stack.commissioning.url}/ocds/bulk/records.jsonl").content
    bulk_records = {r["ocid"]: r for r in map(json.loads, streamed.splitlines())}  # (other tests' calls too)
    assert bulk_records[call["ocid"]] == record

    # the catalogue stops: commissioning still answers, the views say what is missing, nothing is lost
    second = open_call(gateway, care, "Opieka – druga edycja", stack.now() + timedelta(days=25), eligibility=PES)
    time.sleep(1.0)  # five of commissioning's reads of the catalogue's feed (every 0.2 s here): it knows the provider
    stack.catalogue.stop()
    try:
        assert ok(gateway.get(f"/v1/calls/{call['id']}"))["status"] == "awarded"
        # the one feed still answers with commissioning's events; the catalogue's position waits where it was
        partial_feed = ok(gateway.get("/v1/events", params={"after": merged["next_cursor"]}))
        assert [m["part"] for m in partial_feed["missing"]] == ["catalogue"]
        assert partial_feed["next_cursor"].split("|")[1] == merged["next_cursor"].split("|")[1]
        down = gateway.get("/v1/areas")
        assert down.status_code == 503 and down.headers["retry-after"]
        assert down.headers["content-type"] == "application/problem+json"
        partial = ok(gateway.get("/v1/municipalities/2611011/overview", headers=GMINA))
        assert {m["part"] for m in partial["missing"]} == {"providers", "offerings"}
        assert partial["open_calls"]["total"] == 1  # the second call, from commissioning
        assert [c["id"] for c in partial["active_contracts"]] == [contract_id]
        # the catalogue's events told commissioning the provider is verified, with its facts: the offer is taken
        # without asking the catalogue
        accepted = gateway.post(
            f"/v1/calls/{second['id']}/offers",
            headers={**own, "Idempotency-Key": "e2e-retry-1"},
            json=offer_for(second, 28_000_000),
        )
        assert accepted.status_code == 201, accepted.text
        assert ok(gateway.get("/v1/offers", headers=own))["total"] == 2
    finally:
        stack.catalogue.start()
    wait_until(lambda: gateway.get("/readyz").status_code == 200)
    retried = gateway.post(
        f"/v1/calls/{second['id']}/offers",
        headers={**own, "Idempotency-Key": "e2e-retry-1"},
        json=offer_for(second, 28_000_000),
    )
    assert retried.status_code == 201 and retried.json()["id"] == accepted.json()["id"]  # the retry, replayed
    assert retried.headers["idempotent-replayed"] == "true"
    assert ok(gateway.get(f"/v1/providers/{provider['id']}"))["status"] == "verified"
