"""Cached public answers: served from the process after the first read, with a strong ETag (304), and dropped on
every replica when a write changes them (NOTIFY at the commit), so no replica serves a stale list for long."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from services.catalogue.main import create_app
from shared.cache import cache_of
from tests.catalogue.conftest import ADMIN
from tests.conftest import asgi_client


@pytest.fixture
async def replica(catalogue_db_url: str) -> AsyncIterator[FastAPI]:
    """A second catalogue process on the same database."""
    app = create_app(database_url=catalogue_db_url, consume_events=False)
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.3)  # its listener connected
        yield app


async def test_a_change_on_one_replica_drops_the_cached_list_on_the_other(catalogue_app, replica, catalogue_engine):
    code = f"cache-test-{uuid.uuid4().hex[:8]}"
    query = {"area": "disability", "per_page": 100}
    try:
        async with asgi_client(catalogue_app, "http://a") as a, asgi_client(replica, "http://b") as b:
            first = await a.get("/v1/service-types", params=query)
            again = await a.get("/v1/service-types", params=query, headers={"If-None-Match": first.headers["etag"]})
            assert again.status_code == 304 and again.content == b""
            hits = cache_of(catalogue_app).hits
            assert (await a.get("/v1/service-types", params=query)).json() == first.json()
            assert cache_of(catalogue_app).hits == hits + 1  # from the process, not the database
            body = {"code": code, "area_code": "disability", "name_pl": "próba pamięci podręcznej", "unit": "session"}
            created = await b.post("/v1/service-types", json={**body, "name_en": "cache probe"}, headers=ADMIN)
            assert created.status_code == 201, created.text
            for _ in range(40):  # the commit's NOTIFY reaches the other replica
                now = await a.get("/v1/service-types", params=query)
                if code in {t["code"] for t in now.json()["items"]}:
                    break
                await asyncio.sleep(0.05)
            assert code in {t["code"] for t in now.json()["items"]}
            assert now.headers["etag"] != first.headers["etag"]
            stale = await a.get("/v1/service-types", params=query, headers={"If-None-Match": first.headers["etag"]})
            assert stale.status_code == 200  # the old ETag no longer matches
    finally:
        async with catalogue_engine.begin() as conn:
            await conn.execute(text("DELETE FROM service_types WHERE code = :c"), {"c": code})


async def test_an_unknown_area_is_refused_and_not_cached(client):
    for _ in range(2):
        refused = await client.get("/v1/service-types", params={"area": "nonsense"})
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "area"
