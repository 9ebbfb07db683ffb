"""The law's limits, each stated as a situation and its outcome with the article named."""

from __future__ import annotations

import uuid
from datetime import datetime

from services.commissioning.worker import run_due_events
from shared.db import database_of
from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import STARACHOWICE, provider
from tests.commissioning.factories import (
    ANSWERS,
    as_gmina,
    award_the_only_offer,
    awarded_and_signed,
    municipality,
    need,
    offer,
    open_call,
    setup_open_call,
    sign,
)
from tests.helpers import problem


async def small_grant(api, client, value_pln: int, deadline_days: float = 8) -> dict:
    need_ = await need(api, client, value_pln=value_pln, days=60)
    return await open_call(api, need_, mode="small-grant", deadline_days=deadline_days, value_pln=value_pln)


async def test_small_grants_to_one_organisation_stop_at_20000_pln_a_year(api, client, clock):
    """UDPP art. 19a: one authority grants one organisation at most 20 000 zł a year by small grants. Three
    9 000 + 9 000 + 5 000 zł grants: the third, which would make 23 000 zł, is refused at the award; and an offer
    that would pass the cap is refused when it is submitted."""
    await municipality(api)
    ngo = await verified_provider(client)
    calls = [await small_grant(api, client, value) for value in (9_000, 9_000, 5_000)]
    later = await small_grant(api, client, 3_000, deadline_days=20)  # still open after the others are decided
    for call, price in zip(calls, (9_000, 9_000, 5_000), strict=True):
        assert (await offer(api, call, ngo["id"], price)).status_code == 201  # nothing awarded yet
    clock.set(max(datetime.fromisoformat(c["deadline"]) for c in calls))
    decided = [(await award_the_only_offer(api, call))[0] for call in calls]
    assert [d.status_code for d in decided[:2]] == [201, 201]
    refused = problem(decided[2], 422)
    assert refused["violations"][0]["rule"] == "small-grant-yearly-cap"
    assert "UDPP art. 19a" in refused["violations"][0]["legal_basis"]
    assert refused["violations"][0]["compared"]["granted_grosze"] == 1_800_000
    assert "23 000,00 zł" in refused["violations"][0]["detail"]

    too_much = problem(await offer(api, later, ngo["id"], 3_000), 422)
    assert too_much["violations"][0]["rule"] == "small-grant-yearly-cap"
    assert (await offer(api, later, ngo["id"], 2_000)).status_code == 201  # exactly 20 000 zł: allowed


async def test_an_amendment_keeps_to_the_modes_limits_and_waits_for_the_signature(
    api, client, clock, commissioning_app
):
    """Pzp art. 361: a reserved social-services contract lasts at most 3 years, amendments included; and an
    amendment (aneks) changes a signed contract only."""
    contract, own = await awarded_and_signed(api, client, clock, mode="reserved-361", value_pln=200_000, days=365)
    url = f"/v1/contracts/{contract['id']}/amendments"
    longer = {"reason": "Przedłużenie o 25 miesięcy", "period_end": "2029-06-30"}
    before = problem(
        await api.post(url, json=longer, headers={**STARACHOWICE, "If-Match": f'"{contract["version"]}"'}), 409
    )
    assert "signed" in before["detail"]
    clock.advance(days=6)
    await run_due_events(database_of(commissioning_app).write, clock)
    signed = await sign(api, contract["id"], own, clock.now().date())
    refused = problem(
        await api.post(url, json=longer, headers={**STARACHOWICE, "If-Match": f'"{signed["version"]}"'}), 422
    )
    assert refused["violations"][0]["rule"] == "reserved-361-max-duration"
    assert "art. 361" in refused["violations"][0]["legal_basis"]
    within = {"reason": "Przedłużenie w granicach 3 lat", "period_end": "2029-05-31"}
    assert (
        await api.post(url, json=within, headers={**STARACHOWICE, "If-Match": f'"{signed["version"]}"'})
    ).status_code == 200


