"""From opened offers to a signed contract: committee, declarations, formal checks, scores, ranking, award,
standstill, contract, delivery reports and payments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.commissioning.evaluation.ranking import OfferFacts, Sheet, rank
from services.commissioning.worker import run_due_events
from shared.auth import Role
from shared.db import database_of
from tests.commissioning.conftest import KIELCE, STARACHOWICE, auth, provider
from tests.commissioning.factories import EWA, merit, opened_call_with_offers, sign
from tests.helpers import problem

JAN = auth(Role.EVALUATOR, subject="jan@ngo.pl")
OUTSIDER = auth(Role.EVALUATOR, subject="someone@else.pl")


async def test_the_committee_sees_nothing_before_the_deadline(api, client, clock):
    call, _, offers = await opened_call_with_offers(api, client, clock)
    problem(await api.get(f"/v1/calls/{call['id']}/bidders", headers=EWA), 403)
    problem(await api.get(f"/v1/calls/{call['id']}/bidders", headers=OUTSIDER), 404)
    problem(await api.put(f"/v1/offers/{offers[0]['id']}/scores", json=merit(50, 50), headers=EWA), 403)
    problem(
        await api.post(f"/v1/calls/{call['id']}/committee", json={"subject": "x@y.pl", "name": "X Y"}, headers=KIELCE),
        403,
    )


async def test_from_declarations_to_a_signed_contract(api, client, clock, commissioning_app):
    call, providers, offers = await opened_call_with_offers(api, client, clock)
    clock.set(datetime.fromisoformat(call["deadline"]))
    bidders = (await api.get(f"/v1/calls/{call['id']}/bidders", headers=EWA)).json()["items"]
    assert {b["provider_id"] for b in bidders} == {p["id"] for p in providers}
    problem(await api.get(f"/v1/calls/{call['id']}/bidders", headers=OUTSIDER), 404)

    # scoring needs a declaration first; a declared conflict excludes the member from that bidder's offers
    problem(await api.put(f"/v1/offers/{offers[0]['id']}/scores", json=merit(50, 50), headers=EWA), 403)
    for p in providers:
        declared = await api.post(
            f"/v1/calls/{call['id']}/declarations", json={"provider_id": p["id"], "conflict": False}, headers=EWA
        )
        assert declared.status_code == 201
    await api.post(
        f"/v1/calls/{call['id']}/declarations",
        json={"provider_id": providers[0]["id"], "conflict": True, "statement": "Jestem członkiem zarządu oferenta."},
        headers=JAN,
    )
    for p in providers[1:]:
        await api.post(
            f"/v1/calls/{call['id']}/declarations", json={"provider_id": p["id"], "conflict": False}, headers=JAN
        )
    problem(
        await api.post(
            f"/v1/calls/{call['id']}/declarations",
            json={"provider_id": providers[1]["id"], "conflict": True},
            headers=JAN,
        ),
        409,
    )
    problem(await api.get(f"/v1/offers/{offers[0]['id']}/scores", headers=JAN), 403)

    # formal check (the municipality), then merit (members)
    problem(await api.put(f"/v1/offers/{offers[0]['id']}/scores", json=merit(50, 50), headers=EWA), 409)
    problem(
        await api.put(f"/v1/offers/{offers[2]['id']}/formal-check", json={"passed": False}, headers=STARACHOWICE), 422
    )
    problem(await api.put(f"/v1/offers/{offers[0]['id']}/formal-check", json={"passed": True}, headers=EWA), 403)
    for offer, passed in zip(offers, (True, True, False), strict=True):
        body = {"passed": passed, "reasons": [] if passed else ["brak podpisu osoby upoważnionej"]}
        checked = await api.put(f"/v1/offers/{offer['id']}/formal-check", json=body, headers=STARACHOWICE)
        assert checked.status_code == 200, checked.text
    problem(await api.put(f"/v1/offers/{offers[2]['id']}/scores", json=merit(90, 90), headers=EWA), 409)
    first = await api.put(f"/v1/offers/{offers[0]['id']}/scores", json=merit(90, 50), headers=EWA)
    assert first.status_code == 201 and first.headers["etag"] == '"1"'
    problem(await api.put(f"/v1/offers/{offers[0]['id']}/scores", json=merit(95, 50), headers=EWA), 428)
    problem(
        await api.put(f"/v1/offers/{offers[0]['id']}/scores", json=merit(95, 50), headers={**EWA, "If-Match": '"7"'}),
        412,
    )
    second = await api.put(
        f"/v1/offers/{offers[0]['id']}/scores", json=merit(80, 50), headers={**EWA, "If-Match": '"1"'}
    )
    assert second.status_code == 200 and second.json()["scores"]["quality"]["score"] == 80
    assert (await api.put(f"/v1/offers/{offers[1]['id']}/scores", json=merit(60, 40), headers=EWA)).status_code == 201
    assert (await api.put(f"/v1/offers/{offers[1]['id']}/scores", json=merit(40, 40), headers=JAN)).status_code == 201
    bad = {"scores": {"price": {"score": 10, "justification": "cena z ofert"}}}
    problem(await api.put(f"/v1/offers/{offers[1]['id']}/scores", json=bad, headers=JAN), 422)
    assert len((await api.get(f"/v1/offers/{offers[1]['id']}/scores", headers=STARACHOWICE)).json()["items"]) == 2
    assert len((await api.get(f"/v1/offers/{offers[1]['id']}/scores", headers=JAN)).json()["items"]) == 1

    lot = call["lots"][0]["id"]
    ranking = (await api.get(f"/v1/calls/{call['id']}/lots/{lot}/ranking", headers=STARACHOWICE)).json()
    # price: 40 x lowest (45.0M) / price; quality 40 and social 20 x average score; the failed offer last
    assert [r["offer_id"] for r in ranking] == [offers[0]["id"], offers[1]["id"], offers[2]["id"]]
    assert ranking[0]["points"] == {"price": 37.5, "quality": 32.0, "social": 10.0} and ranking[0]["total"] == 79.5
    assert ranking[1]["points"] == {"price": 40.0, "quality": 20.0, "social": 8.0} and ranking[1]["rank"] == 2
    assert ranking[2]["rank"] is None and ranking[2]["formal_reasons"] == ["brak podpisu osoby upoważnionej"]
    # a member sees only the bidders it declared no conflict with: nothing of the others, not even their price
    as_jan = (await api.get(f"/v1/calls/{call['id']}/lots/{lot}/ranking", headers=JAN)).json()
    assert {r["provider_id"] for r in as_jan} == {providers[1]["id"], providers[2]["id"]}
    as_ewa = (await api.get(f"/v1/calls/{call['id']}/lots/{lot}/ranking", headers=EWA)).json()
    assert len(as_ewa) == 3

    # the award: once per lot, then the contract waits out the standstill
    url = f"/v1/calls/{call['id']}/lots/{lot}/award-decision"
    decision_body = {"winners": [{"offer_id": offers[0]["id"]}], "reason": "Najwyżej oceniona oferta (79,5 pkt)."}
    problem(
        await api.post(url, json={"winners": [{"offer_id": offers[2]["id"]}], "reason": "Wybór"}, headers=STARACHOWICE),
        422,
    )
    problem(
        await api.post(
            url,
            json={"winners": [{"offer_id": offers[0]["id"]}, {"offer_id": offers[1]["id"]}], "reason": "Podział"},
            headers=KIELCE,
        ),
        403,
    )
    decided = await api.post(url, json=decision_body, headers=STARACHOWICE)
    assert decided.status_code == 201, decided.text
    problem(await api.post(url, json=decision_body, headers=STARACHOWICE), 409)
    results = (await api.get(f"/v1/calls/{call['id']}/results")).json()["items"]
    assert results[0]["winners"][0]["provider_id"] == providers[0]["id"] and results[0]["ranking"][0]["total"] == 79.5
    assert (await api.get(f"/v1/calls/{call['id']}")).json()["status"] == "awarded"
    contract_id = results[0]["winners"][0]["contract_id"]
    contract = (await api.get(f"/v1/contracts/{contract_id}")).json()
    assert contract["status"] == "standstill" and contract["value_grosze"] == 48_000_000
    assert sum(p["amount_grosze"] for p in contract["payment_schedule"]) == 48_000_000
    assert contract["reporting_schedule"][0]["period_start"] == "2026-06-01"

    # nobody signs during the standstill; after it, the municipality signs, then the provider confirms
    signature = {"number": "CUS.526.1.2026", "signed_on": (clock.now() + timedelta(days=5)).date().isoformat()}
    own = provider(providers[0]["id"])
    sign_url, confirm_url = f"/v1/contracts/{contract_id}/signature", f"/v1/contracts/{contract_id}/confirmation"
    problem(await api.post(sign_url, json=signature, headers={**STARACHOWICE, "If-Match": '"1"'}), 409)
    clock.advance(days=5)
    assert await run_due_events(database_of(commissioning_app).write, clock) == 1
    waiting = (await api.get(f"/v1/contracts/{contract_id}")).json()
    assert waiting["status"] == "awaiting-signature" and waiting["signed_at"] is None
    tag = f'"{waiting["version"]}"'
    payment = {"amount_grosze": 1, "paid_on": signature["signed_on"]}
    problem(await api.post(f"/v1/contracts/{contract_id}/payments", json=payment, headers=STARACHOWICE), 409)
    problem(await api.post(confirm_url, headers={**own, "If-Match": tag}), 409)  # not signed by the gmina yet
    problem(await api.post(sign_url, json=signature, headers={**KIELCE, "If-Match": tag}), 403)
    problem(await api.post(sign_url, json=signature, headers=STARACHOWICE), 428)
    future = {**signature, "signed_on": "2027-01-01"}
    problem(await api.post(sign_url, json=future, headers={**STARACHOWICE, "If-Match": tag}), 422)
    by_gmina = await api.post(sign_url, json=signature, headers={**STARACHOWICE, "If-Match": tag})
    assert by_gmina.status_code == 200 and by_gmina.json()["status"] == "awaiting-confirmation"
    problem(
        await api.post(confirm_url, headers={**provider(providers[1]["id"]), "If-Match": by_gmina.headers["etag"]}), 404
    )
    confirmed = await api.post(confirm_url, headers={**own, "If-Match": by_gmina.headers["etag"]})
    signed = confirmed.json()
    assert signed["status"] == "active" and signed["signed_at"] and signed["number"] == "CUS.526.1.2026"
    assert signed["signed_on"] == signature["signed_on"]

    # delivery: the provider reports, the municipality returns, the provider corrects, it is accepted; payments
    report = {
        "period_start": "2026-06-01",
        "period_end": "2026-08-31",
        "units_delivered": 2950,
        "people_served": {"seniors": 38, "dependent": 9},
        "outcomes": "Wszyscy podopieczni w domu.",
    }
    problem(
        await api.post(f"/v1/contracts/{contract_id}/reports", json=report, headers=provider(providers[1]["id"])), 404
    )
    problem(
        await api.post(
            f"/v1/contracts/{contract_id}/reports", json={**report, "period_end": "2028-01-01"}, headers=own
        ),
        422,
    )
    early = problem(await api.post(f"/v1/contracts/{contract_id}/reports", json=report, headers=own), 422)
    assert early["errors"][0]["field"] == "period_end"  # the period has not ended yet
    clock.set(datetime(2026, 9, 1, 8, 0, tzinfo=UTC))
    sent = await api.post(f"/v1/contracts/{contract_id}/reports", json=report, headers=own)
    assert sent.status_code == 201, sent.text
    assert sent.headers["etag"] == f'"{sent.json()["version"]}"'  # what the review's If-Match needs
    review = f"/v1/reports/{sent.json()['id']}/review"
    problem(await api.put(review, json={"decision": "return"}, headers={**STARACHOWICE, "If-Match": '"1"'}), 422)
    returned = await api.put(
        review,
        json={"decision": "return", "comment": "Brak listy obecności"},
        headers={**STARACHOWICE, "If-Match": '"1"'},
    )
    assert returned.json()["status"] == "returned"
    again = await api.post(
        f"/v1/contracts/{contract_id}/reports", json={**report, "units_delivered": 2900}, headers=own
    )
    assert again.status_code == 201 and again.json()["status"] == "submitted"
    problem(await api.put(review, json={"decision": "accept"}, headers={**STARACHOWICE, "If-Match": '"2"'}), 412)
    fresh = f'"{again.json()["version"]}"'
    accepted = await api.put(review, json={"decision": "accept"}, headers={**STARACHOWICE, "If-Match": fresh})
    assert accepted.json()["status"] == "accepted"
    problem(await api.get(f"/v1/contracts/{contract_id}/reports", headers=provider(providers[1]["id"])), 404)
    assert (await api.get(f"/v1/contracts/{contract_id}/reports", headers=own)).json()["total"] == 1
    first_due = contract["payment_schedule"][0]["amount_grosze"]
    instalment = {"amount_grosze": first_due, "paid_on": "2026-07-10", "schedule_index": 0}
    keyed = {**STARACHOWICE, "Idempotency-Key": "payment-0-retry"}
    paid = await api.post(f"/v1/contracts/{contract_id}/payments", json=instalment, headers=keyed)
    assert paid.status_code == 201
    retried = await api.post(f"/v1/contracts/{contract_id}/payments", json=instalment, headers=keyed)
    assert retried.status_code == 201 and retried.headers["idempotent-replayed"] == "true"
    assert retried.json()["id"] == paid.json()["id"]
    twice = problem(await api.post(f"/v1/contracts/{contract_id}/payments", json=instalment, headers=STARACHOWICE), 409)
    assert "already paid" in twice["detail"]
    assert (await api.get(f"/v1/contracts/{contract_id}/payments", headers=STARACHOWICE)).json()["total"] == 1
    problem(
        await api.post(
            f"/v1/contracts/{contract_id}/payments",
            json={"amount_grosze": 48_000_000, "paid_on": "2026-07-11"},
            headers=STARACHOWICE,
        ),
        422,
    )
    problem(
        await api.post(
            f"/v1/contracts/{contract_id}/payments", json={"amount_grosze": 1, "paid_on": "2026-07-11"}, headers=own
        ),
        403,
    )
    amended = await api.post(
        f"/v1/contracts/{contract_id}/amendments",
        json={"reason": "Aneks nr 1: więcej godzin", "value_grosze": 50_000_000},
        headers={**STARACHOWICE, "If-Match": f'"{signed["version"]}"'},
    )
    assert amended.status_code == 200 and amended.json()["value_grosze"] == 50_000_000
    done = await api.post(
        f"/v1/contracts/{contract_id}/completion", json={"reason": "Umowa wykonana"}, headers=STARACHOWICE
    )
    assert done.json()["status"] == "completed"


def test_ranking_shows_ties_as_ties_and_excludes_conflicted_scores():
    criteria = [{"code": "price", "kind": "price", "weight": 50}, {"code": "quality", "kind": "quality", "weight": 50}]
    offers = [
        OfferFacts("a", "pa", "A", 100, True),
        OfferFacts("b", "pb", "B", 100, True),
        OfferFacts("c", "pc", "C", 200, True),
    ]
    sheets = [
        Sheet("m1", "a", {"quality": {"score": 60}}),
        Sheet("m1", "b", {"quality": {"score": 60}}),
        Sheet("m2", "a", {"quality": {"score": 100}}),
        Sheet("m1", "c", {"quality": {"score": 100}}),
    ]
    ranked = rank(criteria, offers, sheets, conflicts={("m2", "pa")})
    by_id = {r.offer_id: r for r in ranked}
    assert by_id["a"].total == by_id["b"].total == 80.0  # m2's 100 for A does not count: declared conflict
    assert by_id["a"].rank == by_id["b"].rank == 1 and by_id["a"].tied and by_id["b"].tied
    assert by_id["c"].rank == 3 and by_id["c"].points == {"price": 25.0, "quality": 50.0}
    assert by_id["c"].tied is False


async def test_monitoring_indicators(api, client, clock, commissioning_app):
    call, providers, offers = await opened_call_with_offers(api, client, clock)
    clock.set(datetime.fromisoformat(call["deadline"]))
    for offer in offers:
        await api.put(f"/v1/offers/{offer['id']}/formal-check", json={"passed": True}, headers=STARACHOWICE)
    lot = call["lots"][0]["id"]
    await api.post(
        f"/v1/calls/{call['id']}/lots/{lot}/award-decision",
        headers=STARACHOWICE,
        json={"winners": [{"offer_id": offers[0]["id"]}], "reason": "Najlepsza oferta."},
    )
    clock.advance(days=5)
    await run_due_events(database_of(commissioning_app).write, clock)
    contract = (await api.get("/v1/contracts", params={"municipality": "2611011"})).json()["items"][0]
    await sign(api, contract["id"], provider(providers[0]["id"]), clock.now().date())
    clock.set(datetime(2026, 9, 1, 8, 0, tzinfo=UTC))  # the reported period is over
    paid = {"amount_grosze": 1_000_000, "paid_on": "2026-08-31", "schedule_index": 0}
    assert (
        await api.post(f"/v1/contracts/{contract['id']}/payments", json=paid, headers=STARACHOWICE)
    ).status_code == 201
    sent = (
        await api.post(
            f"/v1/contracts/{contract['id']}/reports",
            headers=provider(providers[0]["id"]),
            json={
                "period_start": "2026-06-01",
                "period_end": "2026-08-31",
                "units_delivered": 3000,
                "people_served": {"seniors": 40, "dependent": 7},
            },
        )
    ).json()
    await api.put(
        f"/v1/reports/{sent['id']}/review", json={"decision": "accept"}, headers={**STARACHOWICE, "If-Match": '"1"'}
    )
    params = {"municipality": "2611011", "from": "2026-01-01", "to": "2026-12-31"}
    indicators = (await api.get("/v1/monitoring", params=params)).json()
    assert "value_commissioned_grosze" in indicators, indicators
    assert indicators["value_commissioned_grosze"] == 48_000_000
    assert indicators["pes_share"] == 1.0  # a social cooperative won
    assert indicators["by_mode"] == [
        {"mode": "open-competition", "awards": 1, "value_grosze": 48_000_000, "value_to_pes_grosze": 48_000_000}
    ]
    assert indicators["by_area"][0]["area_code"] == "social-assistance"
    assert indicators["people_served"] == {"dependent": 7, "seniors": 40}
    assert indicators["calls_closed"] == 1 and indicators["calls_without_offers"] == 0
    assert indicators["paid_grosze"] == 1_000_000 and indicators["outstanding_grosze"] == 48_000_000 - 1_000_000
    this_year = (await api.get("/v1/monitoring", params={"municipality": "2611011"})).json()  # dates default
    assert this_year["period"] == {"from": "2026-01-01", "to": "2026-12-31"} and this_year["paid_grosze"] == 1_000_000
    region = (
        await api.get("/v1/monitoring", params={"voivodeship": "26", "from": "2026-01-01", "to": "2026-12-31"})
    ).json()
    assert region["value_commissioned_grosze"] == 48_000_000
    elsewhere = (
        await api.get("/v1/monitoring", params={"voivodeship": "14", "from": "2026-01-01", "to": "2026-12-31"})
    ).json()
    assert elsewhere["value_commissioned_grosze"] == 0 and elsewhere["pes_share"] is None
    problem(await api.get("/v1/monitoring", params={"from": "2026-01-01", "to": "2026-12-31"}), 422)
    problem(
        await api.get("/v1/monitoring", params={"voivodeship": "27", "from": "2026-01-01", "to": "2026-12-31"}), 422
    )
    problem(await api.get("/v1/monitoring", params={**params, "to": "2025-01-01"}), 422)


async def test_members_read_the_offers_they_score_and_declare_all_at_once(api, client, clock):
    call, providers, offers = await opened_call_with_offers(api, client, clock)
    cid = call["id"]
    seats = (await api.get("/v1/me/committees", headers=JAN)).json()["items"]
    assert [s["call_id"] for s in seats] == [cid]
    problem(await api.get("/v1/me/committees", headers=STARACHOWICE), 403)
    batch = {"declarations": [{"provider_id": p["id"], "conflict": False} for p in providers]}
    problem(await api.post(f"/v1/calls/{cid}/declarations/batch", json=batch, headers=JAN), 403)  # sealed still
    clock.set(datetime.fromisoformat(call["deadline"]))
    problem(await api.get(f"/v1/offers/{offers[0]['id']}", headers=JAN), 403)  # declare first

    # all or nothing: one bidder listed twice, nothing is kept
    doubled = {"declarations": [*batch["declarations"], batch["declarations"][0]]}
    refused = problem(await api.post(f"/v1/calls/{cid}/declarations/batch", json=doubled, headers=JAN), 422)
    assert refused["errors"][0]["field"] == "3.provider_id"
    batch["declarations"][0]["conflict"] = True
    made = await api.post(f"/v1/calls/{cid}/declarations/batch", json=batch, headers=JAN)
    assert made.status_code == 201 and len(made.json()) == 3
    problem(await api.post(f"/v1/calls/{cid}/declarations/batch", json=batch, headers=JAN), 409)

    listed = (await api.get(f"/v1/calls/{cid}/offers", headers=JAN)).json()["items"]
    assert {o["id"] for o in listed} == {offers[1]["id"], offers[2]["id"]}  # not the conflicted bidder's
    assert (await api.get(f"/v1/offers/{offers[1]['id']}", headers=JAN)).json()["total_price_grosze"] == 45_000_000
    problem(await api.get(f"/v1/offers/{offers[0]['id']}", headers=JAN), 403)
    bidders = {b["provider_id"]: b for b in (await api.get(f"/v1/calls/{cid}/bidders", headers=JAN)).json()["items"]}
    assert bidders[providers[0]["id"]]["offer_ids"] == []
    assert bidders[providers[1]["id"]]["offer_ids"] == [offers[1]["id"]]
    as_municipality = (await api.get(f"/v1/calls/{cid}/bidders", headers=STARACHOWICE)).json()["items"]
    assert sorted(o for b in as_municipality for o in b["offer_ids"]) == sorted(o["id"] for o in offers)
    problem(await api.get(f"/v1/calls/{cid}/offers", headers=OUTSIDER), 404)


async def test_a_lot_split_between_winners_is_data_and_each_contract_carries_its_share(api, client, clock):
    call, providers, offers = await opened_call_with_offers(api, client, clock)
    clock.set(datetime.fromisoformat(call["deadline"]))
    for offer in offers[:2]:
        await api.put(f"/v1/offers/{offer['id']}/formal-check", json={"passed": True}, headers=STARACHOWICE)
    url = f"/v1/calls/{call['id']}/lots/{call['lots'][0]['id']}/award-decision"
    too_many = {
        "winners": [
            {"offer_id": offers[0]["id"], "value_grosze": 24_000_000, "quantity": 8_000},
            {"offer_id": offers[1]["id"], "value_grosze": 22_500_000, "quantity": 8_000},
        ],
        "reason": "Podział zadania między dwóch oferentów.",
    }
    assert (
        "16000 units exceed the lot's 12000"
        in problem(await api.post(url, json=too_many, headers=STARACHOWICE), 422)["detail"]
    )
    more_than_offered = {**too_many, "winners": [{"offer_id": offers[0]["id"], "quantity": 12_001}]}
    refused = problem(await api.post(url, json=more_than_offered, headers=STARACHOWICE), 422)
    assert refused["errors"][0]["field"] == "winners.0.quantity"
    split = {**too_many, "winners": [{**w, "quantity": 6_000} for w in too_many["winners"]]}
    decided = await api.post(url, json=split, headers=STARACHOWICE)
    assert decided.status_code == 201, decided.text
    shares = {w["provider_id"]: w["quantity"] for w in decided.json()["winners"]}
    assert shares == {providers[0]["id"]: 6_000, providers[1]["id"]: 6_000}
    for winner in decided.json()["winners"]:
        contract = (await api.get(f"/v1/contracts/{winner['contract_id']}")).json()
        assert contract["quantity"] == 6_000 and contract["value_grosze"] == winner["value_grosze"]
