"""Provider self-registration, identifiers, uniqueness, verification and its history, visibility."""

from __future__ import annotations

from sqlalchemy import func, select

from services.catalogue.models.providers import Provider
from tests.catalogue.conftest import (
    ADMIN,
    MUNICIPALITY,
    NEW_PROVIDER_USER,
    REGIONAL_14,
    REGIONAL_26,
    new_provider_user,
    provider_user,
)
from tests.catalogue.factories import provider_payload, register_provider, valid_nip, verified_provider
from tests.helpers import problem


async def count_providers(db) -> int:
    return int(await db.scalar(select(func.count()).select_from(Provider)))


async def test_registration_starts_pending_with_normalised_identifiers(client):
    payload = provider_payload()
    nip = payload["nip"]
    payload["nip"] = f"PL {nip[:3]}-{nip[3:6]}-{nip[6:8]}-{nip[8:]}"
    response = await client.post("/v1/providers", json=payload, headers=NEW_PROVIDER_USER)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["nip"] == nip
    assert body["status"] == "pending"
    assert body["voivodeship"] == "26"
    assert body["legal_form_pl"] == "spółdzielnia socjalna"
    assert body["excluded_share"] == 0.4
    assert response.headers["etag"] == '"1"'
    assert response.headers["location"] == f"/v1/providers/{body['id']}"


async def test_invalid_identifiers_are_refused_with_the_field_and_nothing_is_saved(client, db):
    before = await count_providers(db)
    cases = [
        ({"nip": "5260001247"}, "nip", "NIP checksum is invalid"),
        ({"nip": "12345"}, "nip", "NIP has the wrong number of digits"),
        ({"regon": "123456786"}, "regon", "REGON checksum is invalid"),
        ({"krs": "12345"}, "krs", "KRS must be exactly 10 digits"),
        (
            {"address": {"street": "ul. A 1", "postal_code": "27-200", "city": "X", "terc": "2711011"}},
            "address.terc",
            "voivodeship 27 does not exist",
        ),
        (
            {"address": {"street": "ul. A 1", "postal_code": "27-200", "city": "X", "terc": "2611014"}},
            "address.terc",
            "4, 5, 8, 9 are parts",
        ),
        (
            {"operating_areas": ["26110"]},
            "operating_areas.0",
            "2 (voivodeship), 4 (powiat) or 7 (gmina) digits",
        ),
        ({"name": "x" * 301}, "name", "at most 300"),
        ({"legal_form": "llc"}, "legal_form", "Input should be"),
    ]
    for override, field, reason in cases:
        response = await client.post("/v1/providers", json=provider_payload(**override), headers=new_provider_user())
        body = problem(response, 422)
        fields = {e["field"]: e["reason"] for e in body["errors"]}
        assert field in fields, (field, fields)
        assert reason in fields[field], (reason, fields[field])
    assert await count_providers(db) == before


async def test_krs_is_required_for_forms_in_the_register(client):
    response = await client.post(
        "/v1/providers", json=provider_payload(legal_form="foundation", krs=None), headers=new_provider_user()
    )
    assert problem(response, 422)["errors"][0]["field"] == "krs"
    cis = await client.post(
        "/v1/providers", json=provider_payload(legal_form="cis", krs=None), headers=new_provider_user()
    )
    assert cis.status_code == 201


async def test_social_economy_facts_must_be_consistent(client):
    inconsistent = [
        {"is_pes": True, "employees": 3, "excluded_employees": 5},
        {
            "is_pes": False,
            "employees": 5,
            "social_enterprise": {"decision_number": "1", "decision_date": "2024-01-01"},
        },
        {
            "is_pes": True,
            "employees": 2,
            "social_enterprise": {"decision_number": "1", "decision_date": "2024-01-01"},
        },
        {"is_pes": True, "employees": -1},
    ]
    for facts in inconsistent:
        response = await client.post(
            "/v1/providers", json=provider_payload(social_economy=facts), headers=new_provider_user()
        )
        body = problem(response, 422)
        assert body["errors"][0]["field"].startswith("social_economy")


