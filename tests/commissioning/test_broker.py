"""Events through NATS JetStream (EVENTS_NATS_URL): the outbox is published once per event whoever publishes it
(replicas, a publisher that lost its position), and commissioning learns a provider's suspension from the
catalogue's stream, once, however often it is redelivered. Runs against the machine's NATS on 127.0.0.1:4222."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError
from sqlalchemy import text

from services.catalogue.models.capacity import FeedPosition as CatalogueFeedPosition
from services.catalogue.models.outbox import OutboxEvent as CatalogueOutbox
from services.catalogue.outbox.service import SOURCE as CATALOGUE_SOURCE
from services.commissioning.models.outbox import OutboxEvent
from services.commissioning.models.standing import FeedPosition, ProviderStanding
from services.commissioning.outbox.service import SOURCE
from services.commissioning.standing import service as standing
from shared.broker import OutboxPublisher, Streams, connect
from shared.db import create_sessionmaker
from tests.catalogue.conftest import REGIONAL_26, new_provider_user
from tests.catalogue.factories import provider_payload
from tests.conftest import asgi_client

NATS = ("127.0.0.1", 4222)


def nats_answers() -> bool:
    try:
        with socket.create_connection(NATS, timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not nats_answers(), reason="no NATS on 127.0.0.1:4222 (CI and this machine run one)")


@pytest.fixture
async def broker() -> AsyncIterator[tuple[JetStreamContext, Streams]]:
    """A JetStream context and names no other run uses; the streams are deleted afterwards."""
    client = await connect(f"nats://{NATS[0]}:{NATS[1]}", "tests")
    streams = Streams(f"t{uuid.uuid4().hex[:10]}")
    js = client.jetstream()
    yield js, streams
    for service in ("commissioning", "catalogue"):
        with contextlib.suppress(NotFoundError):  # a stream a test did not make
            await js.delete_stream(streams.stream(service))
    await client.close()


async def test_replicas_publish_each_outbox_event_once(broker, commissioning_engine):
    js, streams = broker
    sessions = create_sessionmaker(commissioning_engine)

    def publisher() -> OutboxPublisher:
        return OutboxPublisher(sessions, js, streams, "commissioning", OutboxEvent, FeedPosition, SOURCE)

    try:
        async with commissioning_engine.connect() as conn:
            events = int((await conn.execute(text("SELECT count(*) FROM outbox_events"))).scalar_one())
        await asyncio.gather(publisher().publish_once(), publisher().publish_once())
        info = await js.stream_info(streams.stream("commissioning"))
        assert info.state.messages == events
        # a publisher that lost its position publishes everything again: the broker keeps one of each
        async with commissioning_engine.begin() as conn:
            await conn.execute(text("DELETE FROM feed_positions WHERE feed = 'nats:commissioning'"))
        assert await publisher().publish_once() == events
        assert (await js.stream_info(streams.stream("commissioning"))).state.messages == events
        if events:
            sub = await js.pull_subscribe(f"{streams.prefix}.commissioning.>", stream=streams.stream("commissioning"))
            first = (await sub.fetch(1, timeout=2))[0]
            assert first.headers and uuid.UUID(first.headers["Nats-Msg-Id"])
            assert first.subject.startswith(f"{streams.prefix}.commissioning.")
    finally:
        async with commissioning_engine.begin() as conn:
            await conn.execute(text("DELETE FROM feed_positions WHERE feed = 'nats:commissioning'"))


async def test_a_suspension_reaches_commissioning_through_the_catalogues_stream_once(
    broker, catalogue_app, catalogue_engine, commissioning_engine
):
    js, streams = broker
    made: list[str] = []
    started = datetime.now(UTC)
    async with commissioning_engine.connect() as conn:
        known_before = set((await conn.execute(text("SELECT provider_id FROM provider_standings"))).scalars())
    try:
        async with asgi_client(catalogue_app, "http://catalogue") as cat:
            provider = (await cat.post("/v1/providers", json=provider_payload(), headers=new_provider_user())).json()
            made.append(provider["id"])
            for body in ({"action": "verify"}, {"action": "suspend", "reason": "Kontrola ROPS"}):
                changed = await cat.post(
                    f"/v1/providers/{provider['id']}/status-changes", json=body, headers=REGIONAL_26
                )
                assert changed.status_code == 201, changed.text
        publisher = OutboxPublisher(
            create_sessionmaker(catalogue_engine),
            js,
            streams,
            "catalogue",
            CatalogueOutbox,
            CatalogueFeedPosition,
            CATALOGUE_SOURCE,
        )
        await publisher.publish_once()
        sessions = create_sessionmaker(commissioning_engine)
        consumer = standing.stream_consumer(sessions, js, streams)
        pull = await consumer.subscribe()
        applied = 0
        for _ in range(20):
            got = await consumer.consume(pull, wait=0.5)
            applied += got
            if got == 0 and applied:
                break
        async with sessions() as session:
            known = await session.get(ProviderStanding, uuid.UUID(provider["id"]))
        assert known is not None and known.status == "suspended"
        # everything delivered again (a new durable from the stream's start): nothing is applied twice
        replay = standing.stream_consumer(sessions, js, streams)
        replay.durable = "commissioning-standing-replay"
        again = await replay.subscribe()
        assert await replay.consume(again, wait=0.5) == 0
    finally:
        async with catalogue_engine.begin() as conn:
            await conn.execute(text("DELETE FROM feed_positions WHERE feed = 'nats:catalogue'"))
            for provider_id in made:
                await conn.execute(text("DELETE FROM outbox_events WHERE provider_id = :p"), {"p": provider_id})
                await conn.execute(text("DELETE FROM providers WHERE id = :p"), {"p": provider_id})
        async with commissioning_engine.begin() as conn:  # what the stream's other events taught is forgotten
            await conn.execute(text("DELETE FROM applied_events WHERE applied_at >= :t"), {"t": started})
            await conn.execute(
                text("DELETE FROM provider_standings WHERE NOT (provider_id = ANY(:known))"),
                {"known": list(known_before)},
            )


def test_subject_filters_take_every_type_asked_for():
    streams = Streams("cus")
    assert streams.filter("catalogue", standing.PROVIDER_EVENTS) == "cus.catalogue.provider.>"
    assert streams.filter("commissioning", ["contract.signed"]) == "cus.commissioning.contract.signed"
    assert streams.filter("commissioning", ["contract.signed", "call.published"]) == "cus.commissioning.>"
    assert streams.subject("commissioning", "pl.cus.call.offers-opened") == "cus.commissioning.call.offers-opened"
