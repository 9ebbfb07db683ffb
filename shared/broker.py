"""Events through NATS JetStream, for when one machine is outgrown (`EVENTS_NATS_URL`; nats-py).

Publishing. A publisher reads the service's outbox as its feed (shared.events: below the oldest running
transaction, so nothing committed late is skipped) and publishes each event to the service's stream, subject
`<prefix>.<service>.<type>`, with `Nats-Msg-Id` set to the event id: JetStream drops a second copy within its
duplicate window, so replicas publishing the same page, or a publisher that died before saving its position,
publish nothing twice. The position is saved in the service's `feed_positions` after the broker acknowledged.

Consuming. A consumer of another service's events is a durable pull consumer of that service's stream (replicas
share it: each message goes to one of them); each message is applied in a transaction with the applied-events
check (shared.feeds: a redelivered event changes nothing) and acknowledged after the commit, so a crash before the
ack has it redelivered. The embedded default needs none of this: the HTTP feed and its consumer.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from nats.aio.client import Client as NATS
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import NotFoundError
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.auth import Principal, Role
from shared.events import TYPE_PREFIX, Cursor, envelope, next_cursor, read_feed
from shared.feeds import Subscription
from shared.notify import run_woken

logger = logging.getLogger(__name__)

PAGE = 200
DUPLICATE_WINDOW_SECONDS = 600.0
EVERYTHING = Principal(subject="nats-publisher", role=Role.ADMIN)  # the broker carries private events too


@dataclass(frozen=True)
class Streams:
    """Names on the broker: `prefix` keeps deployments (and test runs) sharing one NATS apart."""

    prefix: str = "cus"

    def stream(self, service: str) -> str:
        return f"{self.prefix}_{service}".upper().replace("-", "_").replace(".", "_")

    def subject(self, service: str, event_type: str) -> str:
        return f"{self.prefix}.{service}.{event_type.removeprefix(TYPE_PREFIX)}"

    def filter(self, service: str, types: list[str]) -> str:
        """The narrowest subject filter taking every type (one filter: NATS servers before 2.10 know no more)."""
        tokens = [t.split(".") for t in types]
        common: list[str] = []
        for parts in zip(*tokens, strict=False):
            if len(set(parts)) != 1:
                break
            common.append(parts[0])
        exact = len(types) == 1 and len(common) == len(tokens[0])
        tail = "" if exact else ".>"
        return f"{self.prefix}.{service}" + ("." + ".".join(common) if common else "") + tail


async def connect(url: str, name: str) -> NATS:
    client = NATS()
    await client.connect(servers=[url], name=name, max_reconnect_attempts=-1, reconnect_time_wait=1)
    return client


async def ensure_stream(js: JetStreamContext, streams: Streams, service: str) -> None:
    name = streams.stream(service)
    try:
        await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(
                name=name,
                subjects=[f"{streams.prefix}.{service}.>"],
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
            )
        )


@dataclass
class OutboxPublisher:
    sessionmaker: async_sessionmaker[AsyncSession]
    js: JetStreamContext
    streams: Streams
    service: str  # `commissioning`, `catalogue`
    outbox: Any  # the service's OutboxEvent model
    positions: Any  # its FeedPosition model (a row `nats:<service>`)
    source: str

    @property
    def position_name(self) -> str:
        return f"nats:{self.service}"

    async def publish_once(self) -> int:
        """Publish every final event after the saved position; how many were published (duplicates included)."""
        await ensure_stream(self.js, self.streams, self.service)
        published = 0
        while True:
            async with self.sessionmaker() as session:
                saved = await session.scalar(
                    select(self.positions.cursor).where(self.positions.feed == self.position_name)
                )
                after = Cursor.parse(saved)
                rows, watermark = await read_feed(
                    session, self.outbox, principal=EVERYTHING, after=after, types=[], municipality=None, limit=PAGE
                )
            for row in rows:
                event = envelope(row, self.source)
                await self.js.publish(
                    self.streams.subject(self.service, row.type),
                    event.model_dump_json().encode(),
                    headers={"Nats-Msg-Id": str(row.id)},
                    stream=self.streams.stream(self.service),
                )
            published += len(rows)
            await self._save(saved, str(next_cursor(rows, watermark, after, PAGE)))
            if len(rows) < PAGE:
                return published

    async def _save(self, read_from: str | None, cursor: str) -> None:
        """Move the position on, unless another replica moved it meanwhile (it published the same or more)."""
        async with self.sessionmaker() as session, session.begin():
            now = datetime.now(UTC)
            statement = insert(self.positions).values(feed=self.position_name, cursor=None, updated_at=now)
            await session.execute(statement.on_conflict_do_nothing())
            position = await session.get(self.positions, self.position_name, with_for_update=True)
            if position is not None and position.cursor == read_from:
                position.cursor, position.updated_at = cursor, now

    async def run(self, interval: float, wake: asyncio.Event | None = None) -> None:
        def failed(exc: Exception) -> None:  # the broker or the database away: the next pass tries again
            logger.warning("publishing events failed; retrying", extra={"error": f"{type(exc).__name__}: {exc}"})

        await run_woken(self.publish_once, interval, wake, failed)


@dataclass
class StreamConsumer:
    """Another service's events from its stream, applied as shared.feeds' HTTP consumer applies them."""

    sessionmaker: async_sessionmaker[AsyncSession]
    js: JetStreamContext
    streams: Streams
    service: str  # whose stream
    durable: str  # this consumer's name (shared by the replicas)
    subscription: Subscription
    applied: Any  # the consuming service's AppliedEvent model

    async def subscribe(self) -> JetStreamContext.PullSubscription:
        await ensure_stream(self.js, self.streams, self.service)
        durable = f"{self.streams.prefix}-{self.durable}".replace(".", "-")
        config = ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=30,
            filter_subject=self.streams.filter(self.service, self.subscription.types),
        )
        return await self.js.pull_subscribe(
            config.filter_subject or "", durable=durable, stream=self.streams.stream(self.service), config=config
        )

    async def _apply(self, session: AsyncSession, event: dict[str, Any], now: datetime) -> bool:
        kind = str(event["type"]).removeprefix(TYPE_PREFIX)
        if kind not in self.subscription.types:
            return False
        statement = insert(self.applied).values(event_id=uuid.UUID(event["id"]), type=kind, applied_at=now)
        first = await session.execute(statement.on_conflict_do_nothing().returning(self.applied.event_id))
        if first.first() is None:
            return False
        await self.subscription.apply(session, event, now)
        return True

    async def consume(self, pull: JetStreamContext.PullSubscription, *, wait: float = 1.0) -> int:
        """One batch: applied and acknowledged; how many were applied (replays and other types not counted)."""
        try:
            messages = await pull.fetch(batch=PAGE, timeout=wait)
        except NatsTimeout:
            return 0
        applied = 0
        now = datetime.now(UTC)
        async with self.sessionmaker() as session, session.begin():
            for message in messages:
                applied += await self._apply(session, orjson.loads(message.data), now)
            if self.subscription.after_page is not None:
                await self.subscription.after_page(session, now)
        for message in messages:  # after the commit: a crash before here has them redelivered
            await message.ack()
        return applied

    async def run(self) -> None:
        pull: JetStreamContext.PullSubscription | None = None
        while True:
            try:
                pull = pull or await self.subscribe()
                applied = await self.consume(pull)
                if applied:
                    logger.info("applied events", extra={"stream": self.service, "events": applied})
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("consuming events failed; retrying", extra={"error": f"{type(exc).__name__}: {exc}"})
                await asyncio.sleep(2)