async def test_second_registration_with_same_nip_or_krs_is_a_conflict(client, db):
    first = provider_payload()
    await client.post("/v1/providers", json=first, headers=NEW_PROVIDER_USER)
    before = await count_providers(db)
    same_nip = provider_payload(nip=first["nip"])
    body = problem(await client.post("/v1/providers", json=same_nip, headers=new_provider_user()), 409)
    assert body["fields"] == ["nip"]
    same_krs = provider_payload(krs=first["krs"])
    body = problem(await client.post("/v1/providers", json=same_krs, headers=new_provider_user()), 409)
    assert body["fields"] == ["krs"]
    assert await count_providers(db) == before


async def test_who_may_register(client):
    payload = provider_payload()
    problem(await client.post("/v1/providers", json=payload), 401)
    problem(await client.post("/v1/providers", json=payload, headers=MUNICIPALITY), 403)
    problem(await client.post("/v1/providers", json=payload, headers=REGIONAL_26), 403)
    bound = provider_user("1b4e28ba-2fa1-11d2-883f-0016d3cca427")
    problem(await client.post("/v1/providers", json=payload, headers=bound), 403)
    assert (await client.post("/v1/providers", json=payload, headers=ADMIN)).status_code == 201


async def test_unverified_provider_is_hidden_from_the_public_but_not_from_itself(client):
    provider = await register_provider(client)
    problem(await client.get(f"/v1/providers/{provider['id']}"), 404)
    problem(await client.get(f"/v1/providers/{provider['id']}", headers=MUNICIPALITY), 404)
    assert (
        await client.get(f"/v1/providers/{provider['id']}", headers=provider_user(provider["id"]))
    ).status_code == 200
    assert (await client.get(f"/v1/providers/{provider['id']}", headers=REGIONAL_26)).status_code == 200
    problem(await client.get(f"/v1/providers/{provider['id']}", headers=REGIONAL_14), 404)
    listing = (await client.get("/v1/providers", params={"per_page": 100})).json()
    assert provider["id"] not in {p["id"] for p in listing["items"]}


async def test_verification_flow_keeps_who_when_why(client):
    provider = await register_provider(client)
    url = f"/v1/providers/{provider['id']}/status-changes"
    problem(await client.post(url, json={"action": "verify"}, headers=REGIONAL_14), 404)
    problem(await client.post(url, json={"action": "verify"}, headers=MUNICIPALITY), 403)
    problem(await client.post(url, json={"action": "verify"}, headers=provider_user(provider["id"])), 403)
    problem(await client.post(url, json={"action": "suspend", "reason": "x"}, headers=REGIONAL_26), 409)
    problem(await client.post(url, json={"action": "reject"}, headers=REGIONAL_26), 422)
    problem(await client.post(url, json={"action": "approve"}, headers=REGIONAL_26), 422)

    verified = await client.post(url, json={"action": "verify", "reason": "KRS sprawdzony"}, headers=REGIONAL_26)
    assert verified.status_code == 201
    assert verified.json()["to_status"] == "verified" and verified.json()["actor_subject"] == "rops-kielce"
    assert (await client.get(f"/v1/providers/{provider['id']}")).json()["status"] == "verified"

    suspend = {"action": "suspend", "reason": "brak sprawozdania za 2025"}
    assert (await client.post(url, json=suspend, headers=ADMIN)).status_code == 201
    problem(await client.get(f"/v1/providers/{provider['id']}"), 404)
    reinstate = {"action": "reinstate", "reason": "sprawozdanie złożone"}
    assert (await client.post(url, json=reinstate, headers=REGIONAL_26)).status_code == 201

    history = (await client.get(url, headers=provider_user(provider["id"]))).json()["items"]
    assert [(e["from_status"], e["to_status"]) for e in history] == [
        (None, "pending"),
        ("pending", "verified"),
        ("verified", "suspended"),
        ("suspended", "verified"),
    ]
    assert history[2]["reason"] == "brak sprawozdania za 2025" and history[2]["actor_role"] == "admin"
    problem(await client.get(url, headers=MUNICIPALITY), 403)
    problem(await client.get(url), 401)


async def test_rejected_provider_resubmits_by_correcting(client):
    provider = await register_provider(client)
    url = f"/v1/providers/{provider['id']}"
    await client.post(f"{url}/status-changes", json={"action": "reject", "reason": "zły REGON"}, headers=REGIONAL_26)
    own = provider_user(provider["id"])
    current = await client.get(url, headers=own)
    assert current.json()["status"] == "rejected" and current.json()["status_reason"] == "zły REGON"
    fixed = await client.patch(
        url, json={"phone": "+48 41 274 00 00"}, headers={**own, "If-Match": current.headers["etag"]}
    )
    assert fixed.status_code == 200 and fixed.json()["status"] == "pending"


