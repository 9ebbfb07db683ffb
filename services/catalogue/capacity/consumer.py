"""The catalogue's consumer of commissioning's change feed: the kit's (shared.feeds) with the capacity rules."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.catalogue.capacity import service
from services.catalogue.models.capacity import AppliedEvent, FeedPosition
from shared.broker import StreamConsumer, Streams
from shared.feeds import FeedConsumer as KitConsumer
from shared.feeds import Subscription

FEED = "commissioning"
WARSAW = ZoneInfo("Europe/Warsaw")


def warsaw_today() -> date:
    return datetime.now(WARSAW).date()


def subscription(today: Callable[[], date] = warsaw_today) -> Subscription:
    """Contract events commit capacity; after each page, contracts whose period is over release it."""

    async def apply(session: AsyncSession, event: dict[str, Any], now: datetime) -> None:
        await service.apply_contract(session, event["data"], today=today(), now=now)

    async def after_page(session: AsyncSession, now: datetime) -> None:
        await service.release_lapsed(session, today=today(), now=now)

    return Subscription(FEED, "/v1/events", list(service.CONTRACT_EVENTS), apply, after_page)


def FeedConsumer(
    sessionmaker: async_sessionmaker[AsyncSession],
    http: httpx.AsyncClient,
    *,
    today: Callable[[], date] = warsaw_today,
) -> KitConsumer:
    """Commissioning's contract events from its HTTP feed."""
    return KitConsumer(sessionmaker, http, subscription(today), positions=FeedPosition, applied=AppliedEvent)


def stream_consumer(
    sessionmaker: async_sessionmaker[AsyncSession], js: JetStreamContext, streams: Streams
) -> StreamConsumer:
    """The same events from commissioning's JetStream stream (EVENTS_NATS_URL)."""
    return StreamConsumer(sessionmaker, js, streams, FEED, "catalogue-capacity", subscription(), AppliedEvent)
