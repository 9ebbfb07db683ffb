"""Idempotency-Key: a record belongs to the whole principal and the route; concurrent first uses of one key make
one resource and the others replay its answer (real commits, no test transaction for the race)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from shared.auth import Role
from tests.catalogue.conftest import auth, provider_user
from tests.catalogue.factories import (
    delete_providers_with_nip,
    provider_payload,
    providers_with_nip,
    service_type_id,
    verified_provider,
)
from tests.conftest import asgi_client


async def offering_body(client) -> dict:
    return {
        "service_type_id": await service_type_id(client, "yoga"),
        "title": "Joga dla seniorów",
        "delivery_areas": ["26"],
        "capacity_per_month": 10,
        "unit_price_grosze": 100,
    }


async def test_a_key_is_the_whole_principals_and_the_routes(client, db):
    first, second = await verified_provider(client), await verified_provider(client)
    body = await offering_body(client)
    key = {"Idempotency-Key": "offering-shared-key-1"}
    # the same subject acting for two providers (tokens differing only in the provider claim)
    as_first = {**auth(Role.PROVIDER, subject="consultant@example.pl", provider_id=first["id"]), **key}
    as_second = {**auth(Role.PROVIDER, subject="consultant@example.pl", provider_id=second["id"]), **key}
    made = await client.post(f"/v1/providers/{first['id']}/offerings", json=body, headers=as_first)
    assert made.status_code == 201
    # the second principal's first use of the key: its own offering, not the first one's answer
    own = await client.post(f"/v1/providers/{second['id']}/offerings", json=body, headers=as_second)
    assert own.status_code == 201 and "idempotent-replayed" not in own.headers
    assert own.json()["provider"]["id"] == second["id"] and own.json()["id"] != made.json()["id"]
    # nor does the first principal's key replay on another route: it is refused there before any replay
    stolen = await client.post(f"/v1/providers/{second['id']}/offerings", json=body, headers=as_first)
    assert stolen.status_code == 403


async def test_five_first_uses_of_one_key_at_once_make_one_provider(catalogue_app, catalogue_engine):
    payload = provider_payload()
    headers = {**auth(Role.PROVIDER, subject="five-at-once@example.pl"), "Idempotency-Key": "register-five-at-once"}
    try:
        async with asgi_client(catalogue_app, "http://catalogue") as http:
            answers = await asyncio.gather(
                *(http.post("/v1/providers", json=payload, headers=headers) for _ in range(5))
            )
        assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        assert sum(a.headers.get("idempotent-replayed") == "true" for a in answers) == 4
        assert await providers_with_nip(catalogue_engine, payload["nip"]) == 1
    finally:
        await delete_providers_with_nip(catalogue_engine, payload["nip"])
        async with catalogue_engine.begin() as conn:
            await conn.execute(text("DELETE FROM idempotency_records WHERE key = 'register-five-at-once'"))


async def test_five_first_uses_of_one_key_at_once_make_one_offering(catalogue_app, catalogue_engine):
    async with asgi_client(catalogue_app, "http://catalogue") as http:
        provider = await verified_provider(http)
        body = await offering_body(http)
        headers = {**provider_user(provider["id"]), "Idempotency-Key": "offering-five-at-once"}
        try:
            url = f"/v1/providers/{provider['id']}/offerings"
            answers = await asyncio.gather(*(http.post(url, json=body, headers=headers) for _ in range(5)))
            assert [a.status_code for a in answers] == [201] * 5, [a.text for a in answers]
            assert len({a.json()["id"] for a in answers}) == 1
        finally:
            async with catalogue_engine.begin() as conn:
                await conn.execute(text("DELETE FROM providers WHERE id = :id"), {"id": provider["id"]})
                await conn.execute(text("DELETE FROM idempotency_records WHERE key = 'offering-five-at-once'"))
