"""Time-driven steps of a call: the clock decides, a worker performs, reads never lag behind the clock."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.commissioning.calls import repository
from services.commissioning.calls.models import Call, CallEvent, CallHistory, CallStatus
from services.commissioning.clock import Clock
from services.commissioning.offers.models import Offer, OfferStatus

logger = logging.getLogger(__name__)


def effective_status(call: Call, now: datetime) -> CallStatus:
    """What the call's status is at `now`, whether or not the worker has run yet."""
    status = CallStatus(call.status)
    if status is CallStatus.OPEN and now >= call.deadline:
        return CallStatus.EVALUATION
    return status


def deadline_passed(call: Call, now: datetime) -> bool:
    return call.published_at is not None and now >= call.deadline


async def perform_due(session: AsyncSession, call: Call, now: datetime) -> str | None:
    """Perform the call's due event, if any (the caller holds the call's row lock)."""
    if call.next_event_at is None or call.next_event_at > now:
        return None
    event = call.next_event
    if event == CallEvent.OPEN_OFFERS.value and call.status == CallStatus.OPEN.value:
        offers = await session.scalar(
            select(func.count())
            .select_from(Offer)
            .where(Offer.call_id == call.id, Offer.status != OfferStatus.WITHDRAWN.value)
        )
        call.status = CallStatus.EVALUATION.value
        session.add(
            CallHistory(
                call_id=call.id,
                kind="offers-opened",
                actor="system",
                detail={"offers": int(offers or 0), "deadline": call.deadline.isoformat()},
                at=call.deadline,
            )
        )
        call.next_event = None
        call.next_event_at = None
    elif event == CallEvent.END_STANDSTILL.value:
        from services.commissioning.contracts.awards import sign_after_standstill

        await sign_after_standstill(session, call, now)  # schedules the next pending standstill, if any
    else:
        call.next_event = None
        call.next_event_at = None
    await session.flush()
    return event


async def run_due_events(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> int:
    """One pass of the worker: perform every due event, each call under its row lock (SKIP LOCKED)."""
    performed = 0
    async with sessionmaker() as session, session.begin():
        for call in await repository.due_calls(session, clock.now()):
            if await perform_due(session, call, clock.now()):
                performed += 1
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