async def test_refusals_and_reasons_speak_polish_when_asked(api, client):
    """Accept-Language: pl gives the Polish text, with the article as officials write it; both are always there."""
    await municipality(api)
    need_ = await need(api, client, value_pln=12_000, days=60)
    body = {
        "need_id": need_["id"],
        "title": "Mały grant ponad limit",
        "mode": "small-grant",
        "lots": [{"title": "Zajęcia", "quantity": 100, "value_grosze": 1_200_000}],
        "criteria": [{"code": "quality", "name": "jakość", "kind": "quality", "weight": 100}],
        "deadline": "2026-03-20T12:00:00+01:00",
    }
    polish = await api.post(
        "/v1/calls", json=body, headers={**STARACHOWICE, "Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"}
    )
    refused = problem(polish, 422)["violations"][0]
    assert refused["detail"] == "wartość 12 000,00 zł przekracza limit 10 000,00 zł"
    assert refused["legal_basis"] == "art. 19a ustawy o działalności pożytku publicznego i o wolontariacie"
    assert refused["detail_en"] == "value 12 000,00 zł exceeds the limit of 10 000,00 zł"
    english = problem(await api.post("/v1/calls", json=body, headers=STARACHOWICE), 422)
    assert english["violations"][0]["detail"] == refused["detail_en"] and english["violations"][0]["detail_pl"]
    advice = (
        await api.get(f"/v1/needs/{need_['id']}/mode-advice", headers={**STARACHOWICE, "Accept-Language": "pl"})
    ).json()
    small = next(m for m in advice["modes"] if m["mode"] == "small-grant")
    assert small["reasons"][0]["detail"].startswith("wartość 12 000,00 zł")


async def test_a_small_grant_offer_is_published_7_days_for_comments_before_the_contract(
    api, client, clock, commissioning_app
):
    """UDPP art. 19a: the authority publishes the offer for 7 days for comments, then signs. The 7 days belong to
    the offer, not to the call, which may close sooner."""
    await municipality(api)
    ngo = await verified_provider(client)
    need_ = await need(api, client, value_pln=8_000, days=60)
    call = await open_call(api, need_, mode="small-grant", deadline_days=2, value_pln=8_000)  # 2 days: allowed
    assert (await offer(api, call, ngo["id"], 8_000)).status_code == 201
    clock.set(datetime.fromisoformat(call["deadline"]))
    decided, winning = await award_the_only_offer(api, call, "Oferta celowa i rzetelna.")
    assert decided.status_code == 201, decided.text
    results = (await api.get(f"/v1/calls/{call['id']}/results")).json()["items"]  # public
    published = results[0]["winners"][0]["published_offer"]
    assert published["total_price_grosze"] == 800_000 and published["answers"] == ANSWERS
    until = datetime.fromisoformat(results[0]["standstill_until"])
    assert (until - clock.now()).days == 7  # longer than the 5-day standstill
    url = f"/v1/calls/{call['id']}/offers/{winning['id']}/comments"
    neighbour = provider((await verified_provider(client))["id"])
    keyed = {**neighbour, "Idempotency-Key": "comment-retry-0001"}
    made = await api.post(url, json={"comment": "Stawka za godzinę wydaje się wysoka."}, headers=keyed)
    assert made.status_code == 201, made.text
    again = await api.post(url, json={"comment": "Stawka za godzinę wydaje się wysoka."}, headers=keyed)
    assert again.headers["idempotent-replayed"] == "true" and again.json()["id"] == made.json()["id"]
    listed = (await api.get(f"/v1/calls/{call['id']}/comments")).json()["items"]
    assert [c["comment"] for c in listed] == ["Stawka za godzinę wydaje się wysoka."] and "author" not in listed[0]
    clock.advance(days=5)
    await run_due_events(database_of(commissioning_app).write, clock)
    contract_id = results[0]["winners"][0]["contract_id"]
    assert (await api.get(f"/v1/contracts/{contract_id}")).json()["status"] == "standstill"  # still published
    clock.set(until)
    problem(await api.post(url, json={"comment": "Za późno na uwagi."}, headers=neighbour), 409)
    await run_due_events(database_of(commissioning_app).write, clock)
    assert (await api.get(f"/v1/contracts/{contract_id}")).json()["status"] == "awaiting-signature"


