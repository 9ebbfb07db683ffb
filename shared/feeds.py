"""Consuming another service's change feed (see shared.events): read a page after the stored cursor, apply it and
move the cursor in one transaction, so a crash re-reads the page, and the applied-events table makes that
harmless (a replayed event changes nothing). Several replicas take turns on the position row's lock; a page
another replica applied meanwhile is dropped. Each service keeps the two tables (the mixins) in its own database.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import DateTime, String, Text, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

logger = logging.getLogger(__name__)

PAGE = 200
LONGEST_WAIT = 60.0


class FeedPositionColumns:
    """How far a service has read another service's feed (one row per feed)."""

    __tablename__ = "feed_positions"

    feed: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AppliedEventColumns:
    """An event already applied: a redelivered or replayed event changes nothing."""

    __tablename__ = "applied_events"

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    applied_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


Apply = Callable[[AsyncSession, dict[str, Any], datetime], Awaitable[None]]


@dataclass
class Subscription:
    feed: str  # its row in feed_positions
    path: str  # the feed's route on the other service
    types: list[str]  # the event types read (without the `pl.cus.` prefix)
    apply: Apply  # applies one event not applied before, in the page's transaction
    after_page: Callable[[AsyncSession, datetime], Awaitable[object]] | None = field(default=None)


class FeedConsumer:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        subscription: Subscription,
        *,
        positions: Any,  # the service's FeedPositionColumns model
        applied: Any,  # its AppliedEventColumns model
    ) -> None:
        self.sessionmaker, self.http, self.subscription = sessionmaker, http, subscription
        self.positions, self.applied = positions, applied

    async def _page(self, cursor: str | None) -> dict[str, Any]:
        params: list[tuple[str, str | int | float | bool | None]] = [("type", t) for t in self.subscription.types]
        params += [("limit", PAGE)] + ([("after", cursor)] if cursor else [])
        response = await self.http.get(self.subscription.path, params=params)
        if response.status_code == 422 and cursor:
            # the feed takes this cursor no more (a position kept from reading as a service, now read without
            # one): from the start again, where every event already applied changes nothing
            logger.warning(
                "a feed refused the cursor kept; reading it from the start", extra={"feed": self.subscription.feed}
            )
            return await self._page(None)
        response.raise_for_status()
        page: dict[str, Any] = response.json()
        return page

    async def _cursor(self, session: AsyncSession) -> str | None:
        model = self.positions
        return await session.scalar(select(model.cursor).where(model.feed == self.subscription.feed))

    async def _lock_position(self, session: AsyncSession, now: datetime) -> Any:
        model, feed = self.positions, self.subscription.feed
        await session.execute(insert(model).values(feed=feed, cursor=None, updated_at=now).on_conflict_do_nothing())
        return await session.get(model, feed, with_for_update=True, populate_existing=True)

    async def _first_time(self, session: AsyncSession, event: dict[str, Any], now: datetime) -> bool:
        model = self.applied
        kind = str(event["type"]).removeprefix("pl.cus.")
        statement = insert(model).values(event_id=uuid.UUID(event["id"]), type=kind, applied_at=now)
        inserted = await session.execute(statement.on_conflict_do_nothing().returning(model.event_id))
        return inserted.first() is not None

    async def pass_once(self) -> int:
        """Read and apply pages until the feed's end; how many events were applied."""
        applied = 0
        while True:
            async with self.sessionmaker() as session:
                cursor = await self._cursor(session)
            page = await self._page(cursor)
            items: list[dict[str, Any]] = page["items"]
            now = datetime.now(UTC)
            async with self.sessionmaker() as session, session.begin():
                position = await self._lock_position(session, now)
                if position.cursor != cursor:
                    continue  # another replica applied this page meanwhile
                for event in items:
                    if await self._first_time(session, event, now):
                        await self.subscription.apply(session, event, now)
                        applied += 1
                if self.subscription.after_page is not None:
                    await self.subscription.after_page(session, now)
                position.cursor, position.updated_at = str(page["next_cursor"]), now
            if len(items) < PAGE:
                return applied

    async def run(self, interval: float) -> None:
        wait = interval
        while True:
            try:
                applied = await self.pass_once()
                if applied:
                    logger.info("applied events", extra={"feed": self.subscription.feed, "events": applied})
                wait = interval
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the other service away, a bad page: try again later, waiting longer
                wait = min(wait * 2, LONGEST_WAIT)
                logger.warning(
                    "reading a feed failed; retrying",
                    extra={
                        "feed": self.subscription.feed,
                        "error": f"{type(exc).__name__}: {exc}"[:500],
                        "retry_in_seconds": wait,
                    },
                )
            await asyncio.sleep(wait)
