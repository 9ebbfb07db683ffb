"""The public's provider lists are kept in the read cache until a write: one through this process is seen by its
writer at once, one made elsewhere (another replica, a script, a feed consumer) as soon as it commits (the tables'
triggers NOTIFY every replica)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from shared.auth import Role
from shared.cache import cache_of
from tests.catalogue.factories import provider_payload, verified_provider
from tests.conftest import ADMIN, asgi_client, auth

LIST = "/v1/providers?place=2611011&per_page=100"
ORGANIZATIONS = "/hsds/organizations?per_page=50"


async def test_the_publics_list_is_kept_and_a_write_here_drops_it(client, catalogue_app):
    first = await client.get(LIST)
    assert first.status_code == 200, first.text
    hits = cache_of(catalogue_app).hits
    again = await client.get(LIST, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and cache_of(catalogue_app).hits == hits + 1  # answered from the cache
    organizations = await client.get(ORGANIZATIONS)
    assert (await client.get(ORGANIZATIONS)).json() == organizations.json()
    made = await verified_provider(client, name="Spółdzielnia Socjalna „Nowa”")
    after = await client.get(LIST, headers={"If-None-Match": first.headers["etag"]})
    assert after.status_code == 200 and after.headers["etag"] != first.headers["etag"]
    assert made["id"] in {p["id"] for p in after.json()["items"]}  # the writer reads what it wrote
    listed = (await client.get(ORGANIZATIONS)).json()  # and so do the HSDS lists
    assert made["id"] in {o["id"] for o in listed["contents"]}
    assert made["id"] not in {o["id"] for o in organizations.json()["contents"]}
    mine = await client.get(LIST, headers=auth(Role.PROVIDER, subject="someone"))
    assert mine.headers["cache-control"] == "private, no-cache"  # a caller with a token goes the full way


async def test_a_write_made_elsewhere_drops_it_when_it_commits(catalogue_app, catalogue_engine):
    payload = provider_payload(name="Fundacja Pod Dębem")
    async with asgi_client(catalogue_app, "http://catalogue") as http:
        made = await http.post("/v1/providers", json=payload, headers=auth(Role.PROVIDER, subject="pod-debem"))
        assert made.status_code == 201, made.text
        provider_id = made.json()["id"]
        try:
            verified = await http.post(
                f"/v1/providers/{provider_id}/status-changes", json={"action": "verify"}, headers=ADMIN
            )
            assert verified.status_code == 201, verified.text
            before = {p["id"]: p["name"] for p in (await http.get(LIST)).json()["items"]}
            assert before[provider_id] == "Fundacja Pod Dębem"
            async with catalogue_engine.begin() as conn:  # another replica's write, or a script's
                await conn.execute(
                    text("UPDATE providers SET name = 'Fundacja Pod Starym Dębem' WHERE id = :id"), {"id": provider_id}
                )
            for _ in range(100):  # the NOTIFY comes at the commit, through the service's listener
                now = {p["id"]: p["name"] for p in (await http.get(LIST)).json()["items"]}
                if now[provider_id] != before[provider_id]:
                    break
                await asyncio.sleep(0.02)
            assert now[provider_id] == "Fundacja Pod Starym Dębem"
            hsds = (await http.get(ORGANIZATIONS, params={"search": "Dębem"})).json()["contents"]
            assert [o["name"] for o in hsds if o["id"] == provider_id] == ["Fundacja Pod Starym Dębem"]
        finally:
            async with catalogue_engine.begin() as conn:
                await conn.execute(text("DELETE FROM outbox_events WHERE provider_id = :id"), {"id": provider_id})
                await conn.execute(text("DELETE FROM providers WHERE id = :id"), {"id": provider_id})
