"""Offerings: ownership, optimistic versions, validation, and the catalogue search."""

from __future__ import annotations

from sqlalchemy import func, select

from services.catalogue.models.offerings import Offering
from tests.catalogue.conftest import ADMIN, MUNICIPALITY, REGIONAL_26, provider_user
from tests.catalogue.factories import create_offering, register_provider, service_type_id, verified_provider
from tests.helpers import problem


async def count_offerings(db) -> int:
    return int(await db.scalar(select(func.count()).select_from(Offering)))


async def test_create_read_update_delete_with_versions(client):
    provider = await verified_provider(client)
    own = provider_user(provider["id"])
    offering = await create_offering(client, provider["id"])
    assert offering["unit"] == "hour" and offering["free_capacity"] == 1000
    assert offering["provider"]["name"] == provider["name"]
    url = f"/v1/offerings/{offering['id']}"
    read = await client.get(url)
    assert read.status_code == 200 and read.headers["etag"] == '"1"'

    problem(await client.patch(url, json={"unit_price_grosze": 4500}, headers=own), 428)
    updated = await client.patch(url, json={"unit_price_grosze": 4500}, headers={**own, "If-Match": '"1"'})
    assert updated.status_code == 200 and updated.json()["unit_price_grosze"] == 4500
    assert updated.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"unit_price_grosze": 4000}, headers={**own, "If-Match": '"1"'})
    assert problem(stale, 412)["current_etag"] == '"2"'
    assert (await client.get(url)).json()["unit_price_grosze"] == 4500

    problem(await client.delete(url, headers={**own, "If-Match": '"1"'}), 412)
    assert (await client.delete(url, headers={**own, "If-Match": '"2"'})).status_code == 204
    problem(await client.get(url), 404)


async def test_only_the_providers_own_users_change_its_offerings(client, db):
    provider = await verified_provider(client)
    other = await verified_provider(client)
    offering = await create_offering(client, provider["id"])
    url = f"/v1/offerings/{offering['id']}"
    change = {"unit_price_grosze": 1}
    for headers, status in (
        (provider_user(other["id"]), 403),
        (MUNICIPALITY, 403),
        (REGIONAL_26, 403),
        ({}, 401),
    ):
        problem(await client.patch(url, json=change, headers={**headers, "If-Match": '"1"'}), status)
        problem(await client.delete(url, headers={**headers, "If-Match": '"1"'}), status)
    assert (await client.get(url)).json()["unit_price_grosze"] == 4200
    before = await count_offerings(db)
    payload = {
        "service_type_id": offering["service_type"]["id"],
        "title": "Cudza oferta",
        "delivery_areas": ["26"],
        "capacity_per_month": 1,
        "unit_price_grosze": 1,
    }
    problem(
        await client.post(
            f"/v1/providers/{provider['id']}/offerings", json=payload, headers=provider_user(other["id"])
        ),
        403,
    )
    assert await count_offerings(db) == before
    admin = await client.patch(url, json=change, headers={**ADMIN, "If-Match": '"1"'})
    assert admin.status_code == 200


async def test_offering_validation_names_the_field_and_saves_nothing(client, db):
    provider = await verified_provider(client)
    own = provider_user(provider["id"])
    base = {
        "service_type_id": await service_type_id(client, "care-services"),
        "title": "Opieka",
        "delivery_areas": ["2611"],
        "capacity_per_month": 10,
        "unit_price_grosze": 100,
    }
    before = await count_offerings(db)
    cases = [
        (
            {"service_type_id": "0b0e3a4e-2f4e-5c61-9b43-3c7b5b5c1a11"},
            "service_type_id",
            "unknown service type",
        ),
        ({"capacity_per_month": -5}, "capacity_per_month", "greater than or equal to 0"),
        ({"capacity_per_month": 10**9}, "capacity_per_month", "less than or equal to"),
        ({"unit_price_grosze": -1}, "unit_price_grosze", "greater than or equal to 0"),
        ({"unit_price_grosze": 10**12}, "unit_price_grosze", "less than or equal to"),
        ({"unit_price_grosze": 12.5}, "unit_price_grosze", "integer"),
        ({"delivery_areas": ["261"]}, "delivery_areas.0", "2 (voivodeship)"),
        ({"delivery_areas": []}, "delivery_areas", "at least 1"),
        ({"target_groups": ["aliens"]}, "target_groups", "unknown target groups"),
        ({"title": "x" * 301}, "title", "at most 300"),
        ({"currency": "EUR"}, "currency", "PLN"),
        ({"capacity_committed": 11}, "body", "cannot exceed"),
        (
            {"schedule": [{"weekday": 8, "opens_at": "08:00", "closes_at": "09:00"}]},
            "schedule.0.weekday",
            "less",
        ),
        ({"schedule": [{"weekday": 1, "opens_at": "10:00", "closes_at": "09:00"}]}, "schedule.0", "after"),
        ({"unexpected": 1}, "unexpected", "Extra inputs"),
    ]
    for override, field, reason in cases:
        response = await client.post(
            f"/v1/providers/{provider['id']}/offerings", json={**base, **override}, headers=own
        )
        body = problem(response, 422)
        fields = {e["field"]: e["reason"] for e in body["errors"]}
        assert field in fields, (override, fields)
        assert reason in fields[field], (override, fields)
    assert await count_offerings(db) == before


