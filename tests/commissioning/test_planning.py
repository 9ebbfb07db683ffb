"""Municipalities, programmes and needs, and the mode advisor through the API."""

from __future__ import annotations

from tests.catalogue.factories import create_offering, service_type_id, verified_provider
from tests.commissioning.conftest import ADMIN, KIELCE, STARACHOWICE, provider
from tests.commissioning.factories import municipality, need
from tests.helpers import problem


async def test_admins_register_municipalities_which_keep_their_own_details(api):
    problem(
        await api.post(
            "/v1/municipalities", json={"terc": "2611011", "name": "Gmina X", "cus_name": "CUS X"}, headers=STARACHOWICE
        ),
        403,
    )
    problem(
        await api.post(
            "/v1/municipalities", json={"terc": "2611014", "name": "Gmina X", "cus_name": "CUS X"}, headers=ADMIN
        ),
        422,
    )
    created = await municipality(api)
    problem(
        await api.post(
            "/v1/municipalities", json={"terc": "2611011", "name": "Gmina X", "cus_name": "CUS X"}, headers=ADMIN
        ),
        409,
    )
    body = {"name": created["name"], "cus_name": "CUS Starachowice", "phone": "+48 41 274 00 00"}
    problem(await api.put("/v1/municipalities/2611011", json=body, headers=KIELCE), 403)
    problem(await api.put("/v1/municipalities/2611011", json=body, headers=STARACHOWICE), 428)
    ok = await api.put("/v1/municipalities/2611011", json=body, headers={**STARACHOWICE, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["cus_name"] == "CUS Starachowice"
    assert (await api.get("/v1/municipalities/2611011")).json()["phone"] == "+48 41 274 00 00"


async def test_programmes_are_public_and_need_a_valid_service_type(api, client):
    await municipality(api)
    care = await service_type_id(client, "care-services")
    body = {
        "title": "Program usług społecznych 2026-2027",
        "period_start": "2026-01-01",
        "period_end": "2027-12-31",
        "resolution_number": "XII/123/2025",
        "resolution_date": "2025-12-18",
        "lines": [
            {"service_type_id": care, "quantity": 20_000, "budget_grosze": 84_000_000, "target_groups": ["seniors"]}
        ],
    }
    created = await api.post("/v1/municipalities/2611011/programmes", json=body, headers=STARACHOWICE)
    assert created.status_code == 201, created.text
    line = created.json()["lines"][0]
    assert line["service_type_name"] == "usługi opiekuńcze" and line["unit"] == "hour"
    public = (await api.get("/v1/municipalities/2611011/programmes")).json()["items"]
    assert public[0]["resolution_number"] == "XII/123/2025"
    bad = {**body, "lines": [{**body["lines"][0], "service_type_id": "0b0e3a4e-2f4e-5c61-9b43-3c7b5b5c1a11"}]}
    assert (
        problem(await api.post("/v1/municipalities/2611011/programmes", json=bad, headers=STARACHOWICE), 422)["errors"][
            0
        ]["field"]
        == "lines.0.service_type_id"
    )
    problem(await api.post("/v1/municipalities/2611011/programmes", json=body, headers=KIELCE), 403)
    reversed_ = {**body, "period_start": "2027-01-01", "period_end": "2026-01-01"}
    problem(await api.post("/v1/municipalities/2611011/programmes", json=reversed_, headers=STARACHOWICE), 422)


async def test_needs_are_the_municipalitys_own(api, client):
    await municipality(api)
    await municipality(api, "2661011")
    made = await need(api, client)
    assert made["service_type_code"] == "care-services" and made["area_terc"] == "2611011"
    assert (await api.get(f"/v1/needs/{made['id']}", headers=STARACHOWICE)).status_code == 200
    problem(await api.get(f"/v1/needs/{made['id']}", headers=KIELCE), 404)
    problem(await api.get(f"/v1/needs/{made['id']}"), 401)
    problem(await api.get("/v1/municipalities/2611011/needs", headers=KIELCE), 403)
    problem(await api.get("/v1/municipalities/2611011/needs"), 403)
    assert (await api.get("/v1/municipalities/2611011/needs", headers=STARACHOWICE)).json()["total"] == 1
    problem(await api.post("/v1/municipalities/2661011/needs", json={}, headers=STARACHOWICE), 422)
    body = {
        "title": "Opieka",
        "service_type_id": made["service_type_id"],
        "quantity": 1,
        "estimated_value_grosze": 100,
        "period_start": "2026-01-01",
        "period_end": "2026-01-31",
    }
    problem(await api.post("/v1/municipalities/2661011/needs", json=body, headers=STARACHOWICE), 403)
    problem(
        await api.post(
            "/v1/municipalities/2611011/needs", json=body, headers=provider("6b5f8a5e-0000-4000-8000-000000000001")
        ),
        403,
    )


async def test_mode_advice_counts_local_pes_and_explains(api, client):
    await municipality(api)
    coop = await verified_provider(client)
    await create_offering(client, coop["id"], delivery_areas=["2611"])
    small = await need(api, client, value_pln=9_000, days=60)
    advice = (await api.get(f"/v1/needs/{small['id']}/mode-advice", headers=STARACHOWICE)).json()
    assert advice["local_pes_offerings"] == 1 and advice["rules_version"] == "2026-01"
    modes = {m["mode"]: m for m in advice["modes"]}
    assert modes["small-grant"]["verdict"] == "recommended"
    assert "1 offerings of this service by verified PES" in modes["small-grant"]["reasons"][0]["detail"]
    assert modes["light-regime"]["verdict"] == "forbidden"
    assert advice["modes"][0]["verdict"] == "recommended"
    problem(await api.get(f"/v1/needs/{small['id']}/mode-advice", headers=KIELCE), 404)


async def test_rules_table_is_readable(api):
    tables = (await api.get("/v1/rules")).json()
    assert [t["version"] for t in tables] == ["2024-01", "2026-01"]
    modes = {m["mode"]: m for m in tables[1]["modes"]}
    assert modes["small-grant"]["max_value_grosze"] == 1_000_000
    assert modes["open-competition"]["min_publication_days"] == 21
    assert tables[1]["to_verify"] == ["eu_social_threshold_grosze"]


async def test_the_rules_name_their_sources(api):
    """Every act the rules cite, with its publication and the consolidated text the citations follow."""
    sources = {s["code"]: s for s in (await api.get("/v1/rules/sources")).json()}
    assert sources["UDPP"]["consolidated"] == "Dz.U. 2024 poz. 1491"
    assert "art. 19a" in sources["UDPP"]["articles"] and "art. 13 ust. 1" in sources["UDPP"]["articles"]
    assert sources["Pzp"]["published"] == "Dz.U. 2019 poz. 2019" and "art. 455" in sources["Pzp"]["articles"]
    cited = " ".join(m["legal_basis"] for t in (await api.get("/v1/rules")).json() for m in t["modes"])
    for code in ("UDPP", "Pzp", "2014/24/UE"):
        assert code in cited  # each act the modes cite is listed