async def test_an_authoritys_small_grants_stop_at_20_percent_of_its_planned_ngo_grants(api, client, clock):
    """UDPP art. 19a: small grants together may take at most 20 % of the grants the year's budget plans for NGOs.
    With 100 000 zł planned, two grants of 9 000 zł leave room for 2 000 zł more, whoever asks."""
    await municipality(api)
    budget = await api.put(
        "/v1/municipalities/2611011/budgets/2026", json={"ngo_grants_planned_grosze": 10_000_000}, headers=STARACHOWICE
    )
    assert budget.status_code == 200, budget.text
    problem(
        await api.put(
            "/v1/municipalities/2611011/budgets/2026",
            json={"ngo_grants_planned_grosze": 1},
            headers=provider(str(uuid.uuid4())),
        ),
        403,
    )
    assert (await api.get("/v1/municipalities/2611011/budgets")).json()["items"][0][
        "ngo_grants_planned_grosze"
    ] == 10_000_000
    first, second, third = [await verified_provider(client) for _ in range(3)]
    calls = [await small_grant(api, client, 9_000) for _ in range(2)]
    later = await small_grant(api, client, 3_000, deadline_days=20)
    for call, ngo in zip(calls, (first, second), strict=True):
        assert (await offer(api, call, ngo["id"], 9_000)).status_code == 201
    clock.set(max(datetime.fromisoformat(c["deadline"]) for c in calls))
    for call in calls:
        decided, _ = await award_the_only_offer(api, call)
        assert decided.status_code == 201, decided.text
    refused = problem(await offer(api, later, third["id"], 3_000), 422)["violations"][0]
    assert refused["rule"] == "small-grant-authority-ceiling" and refused["compared"]["limit_grosze"] == 2_000_000
    assert (await offer(api, later, third["id"], 2_000)).status_code == 201


async def test_a_pzp_contracts_value_changes_on_a_basis_of_art_455(api, client, clock, commissioning_app):
    """Pzp art. 455: a change of value needs its basis; below 10 % of the original value it is de minimis
    (ust. 2); additional services or unforeseeable needs allow up to 50 % (ust. 1 pkt 3, 4)."""
    contract, own = await awarded_and_signed(api, client, clock, mode="reserved-361", value_pln=200_000, days=365)
    clock.advance(days=6)
    await run_due_events(database_of(commissioning_app).write, clock)
    signed = await sign(api, contract["id"], own, clock.now().date())
    url = f"/v1/contracts/{contract['id']}/amendments"

    async def amend(value_pln: int, basis: str | None) -> dict:
        body = {"reason": "Aneks: więcej godzin usług", "value_grosze": value_pln * 100}
        if basis:
            body["change_basis"] = basis
        current = (await api.get(f"/v1/contracts/{contract['id']}")).json()
        return await api.post(url, json=body, headers=as_gmina(current))

    no_basis = problem(await amend(215_000, None), 422)["violations"][0]
    assert no_basis["rule"] == "pzp-change-basis" and no_basis["legal_basis"] == "Pzp art. 455"
    too_big = problem(await amend(230_000, "de-minimis"), 422)["violations"][0]
    assert too_big["rule"] == "pzp-change-de-minimis" and too_big["compared"]["limit_grosze"] == 2_000_000
    assert (await amend(215_000, "de-minimis")).status_code == 200  # 7.5 %
    over_half = problem(await amend(310_000, "additional-services"), 422)["violations"][0]
    assert over_half["rule"] == "pzp-change-additional-services" and "ust. 1 pkt 3" in over_half["legal_basis"]
    assert (await amend(290_000, "additional-services")).status_code == 200  # 45 % of the original
    assert signed["value_grosze"] == 20_000_000


