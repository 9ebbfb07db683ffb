"""The catalogue's change feed (GET /v1/catalogue-events): each verification decision and membership change is an
event written with it; a verified, suspended or reinstated provider is public, its registration, a rejection and
who its members are only its members' (and administrators')."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import text

from shared.db import database_of
from shared.plumbing import webhook_relay
from tests.catalogue.conftest import ADMIN, REGIONAL_26, new_provider_user
from tests.catalogue.factories import provider_payload
from tests.conftest import asgi_client
from tests.helpers import subject_of
from tests.webhook_receiver import receiver  # noqa: F401  (a fixture)


@pytest.fixture
async def committed(catalogue_app, catalogue_engine) -> AsyncIterator[tuple[Any, list[str]]]:
    """The app on its own sessions (the feed reads what is committed); the providers made are deleted after."""
    made: list[str] = []
    async with asgi_client(catalogue_app, "http://catalogue") as http:
        yield http, made
    async with catalogue_engine.begin() as conn:
        for provider_id in made:
            await conn.execute(text("DELETE FROM outbox_events WHERE provider_id = :p"), {"p": provider_id})
            await conn.execute(text("DELETE FROM providers WHERE id = :p"), {"p": provider_id})


async def feed(http: Any, start: str | None, provider_id: str, headers: dict[str, str] | None = None) -> list[str]:
    params = {"limit": 500, **({"after": start} if start else {})}
    page = (await http.get("/v1/catalogue-events", params=params, headers=headers or {})).json()
    return [
        e["type"].removeprefix("pl.cus.") for e in page["items"] if e["subject"].startswith(f"providers/{provider_id}")
    ]


async def test_verification_decisions_are_events_public_once_verified(committed):
    http, made = committed
    start = (await http.get("/v1/catalogue-events", params={"limit": 500})).json()
    while len(start["items"]) == 500:
        start = (await http.get("/v1/catalogue-events", params={"after": start["next_cursor"], "limit": 500})).json()
    cursor = start["next_cursor"]
    account = new_provider_user()
    provider = (await http.post("/v1/providers", json=provider_payload(), headers=account)).json()
    made.append(provider["id"])
    assert await feed(http, cursor, provider["id"]) == []  # pending: nobody else's business
    assert await feed(http, cursor, provider["id"], account) == ["member.added", "provider.registered"]
    for action, reason in (("verify", None), ("suspend", "Kontrola ROPS w toku"), ("reinstate", "Kontrola zakończona")):
        body = {"action": action, **({"reason": reason} if reason else {})}
        changed = await http.post(f"/v1/providers/{provider['id']}/status-changes", json=body, headers=REGIONAL_26)
        assert changed.status_code == 201, changed.text
    public = await feed(http, cursor, provider["id"])
    assert public == ["provider.verified", "provider.suspended", "provider.reinstated"]
    everything = await feed(http, cursor, provider["id"], ADMIN)
    assert everything == ["member.added", "provider.registered", *public]
    page = (await http.get("/v1/catalogue-events", params={"after": cursor, "type": "provider.suspended"})).json()
    suspended = [e for e in page["items"] if e["subject"] == f"providers/{provider['id']}"]
    assert suspended[0]["source"] == "urn:cus:catalogue" and suspended[0]["data"]["status"] == "suspended"
    assert suspended[0]["data"]["nip"] == provider["nip"] and suspended[0]["provider"] == provider["id"]
    bad = await http.get("/v1/catalogue-events", params={"type": "call.published"})
    assert bad.status_code == 422


async def test_a_provider_account_subscribes_to_its_providers_private_events(
    committed, catalogue_app, catalogue_engine, receiver
):
    """The catalogue's webhooks: what an account is sent is what it may read in the feed (its memberships)."""
    from shared.webhooks import WebhookPolicy

    http, made = committed
    catalogue_app.state.webhook_policy = WebhookPolicy(allowed_hosts=frozenset({"127.0.0.1"}))
    account, stranger = new_provider_user(), new_provider_user()
    try:
        provider = (await http.post("/v1/providers", json=provider_payload(), headers=account)).json()
        made.append(provider["id"])
        for who, tag in ((account, "member"), (stranger, "stranger")):
            sub = await http.post("/v1/catalogue-webhooks", json={"url": f"{receiver.url}?{tag}"}, headers=who)
            assert sub.status_code == 201, sub.text
        rejected = await http.post(
            f"/v1/providers/{provider['id']}/status-changes",
            json={"action": "reject", "reason": "Brak wpisu w KRS"},
            headers=REGIONAL_26,
        )
        assert rejected.status_code == 201, rejected.text
        relay = webhook_relay(
            catalogue_app.state.plumbing, database_of(catalogue_app), catalogue_app.state.webhook_policy
        )
        await relay.pass_once()
        await relay.close()
        told = [
            (query, json.loads(body)["type"])
            for (_, body), query in zip(receiver.received, receiver.queries, strict=True)
            if json.loads(body)["subject"] == f"providers/{provider['id']}"
        ]
        assert told == [("member", "pl.cus.provider.rejected")]  # private: the stranger is told nothing
    finally:
        catalogue_app.state.webhook_policy = WebhookPolicy()
        async with catalogue_engine.begin() as conn:
            await conn.execute(
                text("DELETE FROM webhook_subscriptions WHERE owner_subject IN (:a, :b)"),
                {"a": subject_of(account), "b": subject_of(stranger)},
            )


