from tests.catalogue.factories import create_offering, verified_provider


async def test_areas_and_search(client):
    areas = (await client.get("/v1/areas")).json()
    assert len(areas) == 14
    provider = await verified_provider(client)
    await create_offering(client, provider["id"])
    found = (await client.get("/v1/offerings", params={"q": "uslugi opiekuncze", "place": "2611011"})).json()
    assert found["total"] == 1
