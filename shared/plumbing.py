"""A service's event plumbing, started with it: the webhook relay, and either the HTTP feed consumer of the
other service's events (the embedded default) or, with `EVENTS_NATS_URL`, the JetStream publisher of its own
outbox and a durable stream consumer of the other's. Each loop is woken by the service's commits of events
(NOTIFY) and polls in any case; every one of them is safe with any number of replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.broker import OutboxPublisher, StreamConsumer, Streams, connect
from shared.db import Database
from shared.events import EventTables
from shared.settings import ServiceSettings
from shared.webhooks import OwnerScope, Runner, WebhookPolicy, WebhookRelay, telling_the_owner, woken_tasks

Sessions = async_sessionmaker[AsyncSession]


@dataclass
class Plumbing:
    service: str  # its name on the broker
    tables: EventTables
    owner_scope: OwnerScope  # what a subscription's owner may read now, as the service's feed decides it
    # the other service's events: over HTTP (a loop polling every `interval`), or from its stream
    feed_consumer: Callable[[], Callable[[float], Coroutine[Any, Any, None]]] | None = None
    stream_consumer: Callable[[Sessions, JetStreamContext, Streams], StreamConsumer] | None = None


async def cancel(tasks: list[asyncio.Task[None]]) -> None:
    """Stop a service's background loops and wait until each has."""
    for task in tasks:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def webhook_relay(plumbing: Plumbing, database: Database, policy: WebhookPolicy) -> WebhookRelay:
    """The service's webhook relay over its own tables (`running` starts one; a test may make its own)."""
    return WebhookRelay(
        database.write,
        subscriptions=plumbing.tables.subscriptions,
        deliveries=plumbing.tables.deliveries,
        outbox=plumbing.tables.feed.model,
        source=plumbing.tables.feed.source,
        policy=policy,
        owner_scope=plumbing.owner_scope,
        on_disabled=telling_the_owner(plumbing.tables.feed),
    )


@asynccontextmanager
async def running(
    plumbing: Plumbing,
    database: Database,
    settings: ServiceSettings,
    policy: WebhookPolicy,
    *,
    consume_every: float,
) -> AsyncIterator[None]:
    """Start what the settings ask for (`consume_every` 0: no consumer; `webhook_poll_seconds` 0: no relay)."""
    relay = webhook_relay(plumbing, database, policy)
    runners: list[Runner] = []
    tasks: list[asyncio.Task[None]] = []
    broker = await connect(settings.events_nats_url, plumbing.service) if settings.events_nats_url else None
    if settings.webhook_poll_seconds > 0:
        runners.append(lambda wake: relay.run(settings.webhook_poll_seconds, wake))
    if broker is not None:
        streams = Streams(settings.events_nats_prefix)
        js = broker.jetstream()
        tables = plumbing.tables
        publisher = OutboxPublisher(
            database.write, js, streams, plumbing.service, tables.feed.model, tables.positions, tables.feed.source
        )
        runners.append(lambda wake: publisher.run(5.0, wake))
        if consume_every > 0 and plumbing.stream_consumer is not None:
            tasks.append(asyncio.create_task(plumbing.stream_consumer(database.write, js, streams).run()))
    elif consume_every > 0 and plumbing.feed_consumer is not None:
        tasks.append(asyncio.create_task(plumbing.feed_consumer()(consume_every)))
    if runners:
        tasks += woken_tasks(database.engine, *runners)
    try:
        yield
    finally:
        await cancel(tasks)
        await relay.close()
        if broker is not None:
            await broker.close()
