"""The worker performs each due call in its own transaction: a call whose event fails is retried later with a
back-off recorded on the call, and never holds up the calls due after it."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from services.commissioning.calls import events
from services.commissioning.models.calls import Call, CallEvent
from services.commissioning.worker import retry_delay, run_due_events
from shared.db import database_of
from tests.commissioning.factories import municipality, need, open_call


async def test_one_failing_call_does_not_block_the_others(api, client, clock, cdb):
    await municipality(api)
    need_ = await need(api, client)
    poisoned = await open_call(api, need_, deadline_days=30)  # due first
    healthy = await open_call(api, need_, deadline_days=31)
    performed_by_the_app = events.handler_for(CallEvent.OPEN_OFFERS)

    async def fails_for_the_poisoned_call(session, call, now):
        if str(call.id) == poisoned["id"]:
            raise RuntimeError("the poisoned call's data cannot be opened")
        await performed_by_the_app(session, call, now)

    events.register(CallEvent.OPEN_OFFERS, fails_for_the_poisoned_call)
    sessions = database_of(api._transport.app).write  # the test transaction's sessions
    try:
        clock.set(datetime.fromisoformat(healthy["deadline"]))
        assert await run_due_events(sessions, clock) == 1
    finally:
        events.register(CallEvent.OPEN_OFFERS, performed_by_the_app)

    history = (await api.get(f"/v1/calls/{healthy['id']}/history")).json()["items"]
    assert history[-1]["kind"] == "offers-opened"
    stuck = await cdb.get(Call, uuid.UUID(poisoned["id"]), populate_existing=True)
    assert stuck.event_attempts == 1 and "poisoned" in stuck.event_error
    assert stuck.next_event_at == clock.now() + retry_delay(1)
    # readers are not held up by the worker: the clock says the deadline passed
    assert (await api.get(f"/v1/calls/{poisoned['id']}")).json()["status"] == "evaluation"

    assert await run_due_events(sessions, clock) == 0  # backing off
    clock.advance(seconds=retry_delay(1).total_seconds())
    assert await run_due_events(sessions, clock) == 1
    recovered = await cdb.get(Call, uuid.UUID(poisoned["id"]), populate_existing=True)
    assert recovered.next_event is None and recovered.event_attempts == 0 and recovered.event_error is None
    assert (await api.get(f"/v1/calls/{poisoned['id']}/history")).json()["items"][-1]["kind"] == "offers-opened"


def test_the_back_off_grows_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(seconds=30), timedelta(seconds=60), timedelta(seconds=120)]
    assert retry_delay(20) == timedelta(hours=1)


def test_start_up_fails_when_an_event_has_no_handler():
    kept = events.handler_for(CallEvent.END_STANDSTILL)
    events._handlers.pop(CallEvent.END_STANDSTILL)
    try:
        try:
            events.require_every_handler()
        except RuntimeError as exc:
            assert "end-standstill" in str(exc)
        else:
            raise AssertionError("start-up went on without a handler")
    finally:
        events.register(CallEvent.END_STANDSTILL, kept)
