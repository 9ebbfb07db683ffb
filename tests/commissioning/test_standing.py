"""Commissioning learns from the catalogue's feed that a provider was suspended; what it was told confirms nothing,
so it asks the catalogue before relying on it, then relies on what it read for the bound; reinstated and told a
newer version, it asks again and the provider bids. Replayed or older events change nothing."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import text

from services.commissioning.catalogue_client import CatalogueUnavailable
from services.commissioning.dependencies import state_of
from services.commissioning.models.standing import ProviderStanding
from services.commissioning.standing import service as standing
from shared.auth import ServiceCredential
from shared.db import create_sessionmaker
from tests.catalogue.conftest import ADMIN, new_provider_user
from tests.catalogue.factories import provider_payload
from tests.commissioning.conftest import provider
from tests.commissioning.factories import ANSWERS, committed_call
from tests.conftest import asgi_client
from tests.helpers import problem, subject_of

TERC = "2604042"  # a gmina of this test only (Bodzentyn)


async def test_a_suspended_provider_is_refused_and_asked_of_again_when_told_a_newer_version(
    commissioning_app, commissioning_engine, catalogue_app, catalogue_engine, monkeypatch
):
    """All committed for real (the feed shows what is committed, and an open writing transaction anywhere on the
    server holds every feed back until it ends: the price of never skipping a late commit)."""
    async with (
        committed_call(
            commissioning_app,
            commissioning_engine,
            catalogue_app,
            catalogue_engine,
            terc=TERC,
            name="Gmina Bodzentyn",
            providers=1,
        ) as setup,
        asgi_client(catalogue_app, "http://catalogue") as catalogue,
        httpx.AsyncClient(  # as commissioning reads the feed: with its service credential (private events too)
            transport=httpx.ASGITransport(app=catalogue_app),
            base_url="http://catalogue",
            auth=ServiceCredential("service:commissioning"),
        ) as credentialed,
    ):
        try:
            bidder = setup.providers[0]
            reader = standing.consumer(create_sessionmaker(commissioning_engine), credentialed)
            action = {"action": "suspend", "reason": "Kontrola ROPS: nieprawidłowości w rozliczeniu dotacji"}
            changed = await catalogue.post(f"/v1/providers/{bidder}/status-changes", json=action, headers=ADMIN)
            assert changed.status_code == 201, changed.text
            assert await reader.pass_once() >= 2  # verified, then suspended
            call = setup.call
            body = {
                "lot_id": call["lots"][0]["id"],
                "total_price_grosze": 4_000_000,
                "quantity": 1000,
                "answers": ANSWERS,
            }

            commissionings_catalogue, asked = state_of(commissioning_app).catalogue, []
            standings = commissionings_catalogue.standings

            async def counted(provider_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
                asked.append(provider_ids)
                return await standings(provider_ids)

            monkeypatch.setattr(commissionings_catalogue, "standings", counted)
            url = f"/v1/calls/{call['id']}/offers"
            for _ in range(2):  # asked once, then relied on within the bound (the clock is frozen)
                refused = problem(await setup.api.post(url, json=body, headers=provider(bidder)), 403)
                assert refused["type"] == "urn:cus:problem:provider-not-verified" and "suspended" in refused["detail"]
            assert asked == [[uuid.UUID(bidder)]]

            action = {"action": "reinstate", "reason": "Kontrola zakończona"}
            changed = await catalogue.post(f"/v1/providers/{bidder}/status-changes", json=action, headers=ADMIN)
            assert changed.status_code == 201
            assert await reader.pass_once() == 1
            assert await reader.pass_once() == 0  # read to its end: nothing twice
            # told a newer version than it read: asked again, verified, and the offer made
            sent = await setup.api.post(url, json=body, headers=provider(bidder))
            assert sent.status_code == 201, sent.text
            assert sent.json()["provider_name"].startswith("Spółdzielnia Socjalna")
            assert asked == [[uuid.UUID(bidder)]] * 2
            monkeypatch.undo()
            # a verified provider's change of key facts sends it back to pending: told, and refused again
            me = await catalogue.get(f"/v1/providers/{bidder}", headers=ADMIN)
            changed = await catalogue.patch(
                f"/v1/providers/{bidder}",
                json={"legal_form": "foundation"},
                headers={**provider(bidder), "If-Match": me.headers["etag"]},
            )
            assert changed.status_code == 200, changed.text
            assert await reader.pass_once() == 1
            async with create_sessionmaker(commissioning_engine)() as session:
                assert standing.verified_facts(await standing.standing_of(session, uuid.UUID(bidder))) is None
        finally:
            async with catalogue_engine.begin() as conn:
                await conn.execute(
                    text("DELETE FROM outbox_events WHERE provider_id = ANY(:p)"), {"p": setup.providers}
                )
            async with commissioning_engine.begin() as conn:
                for table in ("provider_standings", "provider_memberships", "feed_positions", "applied_events"):
                    await conn.execute(text(f"DELETE FROM {table}"))


async def test_an_older_event_does_not_undo_a_newer_one(cdb):
    provider_id = uuid.uuid4()
    now = datetime.now(UTC)

    def told(status: str, at: datetime) -> dict[str, Any]:
        return {
            "id": str(uuid.uuid4()),
            "type": f"pl.cus.provider.{status}",
            "time": at.isoformat(),
            "data": {"provider_id": str(provider_id), "status": status},
        }

    await standing.apply(cdb, told("suspended", now), now)
    await standing.apply(cdb, told("verified", now - timedelta(minutes=5)), now)  # late, and older
    assert (await cdb.get(ProviderStanding, provider_id)).status == "suspended"
    assert standing.barred(await standing.standing_of(cdb, provider_id))
    assert not standing.barred(await standing.standing_of(cdb, uuid.uuid4()))


async def test_memberships_come_from_the_catalogues_private_events_and_spare_asking_it(
    commissioning_app, commissioning_engine, catalogue_app, catalogue_engine, monkeypatch
):
    """A provider account registering a provider is a member.added event (private): commissioning reads it with
    its service credential and knows the account acts for the provider without asking the catalogue's /v1/me."""
    account = new_provider_user()
    subject = subject_of(account)
    made: list[str] = []
    credential = ServiceCredential("service:commissioning")
    try:
        async with (
            asgi_client(catalogue_app, "http://catalogue") as catalogue,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=catalogue_app), base_url="http://catalogue", auth=credential
            ) as credentialed,
            asgi_client(commissioning_app, "http://commissioning") as api,
        ):
            registered = await catalogue.post("/v1/providers", json=provider_payload(), headers=account)
            assert registered.status_code == 201
            made.append(registered.json()["id"])
            anonymous = standing.consumer(create_sessionmaker(commissioning_engine), catalogue)
            await anonymous.pass_once()
            async with create_sessionmaker(commissioning_engine)() as session:
                assert await standing.providers_of(session, subject) is None  # private: not for anonymous eyes
                await session.execute(text("DELETE FROM feed_positions"))
                await session.commit()
            reader = standing.consumer(create_sessionmaker(commissioning_engine), credentialed)
            assert await reader.pass_once() >= 1
            async with create_sessionmaker(commissioning_engine)() as session:
                assert await standing.providers_of(session, subject) == {uuid.UUID(made[0])}

            asked: list[str] = []

            async def counted(token: str) -> frozenset[uuid.UUID]:
                asked.append(token)
                return frozenset()

            monkeypatch.setattr(state_of(commissioning_app).catalogue, "memberships", counted)
            mine = await api.get("/v1/offers", headers=account)  # no provider claim in the token
            assert mine.status_code == 200 and asked == [], mine.text
            stranger = new_provider_user()
            other = await api.get("/v1/offers", headers=stranger)  # an account never told of: the catalogue is asked
            assert asked == [stranger["Authorization"].removeprefix("Bearer ")]
            assert other.status_code == 403  # a member of nothing, as the catalogue says

            async def away(token: str) -> frozenset[uuid.UUID]:
                raise CatalogueUnavailable("The catalogue did not answer.", pl="Katalog nie odpowiedział.")

            monkeypatch.setattr(state_of(commissioning_app).catalogue, "memberships", away)
            claimed = await api.get("/v1/offers", headers=provider(str(uuid.uuid4())))  # its claim still stands
            assert claimed.status_code == 200, claimed.text
            assert (await api.get("/v1/offers", headers=new_provider_user())).status_code == 503  # nothing to go on
    finally:
        async with catalogue_engine.begin() as conn:
            for provider_id in made:
                await conn.execute(text("DELETE FROM outbox_events WHERE provider_id = :p"), {"p": provider_id})
                await conn.execute(text("DELETE FROM providers WHERE id = :p"), {"p": provider_id})
        async with commissioning_engine.begin() as conn:
            for table in ("provider_standings", "provider_memberships", "feed_positions", "applied_events"):
                await conn.execute(text(f"DELETE FROM {table}"))


