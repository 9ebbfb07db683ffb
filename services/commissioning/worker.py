"""The worker that performs calls' due time-driven events (see calls/events.py).

Each call is performed in its own transaction under its row lock (SKIP LOCKED: several workers share the work).
A call whose event fails is rolled back alone, logged with its id, and retried later with a growing back-off
recorded on the call, so one poisoned call never holds up the others.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.commissioning.calls import repository
from services.commissioning.calls.events import perform_due
from services.commissioning.clock import Clock

logger = logging.getLogger(__name__)

FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """30 s after the first failure, doubling, at most an hour."""
    delay: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(delay, LONGEST_RETRY)


async def _record_failure(
    sessionmaker: async_sessionmaker[AsyncSession], call_id: uuid.UUID, now: datetime, error: BaseException
) -> None:
    async with sessionmaker() as session, session.begin():
        call = await repository.lock_if_due(session, call_id, now)
        if call is None:
            return
        call.event_attempts += 1
        call.event_error = f"{type(error).__name__}: {error}"[:2000]
        call.next_event_at = now + retry_delay(call.event_attempts)
        logger.warning(
            "call event will be retried",
            extra={"call_id": str(call.id), "event": call.next_event, "attempts": call.event_attempts},
        )


async def run_due_events(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> int:
    """One pass: perform every due event, one call per transaction; returns how many were performed."""
    async with sessionmaker() as session:
        due = await repository.due_call_ids(session, clock.now())
    performed = 0
    for call_id in due:
        now = clock.now()
        try:
            async with sessionmaker() as session, session.begin():
                call = await repository.lock_if_due(session, call_id, now)
                if call is not None and await perform_due(session, call, now):
                    performed += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one call's failure must not stop the others
            logger.exception("a call's due event failed", extra={"call_id": str(call_id)})
            await _record_failure(sessionmaker, call_id, now, exc)
    return performed


async def worker(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, interval: float) -> None:
    while True:
        try:
            performed = await run_due_events(sessionmaker, clock)
            if performed:
                logger.info("performed due call events", extra={"events": performed})
        except asyncio.CancelledError:
            raise
        except Exception:  # the worker must outlive a failed pass (the database restarting, say)
            logger.exception("the call events worker failed a pass")
        await asyncio.sleep(interval)
