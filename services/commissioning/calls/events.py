"""Time-driven steps of a call: the clock decides, a worker performs, reads never lag behind the clock.

This module knows when an event is due and who performs it; it does not know what any event does. Each domain
registers the handler of its own events at start-up (main.py), and start-up fails if an event has none, so the
calls package never imports the packages built on top of it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.calls import Call, CallEvent, CallStatus

# A handler performs the event on a call whose row lock the caller holds, and sets the call's next event
# (or clears it) before returning.
EventHandler = Callable[[AsyncSession, Call, datetime], Awaitable[object]]

_handlers: dict[CallEvent, EventHandler] = {}


def effective_status(call: Call, now: datetime) -> CallStatus:
    """What the call's status is at `now`, whether or not the worker has run yet."""
    status = CallStatus(call.status)
    if status is CallStatus.OPEN and now >= call.deadline:
        return CallStatus.EVALUATION
    return status


def deadline_passed(call: Call, now: datetime) -> bool:
    return call.published_at is not None and now >= call.deadline


def register(event: CallEvent, handler: EventHandler) -> None:
    """Name the function that performs `event` (registering again replaces it)."""
    _handlers[event] = handler


def handler_for(event: CallEvent) -> EventHandler:
    return _handlers[event]


def require_every_handler() -> None:
    """Fail at start-up, not at the first due event, when an event has nobody to perform it."""
    missing = sorted(event.value for event in CallEvent if event not in _handlers)
    if missing:
        raise RuntimeError(f"No handler registered for the call events: {', '.join(missing)}.")


async def perform_due(session: AsyncSession, call: Call, now: datetime) -> str | None:
    """Perform the call's due event, if any (the caller holds the call's row lock); returns the event performed."""
    if call.next_event_at is None or call.next_event_at > now or call.next_event is None:
        return None
    event = call.next_event
    try:
        handler = _handlers[CallEvent(event)]
    except (ValueError, KeyError):
        raise RuntimeError(f"Call {call.id} has the event {event!r}, which nobody performs.") from None
    await handler(session, call, now)
    call.event_attempts, call.event_error = 0, None
    await session.flush()
    return event
