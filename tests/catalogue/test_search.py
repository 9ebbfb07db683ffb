"""Catalogue search: diacritics-insensitive text, combinable filters, place semantics, sorting, totals."""

from __future__ import annotations

from tests.catalogue.factories import create_offering, service_type_id, verified_provider
from tests.helpers import problem


async def offerings(client, **params) -> list[dict]:
    response = await client.get("/v1/offerings", params={"per_page": 100, **params})
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def titles(items: list[dict]) -> list[str]:
    return [i["title"] for i in items]


async def catalogue(client) -> dict[str, dict]:
    coop = await verified_provider(client)  # social cooperative, PS, Starachowice
    company = await verified_provider(
        client,
        legal_form="company",
        name="Opieka Domowa Sp. z o.o.",
        social_economy={"is_pes": False, "employees": 40},
    )

    async def offering(owner: dict, title: str, area: str, price: int, **fields) -> dict:
        return await create_offering(
            client, owner["id"], title=title, delivery_areas=[area], unit_price_grosze=price, **fields
        )

    return {
        "gmina": await offering(coop, "Usługi opiekuńcze Starachowice", "2611011", 4000, capacity_per_month=100),
        "powiat": await offering(
            company, "Usługi opiekuńcze w powiecie", "2611", 3500, capacity_per_month=50, capacity_committed=45
        ),
        "voivodeship": await offering(coop, "Usługi opiekuńcze w regionie", "26", 5000, capacity_per_month=500),
        "kielce": await offering(company, "Usługi opiekuńcze Kielce", "2661011", 4500),
        "other-gmina": await offering(coop, "Usługi opiekuńcze Brody", "2611022", 3900),
        "yoga": await offering(
            coop, "Joga dla seniorów", "2611011", 2000, service_type="yoga", target_groups=["seniors"]
        ),
        "warsaw": await offering(company, "Usługi opiekuńcze Warszawa", "1465011", 6000),
    }


async def test_text_search_ignores_diacritics_and_the_last_word_is_a_prefix(client):
    await catalogue(client)
    plain = await offerings(client, q="uslugi opiekuncze")
    accented = await offerings(client, q="usługi opiekuńcze")
    assert len(plain) == 6 and titles(plain) == titles(accented)
    assert titles(await offerings(client, q="opiekuncze star")) == ["Usługi opiekuńcze Starachowice"]
    assert len(await offerings(client, q="opiek")) == 6  # the last word matches as a prefix
    assert await offerings(client, q="opiek star") == []  # earlier words match whole
    assert titles(await offerings(client, q="JOGA")) == ["Joga dla seniorów"]
    assert await offerings(client, q="hydraulik") == []


async def test_place_gmina_matches_gmina_powiat_and_voivodeship_offerings(client):
    await catalogue(client)
    found = set(titles(await offerings(client, q="uslugi opiekuncze", place="2611011")))
    assert found == {
        "Usługi opiekuńcze Starachowice",
        "Usługi opiekuńcze w powiecie",
        "Usługi opiekuńcze w regionie",
    }
    powiat = set(titles(await offerings(client, q="uslugi opiekuncze", place="2611")))
    assert powiat == found | {"Usługi opiekuńcze Brody"}
    kielce = set(titles(await offerings(client, q="uslugi opiekuncze", place="2661011")))
    assert kielce == {"Usługi opiekuńcze Kielce", "Usługi opiekuńcze w regionie"}
    problem(await client.get("/v1/offerings", params={"place": "2611019"}), 422)


async def test_filters_combine_with_and(client):
    await catalogue(client)
    pes = titles(await offerings(client, q="uslugi", pes_only=True, place="2611011"))
    assert set(pes) == {"Usługi opiekuńcze Starachowice", "Usługi opiekuńcze w regionie"}
    company = titles(await offerings(client, legal_form="company", place="2611"))
    assert company == ["Usługi opiekuńcze w powiecie"]
    ps = set(titles(await offerings(client, social_enterprise_only=True, area="sport-tourism")))
    assert ps == {"Joga dla seniorów"}
    free = set(titles(await offerings(client, q="uslugi", place="2611011", min_free_capacity=10)))
    assert free == {"Usługi opiekuńcze Starachowice", "Usługi opiekuńcze w regionie"}
    yoga_type = await service_type_id(client, "yoga")
    assert titles(await offerings(client, service_type=yoga_type)) == ["Joga dla seniorów"]
    assert titles(await offerings(client, target_group="seniors", area="sport-tourism")) == ["Joga dla seniorów"]
    assert titles(await offerings(client, area="social-assistance", max_unit_price_grosze=3600)) == [
        "Usługi opiekuńcze w powiecie"
    ]


async def test_sorting_and_pagination_with_totals(client):
    await catalogue(client)
    by_price = await offerings(client, q="uslugi", sort="price")
    prices = [o["unit_price_grosze"] for o in by_price]
    assert prices == sorted(prices)
    desc = [o["unit_price_grosze"] for o in await offerings(client, q="uslugi", sort="-price")]
    assert desc == sorted(prices, reverse=True)
    free = [o["free_capacity"] for o in await offerings(client, q="uslugi", sort="-free_capacity")]
    assert free == sorted(free, reverse=True)
    page1 = (await client.get("/v1/offerings", params={"q": "uslugi", "sort": "price", "per_page": 4})).json()
    page2 = (
        await client.get("/v1/offerings", params={"q": "uslugi", "sort": "price", "per_page": 4, "page": 2})
    ).json()
    assert page1["total"] == page2["total"] == 6 and page1["pages"] == 2
    assert [o["unit_price_grosze"] for o in page1["items"] + page2["items"]] == prices
    beyond = (await client.get("/v1/offerings", params={"q": "uslugi", "page": 9})).json()
    assert beyond["items"] == [] and beyond["total"] == 6


async def test_bad_search_parameters_are_problems(client):
    for params, field in (
        ({"area": "space"}, "area"),
        ({"target_group": "aliens"}, "target_group"),
        ({"service_type": "not-a-uuid"}, "service_type"),
        ({"service_type": "0b0e3a4e-2f4e-5c61-9b43-3c7b5b5c1a11"}, "service_type"),
        ({"sort": "random"}, "sort"),
        ({"per_page": 1000}, "per_page"),
        ({"page": 0}, "page"),
        ({"min_free_capacity": -1}, "min_free_capacity"),
        ({"q": "x" * 201}, "q"),
        ({"legal_form": "llc"}, "legal_form.0"),
    ):
        body = problem(await client.get("/v1/offerings", params=params), 422)
        assert body["errors"][0]["field"] == field, (params, body)
        assert body["errors"][0]["location"] == "query"


async def test_fast_serialised_offerings_match_their_documented_schema(client):
    """Search pages and offerings are serialised without a model round-trip; they must still be exactly what
    the OpenAPI description promises (the models forbid unknown fields)."""
    from services.catalogue.offerings.schemas import OfferingOut
    from shared.pagination import Page

    made = await catalogue(client)
    page = (await client.get("/v1/offerings", params={"q": "opiekuncze", "sort": "price"})).json()
    validated = Page[OfferingOut].model_validate(page)
    assert validated.total == 6 and validated.items[0].provider.name
    assert page["items"][0]["created_at"].endswith("Z")
    one = await client.get(f"/v1/offerings/{made['yoga']['id']}")
    assert OfferingOut.model_validate(one.json()).schedule == []
    spec = (await client.get("/openapi.json")).json()
    search = spec["paths"]["/v1/offerings"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert search["$ref"].endswith("Page_OfferingOut_")
