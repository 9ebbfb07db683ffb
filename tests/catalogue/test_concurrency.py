"""Races on real PostgreSQL with real commits (no test transaction): what two clients at once would see."""

from __future__ import annotations

import asyncio

import httpx

from tests.catalogue.conftest import NEW_PROVIDER_USER, new_provider_user, provider_user
from tests.catalogue.factories import delete_providers_with_nip, provider_payload, providers_with_nip


async def test_two_registrations_of_one_nip_at_once_give_one_provider_and_one_conflict(catalogue_app, catalogue_engine):
    payload = provider_payload()
    transport = httpx.ASGITransport(app=catalogue_app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://catalogue") as client:
            responses = await asyncio.gather(
                *(client.post("/v1/providers", json=payload, headers=NEW_PROVIDER_USER) for _ in range(6))
            )
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201, 409, 409, 409, 409, 409], [r.text for r in responses]
        for r in responses:
            if r.status_code == 409:
                assert r.headers["content-type"] == "application/problem+json"
        assert await providers_with_nip(catalogue_engine, payload["nip"]) == 1
    finally:
        await delete_providers_with_nip(catalogue_engine, payload["nip"])


async def test_two_writers_with_the_same_etag_one_wins_one_gets_412(catalogue_app, catalogue_engine):
    transport = httpx.ASGITransport(app=catalogue_app)
    payload = provider_payload()
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://catalogue") as client:
            created = (await client.post("/v1/providers", json=payload, headers=new_provider_user())).json()
            own = {**provider_user(created["id"]), "If-Match": '"1"'}
            url = f"/v1/providers/{created['id']}"
            responses = await asyncio.gather(
                client.patch(url, json={"phone": "+48 41 111 11 11"}, headers=own),
                client.patch(url, json={"phone": "+48 41 222 22 22"}, headers=own),
            )
            assert sorted(r.status_code for r in responses) == [200, 412]
            winner = next(r for r in responses if r.status_code == 200).json()
            stored = (await client.get(url, headers=provider_user(created["id"]))).json()
            assert stored["phone"] == winner["phone"] and stored["version"] == 2
    finally:
        await delete_providers_with_nip(catalogue_engine, payload["nip"])