async def test_common_refusals_speak_polish_too(api, client, clock):
    """The kit's and the call's refusals: Polish for `Accept-Language: pl`, both texts kept."""
    from shared.auth import Role, mint_token

    polish = {"Accept-Language": "pl"}
    expired = {"Authorization": f"Bearer {mint_token(role=Role.ADMIN, ttl_seconds=-10)}", **polish}
    refused = problem(await api.get("/v1/rules", headers=expired), 401)
    assert refused["detail"] == "Token wygasł." and refused["detail_en"] == "The token has expired."
    call = await setup_open_call(api, client)
    clock.set(datetime.fromisoformat(call["deadline"]))
    late = problem(
        await api.post(
            f"/v1/calls/{call['id']}/questions",
            json={"question": "Czy można jeszcze?"},
            headers={**provider(str(uuid.uuid4())), **polish},
        ),
        409,
    )
    assert late["detail"].startswith("Termin składania ofert upłynął") and late["detail_en"].startswith("The call is")


async def test_a_grant_is_amended_within_the_funds_its_call_announced(api, client, clock, commissioning_app):
    """UDPP art. 13 ust. 2 pkt 2: the announcement of an open competition states the public funds for the task;
    an amendment (aneks) of the grant cannot take it above them. 500 000 zł announced and granted: 550 000 zł is
    refused, 450 000 zł (a cut) is accepted."""
    contract, own = await awarded_and_signed(api, client, clock, mode="open-competition", value_pln=500_000, days=300)
    clock.advance(days=6)
    await run_due_events(database_of(commissioning_app).write, clock)
    signed = await sign(api, contract["id"], own, clock.now().date())
    url = f"/v1/contracts/{signed['id']}/amendments"
    more = {"reason": "Zwiększenie dotacji", "value_grosze": 55_000_000}
    refused = problem(await api.post(url, json=more, headers={**as_gmina(signed), "Accept-Language": "pl"}), 422)
    violation = refused["violations"][0]
    assert violation["rule"] == "grant-over-announced-funds"
    assert (
        violation["legal_basis"] == "art. 13 ust. 2 pkt 2 ustawy o działalności pożytku publicznego i o wolontariacie"
    )
    assert "550 000,00 zł" in violation["detail"] and "500 000,00 zł" in violation["detail"]
    less = {"reason": "Zmniejszenie zakresu zadania", "value_grosze": 45_000_000}
    cut = await api.post(url, json=less, headers=as_gmina(signed))
    assert cut.status_code == 200, cut.text
    assert cut.json()["value_grosze"] == 45_000_000


async def test_an_amended_small_grant_still_keeps_the_yearly_cap(api, client, clock, commissioning_app):
    """UDPP art. 19a: 10 000 + 9 000 + 1 000 zł of small grants to one organisation in a year is 20 000 zł; raising
    the third to 2 000 zł by an amendment would make 21 000 zł, and is refused like a fourth grant would be."""
    await municipality(api)
    ngo = await verified_provider(client)
    calls = [await small_grant(api, client, value) for value in (10_000, 9_000, 1_000)]
    for call, price in zip(calls, (10_000, 9_000, 1_000), strict=True):
        assert (await offer(api, call, ngo["id"], price)).status_code == 201
    clock.set(max(datetime.fromisoformat(c["deadline"]) for c in calls))
    decided = [(await award_the_only_offer(api, call))[0] for call in calls]
    assert [d.status_code for d in decided] == [201, 201, 201]
    clock.advance(days=8)  # the standstill and the 7 days for comments on the published offers
    await run_due_events(database_of(commissioning_app).write, clock)
    last = await sign(api, decided[2].json()["winners"][0]["contract_id"], provider(ngo["id"]), clock.now().date())
    url = f"/v1/contracts/{last['id']}/amendments"
    refused = problem(
        await api.post(url, json={"reason": "Więcej zajęć", "value_grosze": 200_000}, headers=as_gmina(last)), 422
    )
    assert refused["violations"][0]["rule"] == "small-grant-yearly-cap"
    assert "21 000,00 zł" in refused["violations"][0]["detail"]