async def test_malformed_json_is_a_400_problem(client):
    provider = await verified_provider(client)
    response = await client.post(
        f"/v1/providers/{provider['id']}/offerings",
        content=b'{"title": "x",',
        headers={**provider_user(provider["id"]), "Content-Type": "application/json"},
    )
    body = problem(response, 400)
    assert body["type"] == "urn:cus:problem:malformed-json"


async def test_unverified_providers_offerings_are_hidden_from_the_public(client):
    pending = await register_provider(client)
    offering = await create_offering(client, pending["id"])
    problem(await client.get(f"/v1/offerings/{offering['id']}"), 404)
    assert (
        await client.get(f"/v1/offerings/{offering['id']}", headers=provider_user(pending["id"]))
    ).status_code == 200
    search = (await client.get("/v1/offerings", params={"q": "opiekuncze"})).json()
    assert offering["id"] not in {o["id"] for o in search["items"]}
    problem(await client.get(f"/v1/providers/{pending['id']}/offerings"), 404)


async def test_inactive_offerings_are_visible_to_their_provider_only(client):
    provider = await verified_provider(client)
    offering = await create_offering(client, provider["id"], active=False)
    problem(await client.get(f"/v1/offerings/{offering['id']}"), 404)
    own = await client.get(f"/v1/providers/{provider['id']}/offerings", headers=provider_user(provider["id"]))
    assert [o["id"] for o in own.json()["items"]] == [offering["id"]]
    public = await client.get(f"/v1/providers/{provider['id']}/offerings")
    assert public.json()["total"] == 0


async def test_idempotent_creations_are_replayed(client, db):
    from tests.catalogue.conftest import NEW_PROVIDER_USER
    from tests.catalogue.factories import provider_payload

    payload = provider_payload()
    headers = {**NEW_PROVIDER_USER, "Idempotency-Key": "register-7f3e2c1a"}
    first = await client.post("/v1/providers", json=payload, headers=headers)
    again = await client.post("/v1/providers", json=payload, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again.headers["idempotent-replayed"] == "true"
    assert again.headers["location"] == first.headers["location"]
    other = await client.post("/v1/providers", json=provider_payload(), headers=headers)
    assert problem(other, 422)["type"] == "urn:cus:problem:idempotency-key-reused"

    provider = await verified_provider(client)
    own = {**provider_user(provider["id"]), "Idempotency-Key": "offering-0b1d2c3e"}
    body = {
        "service_type_id": await service_type_id(client, "yoga"),
        "title": "Joga",
        "delivery_areas": ["26"],
        "capacity_per_month": 10,
        "unit_price_grosze": 100,
    }
    made = await client.post(f"/v1/providers/{provider['id']}/offerings", json=body, headers=own)
    replayed = await client.post(f"/v1/providers/{provider['id']}/offerings", json=body, headers=own)
    assert made.status_code == replayed.status_code == 201
    assert replayed.json()["id"] == made.json()["id"] and replayed.headers["etag"] == made.headers["etag"]
    assert await count_offerings(db) == 1


async def test_each_change_of_an_offering_is_an_event_public_when_its_provider_is(client, db):
    from services.catalogue.models.outbox import OutboxEvent

    async def told(offering_id: str) -> list[OutboxEvent]:
        query = select(OutboxEvent).where(OutboxEvent.subject == f"offerings/{offering_id}")
        return list((await db.scalars(query.order_by(OutboxEvent.position))).all())

    provider = await verified_provider(client)
    own = provider_user(provider["id"])
    offering = await create_offering(client, provider["id"])
    url = f"/v1/offerings/{offering['id']}"
    await client.patch(url, json={"unit_price_grosze": 4500}, headers={**own, "If-Match": '"1"'})
    assert (await client.delete(url, headers={**own, "If-Match": '"2"'})).status_code == 204
    events = await told(offering["id"])
    assert [e.type for e in events] == ["pl.cus.offering.changed"] * 2 + ["pl.cus.offering.removed"]
    assert all(e.public and e.provider_id is not None for e in events)
    assert [e.data.get("unit_price_grosze") for e in events] == [4200, 4500, None]
    assert events[1].data["version"] == 2 and events[1].data["capacity_per_month"] == offering["capacity_per_month"]

    pending = await register_provider(client)
    hidden = await create_offering(client, pending["id"])
    assert [e.public for e in await told(hidden["id"])] == [False]  # its provider is not verified yet
