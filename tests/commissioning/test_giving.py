"""The UDPP grants (open competitions and small grants) as 360Giving 1.4.3: valid by the official package and
grant schemas, with the amounts asked and awarded, the recipient's and funder's ids, the payments as disbursements;
public (the same for every caller), nothing before a lot is decided, and nothing of the other modes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from services.commissioning.giving.schemas import GivingPackage
from services.commissioning.worker import run_due_events
from shared.db import database_of
from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import KIELCE, STARACHOWICE, provider
from tests.commissioning.factories import (
    award_the_only_offer,
    awarded_and_signed,
    draft,
    municipality,
    need,
    offer,
    open_call,
    sign,
)
from tests.conftest import ADMIN
from tests.helpers import GIVING, assert_valid, giving_validator, problem

pytestmark = pytest.mark.skipif(
    not GIVING.exists(), reason=f"the official 360Giving schemas are not beside this clone ({GIVING}); CI has them"
)


def assert_valid_giving(name: str, document: dict[str, Any]) -> None:
    assert_valid(name, document, giving_validator(name))


async def grants(api, **params: Any) -> list[dict[str, Any]]:
    response = await api.get("/360giving/grants", params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["grants"])


async def small_grants_awarded(api, client, clock, *values_pln: int) -> list[dict[str, Any]]:
    """Small grants, one offer each of the announced amount, their lots decided: the calls."""
    calls = []
    for value in values_pln:
        ngo = await verified_provider(client)
        need_ = await need(api, client, value_pln=value, days=60)
        calls.append(await open_call(api, need_, mode="small-grant", deadline_days=8, value_pln=value))
        assert (await offer(api, calls[-1], ngo["id"], value)).status_code == 201
    clock.set(max(datetime.fromisoformat(call["deadline"]) for call in calls))
    for call in calls:
        decided, _ = await award_the_only_offer(api, call)
        assert decided.status_code == 201, decided.text
        clock.advance(minutes=1)
    return calls


async def test_an_open_competition_signed_amended_and_paid_as_valid_360giving(api, client, clock, commissioning_app):
    contract, own = await awarded_and_signed(api, client, clock, mode="open-competition", value_pln=500_000, days=300)
    clock.advance(days=6)
    await run_due_events(database_of(commissioning_app).write, clock)
    signed = await sign(api, contract["id"], own, clock.now().date())
    cut = await api.post(
        f"/v1/contracts/{signed['id']}/amendments",
        json={"reason": "Zmniejszenie zakresu zadania", "value_grosze": 45_000_000},
        headers={**STARACHOWICE, "If-Match": f'"{signed["version"]}"'},
    )
    assert cut.status_code == 200, cut.text
    paid = await api.post(
        f"/v1/contracts/{signed['id']}/payments",
        json={"amount_grosze": 12_345_67, "paid_on": clock.now().date().isoformat()},
        headers=STARACHOWICE,
    )
    assert paid.status_code == 201, paid.text
    ngo = (await client.get(f"/v1/providers/{contract['provider_id']}")).json()

    package = (await api.get("/360giving/grants")).json()
    assert_valid_giving("360-giving-package-schema.json", package)
    assert GivingPackage.model_validate(package).model_dump(mode="json", exclude_unset=True) == package
    (grant,) = package["grants"]
    assert grant["id"] == f"360G-cus-{contract['award_id']}"
    assert grant["currency"] == "PLN"
    assert grant["amountAppliedFor"] == 500_000.0  # the offer asked for the whole announced amount
    assert grant["amountAwarded"] == 450_000.0  # the contract as amended
    assert grant["amountDisbursed"] == 12_345.67
    assert grant["disbursementTransaction"] == [
        {
            "id": paid.json()["id"],
            "transactionDate": clock.now().date().isoformat(),
            "currency": "PLN",
            "value": 12_345.67,
            "provider": "PL-TERC-2611011",
            "recipient": f"PL-NIP-{ngo['nip']}",
        }
    ]
    assert grant["fromOpenCall"] == "Yes"
    assert grant["recipientOrganization"][0] == {"id": f"PL-NIP-{ngo['nip']}", "name": ngo["name"]}
    assert grant["fundingOrganization"][0]["id"] == "PL-TERC-2611011"
    assert grant["beneficiaryLocation"][0]["geoCode"] == "2611011"
    assert grant["plannedDates"] == [{"startDate": signed["period_start"], "endDate": signed["period_end"]}]
    call = (await api.get(f"/v1/calls/{contract['call_id']}")).json()
    assert grant["grantProgramme"] == [{"code": call["ocid"], "title": call["title"]}]

    one = await api.get(f"/360giving/grants/{grant['id']}")
    assert one.json() == grant
    assert_valid_giving("360-giving-schema.json", one.json())
    # public data: every role (and no one) reads the same
    for headers in ({}, STARACHOWICE, KIELCE, own, provider("00000000-0000-0000-0000-000000000001"), ADMIN):
        assert (await api.get("/360giving/grants", headers=headers)).json() == package
        assert (await api.get(f"/360giving/grants/{grant['id']}", headers=headers)).json() == grant


async def test_a_small_grant_is_not_from_an_open_call_and_pages_follow_the_link(api, client, clock):
    await municipality(api)
    first, second = await small_grants_awarded(api, client, clock, 9_000, 7_500)
    package = (await api.get("/360giving/grants")).json()
    assert_valid_giving("360-giving-package-schema.json", package)
    assert [(g["grantProgramme"][0]["code"], g["fromOpenCall"]) for g in package["grants"]] == [
        (first["ocid"], "No"),
        (second["ocid"], "No"),
    ]
    assert [g["amountAwarded"] for g in package["grants"]] == [9_000.0, 7_500.0]
    assert [g["amountAppliedFor"] for g in package["grants"]] == [9_000.0, 7_500.0]
    assert "disbursementTransaction" not in package["grants"][0]  # nothing paid yet
    assert package["grants"][0]["plannedDates"] == [
        {"startDate": first["period_start"], "endDate": first["period_end"]}
    ]

    page = await api.get("/360giving/grants", params={"per_page": 1})
    assert page.json()["grants"] == package["grants"][:1]
    nxt = page.links["next"]["url"]
    assert nxt.endswith("/360giving/grants?page=2&per_page=1")
    last = await api.get("/360giving/grants", params={"page": 2, "per_page": 1})
    assert last.json()["grants"] == package["grants"][1:] and "link" not in last.headers


async def test_drafts_undecided_calls_and_other_modes_publish_no_grant(api, client, clock):
    reserved, _ = await awarded_and_signed(api, client, clock, mode="reserved-361", value_pln=200_000, days=365)
    await draft(api, await need(api, client, value_pln=50_000, days=60), mode="open-competition")
    undecided = await open_call(
        api, await need(api, client, value_pln=50_000, days=60), mode="open-competition", deadline_days=60
    )
    ngo = await verified_provider(client)
    assert (await offer(api, undecided, ngo["id"], 50_000)).status_code == 201
    clock.set(datetime.fromisoformat(undecided["deadline"]))  # offers opened, nothing decided
    assert await grants(api) == []
    assert (await api.get("/ocds/releases")).json()["releases"]  # what OCDS publishes of the same calls
    gone = problem(await api.get(f"/360giving/grants/360G-cus-{reserved['award_id']}"), 404)
    assert gone["type"].endswith("not-found")


async def test_bad_paging_and_unknown_grants_are_problems(api):
    for params in ({"page": 0}, {"per_page": 501}, {"page": "x"}):
        problem(await api.get("/360giving/grants", params=params), 422)
    for grant_id in ("360G-cus-6f1c1c8e-8c1f-4c55-9d59-2a9f0c3a7b11", "360G-cus-nope", "GB-CHC-123"):
        missing = problem(await api.get(f"/360giving/grants/{grant_id}", headers={"Accept-Language": "pl"}), 404)
        assert missing["detail"] == f"Żadna opublikowana dotacja nie ma identyfikatora {grant_id}."
        assert missing["detail_en"] == f"No published grant has the id {grant_id}."