async def test_a_member_removed_from_a_provider_is_sent_none_of_its_private_events(
    committed, catalogue_app, catalogue_engine, receiver
):
    """Membership is checked at every delivery, not when the subscription was saved: a member removed is sent
    nothing more of the provider (not the event fanned out to it before, nor its redelivery: `skipped`), the
    member who stays everything."""
    from shared.webhooks import WebhookPolicy

    http, made = committed
    catalogue_app.state.webhook_policy = WebhookPolicy(allowed_hosts=frozenset({"127.0.0.1"}))
    founder, consultant = new_provider_user(), new_provider_user()
    relay = webhook_relay(catalogue_app.state.plumbing, database_of(catalogue_app), catalogue_app.state.webhook_policy)
    try:
        provider = (await http.post("/v1/providers", json=provider_payload(), headers=founder)).json()
        made.append(provider["id"])
        path = f"/v1/providers/{provider['id']}"
        invited = await http.post(f"{path}/invitations", json={"subject": subject_of(consultant)}, headers=founder)
        assert invited.status_code == 201, invited.text
        joined = await http.post(f"/v1/me/invitations/{invited.json()['id']}/acceptance", headers=consultant)
        assert joined.status_code == 201, joined.text
        subscriptions = {}
        for who, tag in ((founder, "founder"), (consultant, "consultant")):
            sub = await http.post("/v1/catalogue-webhooks", json={"url": f"{receiver.url}?{tag}"}, headers=who)
            assert sub.status_code == 201, sub.text
            subscriptions[tag] = sub.json()["id"]

        async def change(version: int) -> None:  # a pending provider's change: its members' only
            body, match = {"phone": f"+48 41 000 00 0{version}"}, {**founder, "If-Match": f'"{version}"'}
            assert (await http.patch(path, json=body, headers=match)).status_code == 200

        await change(1)
        fanned = 0
        for _ in range(100):  # a delivery of it to each member, not made yet (once no transaction holds it back)
            fanned += await relay.fan_out()
            if fanned >= 2:
                break
            await asyncio.sleep(0.05)
        removed = await http.delete(f"{path}/members/{subject_of(consultant)}", headers=founder)
        assert removed.status_code == 204
        await change(2)

        def told() -> list[tuple[str, str]]:  # what each was sent of what happened since both subscribed
            sent = [(q, json.loads(body)) for (_, body), q in zip(receiver.received, receiver.queries, strict=True)]
            return sorted(
                (query, event["type"].removeprefix("pl.cus."))
                for query, event in sent
                if event["provider"] == provider["id"] and event["type"] in CHANGES
            )

        expected = [("founder", "member.removed"), ("founder", "provider.changed"), ("founder", "provider.changed")]
        for _ in range(100):
            await relay.pass_once()
            if len(told()) >= 3:
                break
            await asyncio.sleep(0.05)
        assert told() == expected
        log = f"/v1/catalogue-webhooks/{subscriptions['consultant']}/deliveries"
        skipped = (await http.get(log, headers=consultant)).json()["items"]
        assert [d["status"] for d in skipped] == ["skipped"]
        again = await http.post(f"{log}/{skipped[0]['id']}/redeliver", headers=consultant)
        assert again.status_code == 202
        await relay.pass_once()
        assert "consultant" not in receiver.queries
        assert (await http.get(log, headers=consultant)).json()["items"][0]["status"] == "skipped"
    finally:
        await relay.close()
        catalogue_app.state.webhook_policy = WebhookPolicy()
        async with catalogue_engine.begin() as conn:
            await conn.execute(
                text("DELETE FROM webhook_subscriptions WHERE owner_subject IN (:a, :b)"),
                {"a": subject_of(founder), "b": subject_of(consultant)},
            )


CHANGES = ("pl.cus.provider.changed", "pl.cus.member.removed")


async def test_the_catalogues_feed_is_described_in_asyncapi_and_its_events_match(committed, catalogue_engine):
    import jsonschema

    from services.catalogue.models.outbox import EventType
    from services.catalogue.outbox.schemas import DATA
    from tests.catalogue.factories import create_offering

    http, made = committed
    document = (await http.get("/v1/catalogue-events/asyncapi")).json()
    assert document["channels"]["feed"]["address"] == "/v1/catalogue-events"
    assert {m["name"] for m in document["components"]["messages"].values()} == {f"pl.cus.{t}" for t in EventType}
    assert "members only" in document["components"]["messages"]["member-added"]["summary"]
    provider = (await http.post("/v1/providers", json=provider_payload(), headers=new_provider_user())).json()
    made.append(provider["id"])
    await http.post(f"/v1/providers/{provider['id']}/status-changes", json={"action": "verify"}, headers=ADMIN)
    await create_offering(http, provider["id"])
    async with catalogue_engine.connect() as conn:
        rows = (
            await conn.execute(
                text("SELECT type, data FROM outbox_events WHERE provider_id = :p"), {"p": provider["id"]}
            )
        ).all()
    assert {t for t, _ in rows} >= {"pl.cus.provider.verified", "pl.cus.offering.changed", "pl.cus.member.added"}
    for kind, data in rows:
        model = DATA[EventType(kind.removeprefix("pl.cus."))]
        model.model_validate(data)  # refuses a field the schema does not declare
        jsonschema.validate(data, {"$ref": f"#/components/schemas/{model.__name__}", **document})