async def test_verified_provider_changing_key_facts_is_verified_again(client):
    provider = await verified_provider(client)
    own = provider_user(provider["id"])
    url = f"/v1/providers/{provider['id']}"
    etag = (await client.get(url)).headers["etag"]
    contact = await client.patch(url, json={"email": "nowy@razem.example.pl"}, headers={**own, "If-Match": etag})
    assert contact.json()["status"] == "verified"
    changed = await client.patch(
        url, json={"legal_form": "association"}, headers={**own, "If-Match": contact.headers["etag"]}
    )
    assert changed.json()["status"] == "pending"
    assert "legal_form" in changed.json()["status_reason"]


async def test_provider_update_rules(client):
    provider = await verified_provider(client)
    other = await verified_provider(client)
    url = f"/v1/providers/{provider['id']}"
    etag = (await client.get(url)).headers["etag"]
    own = provider_user(provider["id"])
    problem(await client.patch(url, json={"phone": "+48 600 000 000"}, headers=own), 428)
    problem(await client.patch(url, json={"phone": "+48 600 000 000"}, headers={**own, "If-Match": '"99"'}), 412)
    problem(
        await client.patch(
            url, json={"phone": "+48 600 100 200"}, headers={**provider_user(other["id"]), "If-Match": etag}
        ),
        403,
    )
    problem(await client.patch(url, json={"nip": valid_nip(5)}, headers={**own, "If-Match": etag}), 422)
    problem(await client.patch(url, json={"krs": other["krs"]}, headers={**own, "If-Match": etag}), 409)
    ok = await client.patch(url, json={"name": "Spółdzielnia Socjalna „Nowa Nazwa”"}, headers={**own, "If-Match": etag})
    assert ok.status_code == 200 and ok.headers["etag"] == f'"{int(etag.strip(chr(34))) + 1}"'
    found = (await client.get("/v1/providers", params={"q": "nowa nazwa"}, headers=ADMIN)).json()
    assert [p["id"] for p in found["items"]] == [provider["id"]]


async def test_provider_search_filters(client):
    coop = await verified_provider(client, name="Spółdzielnia Socjalna „Łąka”")
    company = await verified_provider(
        client,
        name="Opieka Łąka Sp. z o.o.",
        legal_form="company",
        social_economy={"is_pes": False, "employees": 50},
    )
    warsaw = await verified_provider(
        client,
        name="Fundacja Łąka Warszawa",
        legal_form="foundation",
        address={
            "street": "ul. Marszałkowska 1",
            "postal_code": "00-001",
            "city": "Warszawa",
            "terc": "1465011",
        },
        operating_areas=["1465011"],
        social_economy={"is_pes": True, "employees": 4},
    )
    names = lambda r: {p["name"] for p in r.json()["items"]}  # noqa: E731
    all_laka = await client.get("/v1/providers", params={"q": "laka"})
    assert names(all_laka) == {coop["name"], company["name"], warsaw["name"]}
    assert names(await client.get("/v1/providers", params={"q": "laka", "pes_only": True})) == {
        coop["name"],
        warsaw["name"],
    }
    assert names(await client.get("/v1/providers", params={"q": "laka", "social_enterprise_only": True})) == {
        coop["name"]
    }
    assert names(await client.get("/v1/providers", params={"q": "laka", "legal_form": ["company", "foundation"]})) == {
        company["name"],
        warsaw["name"],
    }
    assert names(await client.get("/v1/providers", params={"q": "laka", "place": "2611011"})) == {
        coop["name"],
        company["name"],
    }
    assert names(await client.get("/v1/providers", params={"q": "laka", "place": "14"})) == {warsaw["name"]}
    problem(await client.get("/v1/providers", params={"place": "2699999"}), 422)
    problem(await client.get("/v1/providers", params={"status": "pending"}), 403)
    pending = await register_provider(client, name="Fundacja Łąka Oczekująca", legal_form="cis", krs=None)
    only_pending = await client.get("/v1/providers", params={"status": "pending", "q": "laka"}, headers=REGIONAL_26)
    assert names(only_pending) == {pending["name"]}
