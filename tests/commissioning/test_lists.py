"""Lists a municipality's officials and integrators page through: contracts by provider, municipality and
period, sorted by date or value; every /v1 list in one page shape (items, total, page, per_page, pages)."""

from __future__ import annotations

from datetime import datetime

from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import STARACHOWICE
from tests.commissioning.factories import award_the_only_offer, municipality, need, offer, open_call
from tests.helpers import problem


async def test_contracts_are_filtered_by_period_and_provider_and_sorted_by_value(api, client, clock):
    await municipality(api)
    ngo, coop = await verified_provider(client), await verified_provider(client)
    short = await open_call(api, await need(api, client, value_pln=300_000, days=100), value_pln=300_000)
    long = await open_call(api, await need(api, client, value_pln=600_000, days=300), value_pln=600_000)
    assert (await offer(api, short, ngo["id"], 250_000)).status_code == 201
    assert (await offer(api, long, coop["id"], 550_000)).status_code == 201
    clock.set(max(datetime.fromisoformat(c["deadline"]) for c in (short, long)))
    for call in (short, long):
        decided, _ = await award_the_only_offer(api, call)
        assert decided.status_code == 201, decided.text

    async def values(**params) -> list[int]:
        found = await api.get("/v1/contracts", params={"municipality": "2611011", **params})
        assert found.status_code == 200, found.text
        return [c["value_grosze"] for c in found.json()["items"]]

    assert await values(sort="-value") == [55_000_000, 25_000_000]
    assert await values(sort="value") == [25_000_000, 55_000_000]
    assert await values(provider_id=coop["id"]) == [55_000_000]
    # the short one runs June-September 2026, the long one June 2026 - March 2027
    assert await values(period_from="2026-10-01") == [55_000_000]
    assert await values(period_to="2026-05-31") == []
    assert await values(place="26", sort="value") == [25_000_000, 55_000_000]
    page = (await api.get("/v1/contracts", params={"per_page": 1, "sort": "value", "municipality": "2611011"})).json()
    assert (page["total"], page["pages"], len(page["items"])) == (2, 2, 1)
    problem(await api.get("/v1/contracts", params={"sort": "amount"}), 422)
    problem(await api.get("/v1/contracts", params={"period_from": "2026-02-30"}), 422)


async def test_the_named_lists_share_one_page_shape(api, client):
    await municipality(api)
    await need(api, client)
    needs = (await api.get("/v1/municipalities/2611011/needs", headers=STARACHOWICE, params={"per_page": 1})).json()
    assert set(needs) == {"items", "total", "page", "per_page", "pages"} and needs["total"] == 1
    places = (await client.get("/v1/places", params={"parent": "26", "level": "powiat", "per_page": 5})).json()
    assert places["total"] == 14 and len(places["items"]) == 5 and places["pages"] == 3
