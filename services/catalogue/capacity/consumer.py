"""The consumer of commissioning's change feed: reads a page after its cursor, applies it and moves the cursor
in one transaction (so a crash re-reads the page, and the applied-events table makes that harmless), then reads
the next. Several catalogue replicas take turns on the position row's lock; a page another replica already
applied is dropped."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.catalogue.capacity import repository, service

logger = logging.getLogger(__name__)

FEED = "commissioning"
PAGE = 200
LONGEST_WAIT = 60.0
WARSAW = ZoneInfo("Europe/Warsaw")


def warsaw_today() -> date:
    return datetime.now(WARSAW).date()


class FeedConsumer:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        http: httpx.AsyncClient,
        *,
        today: Callable[[], date] = warsaw_today,
    ) -> None:
        self.sessionmaker, self.http, self.today = sessionmaker, http, today

    async def _page(self, cursor: str | None) -> dict[str, object]:
        params: list[tuple[str, str | int | float | bool | None]] = [("type", t) for t in service.CONTRACT_EVENTS]
        params += [("limit", PAGE)] + ([("after", cursor)] if cursor else [])
        response = await self.http.get("/v1/events", params=params)
        response.raise_for_status()
        page: dict[str, object] = response.json()
        return page

    async def pass_once(self) -> int:
        """Read and apply pages until the feed's end; how many events were applied."""
        applied = 0
        while True:
            async with self.sessionmaker() as session:
                cursor = await repository.position(session, FEED)
            page = await self._page(cursor)
            items = page["items"]
            assert isinstance(items, list)
            now = datetime.now(UTC)
            async with self.sessionmaker() as session, session.begin():
                position = await repository.lock_position(session, FEED, now)
                if position.cursor != cursor:
                    continue  # another replica applied this page meanwhile
                for event in items:
                    applied += await service.apply_event(session, event, today=self.today(), now=now)
                await service.release_lapsed(session, today=self.today(), now=now)
                position.cursor, position.updated_at = str(page["next_cursor"]), now
            if len(items) < PAGE:
                return applied

    async def run(self, interval: float) -> None:
        wait = interval
        while True:
            try:
                applied = await self.pass_once()
                if applied:
                    logger.info("applied commissioning events", extra={"events": applied})
                wait = interval
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # commissioning away, a bad page: try again later, waiting longer
                wait = min(wait * 2, LONGEST_WAIT)
                logger.warning(
                    "reading commissioning's events failed; retrying",
                    extra={"error": f"{type(exc).__name__}: {exc}"[:500], "retry_in_seconds": wait},
                )
            await asyncio.sleep(wait)
