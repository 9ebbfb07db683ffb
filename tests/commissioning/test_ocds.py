"""OCDS 1.1 output validates against the official package schemas (release schema resolved locally, the lots and
bids extensions merged in), never reveals sealed offers, and its compiled release is what the reference
implementation (ocdsmerge) compiles from its releases."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import ocdsmerge
import pytest

from services.commissioning.ocds.mapping import package_order
from services.commissioning.ocds.schemas import OcdsRecordPackage, OcdsReleasePackage
from services.commissioning.worker import run_due_events
from shared.db import database_of
from tests.commissioning.conftest import STARACHOWICE, provider
from tests.commissioning.factories import EWA, merit, opened_call_with_offers, sign
from tests.helpers import OCDS, assert_valid, release_schema

pytestmark = pytest.mark.skipif(
    not OCDS.exists(), reason=f"the official OCDS schemas are not beside this clone ({OCDS}); CI always has them"
)


async def test_a_whole_process_as_valid_ocds(api, client, clock, commissioning_app):
    call, providers, offers = await opened_call_with_offers(
        api, client, clock, prices=(48_100_000, 45_200_000, 49_300_000)
    )
    record_url = f"/ocds/records/{call['ocid']}"
    sealed = (await api.get(record_url)).json()
    assert_valid("record-package-schema.json", sealed)
    text = json.dumps(sealed)
    assert "bids" not in sealed["records"][0]["compiledRelease"]
    for offer in offers:  # nothing of an offer shows before the deadline: not its id, price or provider
        assert offer["id"] not in text and str(offer["total_price_grosze"] / 100) not in text
        assert offer["provider_id"] not in text

    clock.set(datetime.fromisoformat(call["deadline"]))
    for offer in offers:
        await api.put(f"/v1/offers/{offer['id']}/formal-check", json={"passed": True}, headers=STARACHOWICE)
        await api.post(
            f"/v1/calls/{call['id']}/declarations",
            json={"provider_id": offer["provider_id"], "conflict": False},
            headers=EWA,
        )
        await api.put(f"/v1/offers/{offer['id']}/scores", json=merit(70, 50), headers=EWA)
    lot = call["lots"][0]["id"]
    decided = await api.post(
        f"/v1/calls/{call['id']}/lots/{lot}/award-decision",
        headers=STARACHOWICE,
        json={"winners": [{"offer_id": offers[1]["id"]}], "reason": "Najlepsza oferta."},
    )
    assert decided.status_code == 201, decided.text
    clock.advance(days=5)
    await run_due_events(database_of(commissioning_app).write, clock)
    contract_id = decided.json()["winners"][0]["contract_id"]
    await sign(api, contract_id, provider(providers[1]["id"]), clock.now().date())
    clock.set(datetime(2026, 9, 1, 8, 0, tzinfo=UTC))  # the reported period is over
    report = {
        "period_start": "2026-06-01",
        "period_end": "2026-08-31",
        "units_delivered": 3000,
        "people_served": {"seniors": 40},
    }
    sent = (
        await api.post(f"/v1/contracts/{contract_id}/reports", json=report, headers=provider(providers[1]["id"]))
    ).json()
    await api.put(
        f"/v1/reports/{sent['id']}/review", json={"decision": "accept"}, headers={**STARACHOWICE, "If-Match": '"1"'}
    )
    await api.post(
        f"/v1/contracts/{contract_id}/payments",
        json={"amount_grosze": 1_000_000, "paid_on": "2026-07-10"},
        headers=STARACHOWICE,
    )

    package = (await api.get("/ocds/releases")).json()
    assert_valid("release-package-schema.json", package)
    tags = [r["tag"][0] for r in package["releases"] if r["ocid"] == call["ocid"]]
    assert tags == ["planning", "tender", "tenderUpdate", "award", "contract", "implementation"]
    record = (await api.get(record_url)).json()
    assert_valid("record-package-schema.json", record)
    # what the OpenAPI document declares parses the whole answer, every declared field typed as the data is
    typed = OcdsRecordPackage.model_validate(record)
    assert typed.model_dump(mode="json", exclude_unset=True) == record
    assert typed.records[0].compiledRelease.contracts[0].implementation.transactions[0].value.amount == 10000.0
    assert OcdsReleasePackage.model_validate(package).model_dump(mode="json", exclude_unset=True) == package
    compiled = record["records"][0]["compiledRelease"]
    assert compiled["tender"]["status"] == "complete" and compiled["tender"]["lots"][0]["status"] == "complete"
    assert len(compiled["bids"]["details"]) == 3 and compiled["tender"]["numberOfTenderers"] == 3
    assert compiled["awards"][0]["suppliers"][0] == {
        "id": f"PL-NIP-{providers[1]['nip']}",
        "name": providers[1]["name"],
    }
    supplier = next(p for p in compiled["parties"] if p["id"] == f"PL-NIP-{providers[1]['nip']}")
    assert supplier["identifier"] == {"scheme": "PL-NIP", "id": providers[1]["nip"], "legalName": providers[1]["name"]}
    assert supplier["roles"] == ["tenderer", "supplier"]
    implementation = compiled["contracts"][0]["implementation"]
    assert implementation["transactions"][0]["value"] == {"amount": 10000.0, "currency": "PLN"}
    assert implementation["milestones"][0]["status"] == "met"

    merger = ocdsmerge.Merger(schema=release_schema())
    merged = merger.create_compiled_release(record["records"][0]["releases"])
    for key in ("id", "date", "tag"):
        merged.pop(key, None)
        compiled.pop(key, None)

    assert merged == compiled

    since = (clock.now() - timedelta(days=1)).isoformat()
    later = (await api.get("/ocds/releases", params={"since": since})).json()
    assert {r["tag"][0] for r in later["releases"]} <= {"contract", "implementation"}
    # the index the pages are cut from says what the releases say, in the package's order (instants, not text)
    everything = (await api.get("/ocds/releases", params={"per_page": 500})).json()["releases"]
    assert [r["id"] for r in everything] == [r["id"] for r in sorted(everything, key=package_order)]
    assert {r["id"] for r in everything if r["ocid"] == call["ocid"]} == {r["id"] for r in record_releases(record)}
    assert [r for r in everything if r["ocid"] == call["ocid"]] == record_releases(record)
    # following `links.next` one release at a time gives the same releases, filters kept from page to page
    assert await harvest(api, "/ocds/releases?per_page=1") == everything
    since_url = f"/ocds/releases?{urlencode({'since': since, 'per_page': 1})}"
    assert await harvest(api, since_url) == later["releases"]
    second = (await api.get("/ocds/releases", params={"page": 2, "per_page": 1})).json()["releases"]
    assert second == everything[1:2]  # page numbers still work, for those who count
    for bad in ("nonsense", "bm90fGF8Y3Vyc29y", "MjAyNi0wMS0wMVQwMDowMDowMHwxMDB8eA=="):  # not base64 / parts / stage
        refused = await api.get("/ocds/releases", params={"after": bad})
        assert refused.status_code == 422 and refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["errors"][0]["field"] == "after", refused.text


def record_releases(record: dict[str, Any]) -> list[dict[str, Any]]:
    return list(record["records"][0]["releases"])


async def harvest(api: Any, url: str) -> list[dict[str, Any]]:
    """Every release, following `links.next` from `url` (the gateway's public base address is cut off)."""
    releases: list[dict[str, Any]] = []
    while url:
        page = (await api.get(url)).json()
        releases += page["releases"]
        following = page.get("links", {}).get("next", "")
        url = following[following.index("/ocds/") :] if following else ""
    return releases


async def test_bulk_files_hold_everything_valid_and_nothing_sealed(api, client, clock):
    call, _providers, offers = await opened_call_with_offers(api, client, clock, prices=(48_100_000, 45_200_000))
    sealed = await api.get("/ocds/bulk/releases.jsonl")
    assert sealed.status_code == 200 and sealed.headers["content-type"].startswith("application/x-ndjson")
    assert 'filename="releases.jsonl"' in sealed.headers["content-disposition"]
    for offer in offers:  # before the deadline, no offer's id, provider or price is in the bulk file
        assert offer["id"] not in sealed.text and offer["provider_id"] not in sealed.text
    clock.set(datetime.fromisoformat(call["deadline"]))

    lines = (await api.get("/ocds/bulk/releases.jsonl")).text.splitlines()
    released = [json.loads(line) for line in lines]
    paged = (await api.get("/ocds/releases", params={"per_page": 500})).json()["releases"]
    assert sorted(released, key=package_order) == paged  # the same releases, whichever way they are read
    assert "tenderUpdate" in {r["tag"][0] for r in released if r["ocid"] == call["ocid"]}
    package = (await api.get("/ocds/bulk/release-package.json")).json()
    assert_valid("release-package-schema.json", package)
    assert package["releases"] == released

    records = [json.loads(line) for line in (await api.get("/ocds/bulk/records.jsonl")).text.splitlines()]
    assert len(records) == len({r["ocid"] for r in released})
    one = next(r for r in records if r["ocid"] == call["ocid"])
    assert one == (await api.get(f"/ocds/records/{call['ocid']}")).json()["records"][0]
    record_package = (await api.get("/ocds/bulk/record-package.json")).json()
    assert_valid("record-package-schema.json", record_package)
    assert record_package["records"] == records


async def test_bulk_files_stream_many_calls_in_batches(api, client, clock, monkeypatch):
    """More calls than one batch: every call once, in publication order, across batch boundaries."""
    from services.commissioning.ocds import router as ocds_router
    from tests.commissioning.factories import municipality, need, open_call

    monkeypatch.setattr(ocds_router, "BULK_BATCH", 2)
    await municipality(api)
    made = []
    for _ in range(5):
        made.append(await open_call(api, await need(api, client)))
        clock.advance(minutes=1)
    records = [json.loads(line) for line in (await api.get("/ocds/bulk/records.jsonl")).text.splitlines()]
    assert [r["ocid"] for r in records] == [c["ocid"] for c in made]
    package = (await api.get("/ocds/bulk/release-package.json")).json()
    assert_valid("release-package-schema.json", package)
    assert len(package["releases"]) == 2 * len(made)  # planning and tender each


async def test_unknown_ocid_and_drafts_are_not_published(api, client):
    from tests.commissioning.factories import draft, municipality, need

    await municipality(api)
    made = await draft(api, await need(api, client))
    response = await api.get(f"/ocds/records/{made['ocid']}")
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"
    assert (await api.get("/ocds/releases")).json()["releases"] == []
    assert (await api.get("/ocds/bulk/releases.jsonl")).text == ""
    empty = (await api.get("/ocds/bulk/release-package.json")).json()
    assert empty["releases"] == [] and empty["publisher"]  # (the schema wants at least one release: none to give)