async def test_an_older_member_event_does_not_undo_a_newer_one(cdb):
    provider_id, now = uuid.uuid4(), datetime.now(UTC)

    def told(kind: str, at: datetime) -> dict[str, Any]:
        data = {"provider_id": str(provider_id), "subject": "anna@pes.pl"}
        return {"id": str(uuid.uuid4()), "type": f"pl.cus.member.{kind}", "time": at.isoformat(), "data": data}

    await standing.apply(cdb, told("added", now - timedelta(minutes=9)), now)
    assert await standing.providers_of(cdb, "anna@pes.pl") == {provider_id}
    await standing.apply(cdb, told("removed", now), now)
    await standing.apply(cdb, told("added", now - timedelta(minutes=5)), now)  # late, and older
    assert await standing.providers_of(cdb, "anna@pes.pl") == frozenset()  # known, and a member of none


async def test_a_removed_member_loses_the_provider_at_once_though_its_memberships_are_kept(
    commissioning_app, commissioning_engine
):
    """Memberships are kept in memory per account (a query less per request); the member.removed event, once
    committed, makes every replica forget them, so the next request no longer acts for the provider."""
    account, provider_id = new_provider_user(), uuid.uuid4()
    subject = subject_of(account)
    sessions = create_sessionmaker(commissioning_engine)

    async def told(kind: str) -> None:
        data = {"provider_id": str(provider_id), "subject": subject}
        event = {"id": str(uuid.uuid4()), "type": f"pl.cus.member.{kind}", "time": datetime.now(UTC).isoformat()}
        async with sessions() as session:
            await standing.apply(session, {**event, "data": data}, datetime.now(UTC))
            await session.commit()

    async def offers_status() -> int:
        return (await api.get("/v1/offers", headers=account)).status_code

    try:
        async with asgi_client(commissioning_app, "http://commissioning") as api:
            await told("added")
            for _ in range(50):  # the commit's notification reaches the listener in a moment
                if await offers_status() == 200:
                    break
                await asyncio.sleep(0.05)
            assert await offers_status() == 200  # acts for the provider, and it is kept now
            await told("removed")
            for _ in range(50):
                if await offers_status() == 403:
                    break
                await asyncio.sleep(0.05)
            assert await offers_status() == 403, "a removed member still acted for the provider"
    finally:
        async with commissioning_engine.begin() as conn:
            await conn.execute(text("DELETE FROM provider_memberships WHERE subject = :s"), {"s": subject})
