"""The change feed: events are written with their change, read in an order no reader can miss (a slow
transaction's event never appears behind a cursor already handed out), and read only by who may."""

from __future__ import annotations

import asyncio
import random
import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.commissioning.models.outbox import EventType, OutboxEvent
from services.commissioning.outbox.service import record
from services.commissioning.worker import run_due_events
from shared.auth import Role
from shared.db import create_sessionmaker, database_of
from tests.catalogue.factories import verified_provider
from tests.commissioning.conftest import STARACHOWICE, START, auth, provider
from tests.commissioning.factories import ANSWERS, call_body, municipality, need
from tests.conftest import asgi_client

# a gmina no other test uses, so the feed can be filtered to this file's events
TERC = "3201011"
TERC_CUS = auth(Role.MUNICIPALITY, subject=f"cus-{TERC}", terc=TERC)


@pytest.fixture
async def feed(commissioning_app: Any, commissioning_engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """The app on its own database sessions (what others commit is what it reads); this file's events are
    deleted afterwards."""
    async with asgi_client(commissioning_app, "http://commissioning") as http:
        yield http
    async with commissioning_engine.begin() as conn:
        await conn.execute(text("DELETE FROM outbox_events WHERE municipality_terc = :t"), {"t": TERC})


def event(session: AsyncSession, n: int, *, public: bool = True, provider_id: uuid.UUID | None = None) -> None:
    record(
        session,
        type=EventType.CALL_AMENDED,
        subject=f"calls/test-{n}",
        time=datetime.now(UTC),
        data={"n": n},
        municipality=TERC,
        provider=provider_id,
        public=public,
    )


async def read_all(http: httpx.AsyncClient, cursor: str | None, **params: Any) -> tuple[list[dict[str, Any]], str]:
    """Every page from the cursor to the feed's current end."""
    seen: list[dict[str, Any]] = []
    while True:
        query = {"municipality": TERC, "limit": 7, **params, **({"after": cursor} if cursor else {})}
        response = await http.get("/v1/events", params=query)
        assert response.status_code == 200, response.text
        page = response.json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if len(page["items"]) < query["limit"]:
            return seen, cursor


async def test_an_event_committed_late_is_read_after_the_cursor_not_skipped(feed, commissioning_engine):
    sessions = create_sessionmaker(commissioning_engine)
    _, start = await read_all(feed, None)
    async with sessions() as slow:
        event(slow, 1)
        await slow.flush()  # its transaction has its xid now, and stays open
        async with sessions() as quick, quick.begin():
            event(quick, 2)
        # the quick one committed, but a reader shown it now would later be shown the slow one behind its cursor
        seen, cursor = await read_all(feed, start)
        assert seen == []
        await slow.commit()
    seen, _ = await read_all(feed, cursor)
    assert [e["data"]["n"] for e in seen] == [1, 2]


async def test_many_concurrent_writers_and_a_reader_that_sees_every_event_exactly_once(feed, commissioning_engine):
    sessions = create_sessionmaker(commissioning_engine)
    _, cursor = await read_all(feed, None)
    writers, per_writer = 12, 5
    done = asyncio.Event()

    async def writer(w: int) -> None:
        for i in range(per_writer):
            async with sessions() as session, session.begin():
                event(session, w * 100 + i)
                await session.flush()
                await asyncio.sleep(random.uniform(0, 0.05))  # commits out of xid order

    async def reader() -> list[dict[str, Any]]:
        nonlocal cursor
        seen: list[dict[str, Any]] = []
        while True:
            finished = done.is_set()
            page, cursor = await read_all(feed, cursor)
            seen += page
            if finished:
                return seen
            await asyncio.sleep(0.01)

    reading = asyncio.create_task(reader())
    await asyncio.gather(*(writer(w) for w in range(writers)))
    done.set()
    seen = await reading
    numbers = [e["data"]["n"] for e in seen]
    assert len(numbers) == writers * per_writer
    assert sorted(numbers) == sorted(w * 100 + i for w in range(writers) for i in range(per_writer))
    assert len({e["id"] for e in seen}) == len(seen)


async def test_private_events_only_to_their_parties_and_filters(feed, commissioning_engine):
    sessions = create_sessionmaker(commissioning_engine)
    member_of = uuid.uuid4()
    _, start = await read_all(feed, None)
    async with sessions() as session, session.begin():
        event(session, 1)
        event(session, 2, public=False, provider_id=member_of)
        record(
            session,
            type=EventType.PAYMENT_RECORDED,
            subject="payments/x",
            time=datetime.now(UTC),
            data={"n": 3},
            municipality=TERC,
            provider=member_of,
            public=False,
        )

    async def numbers(headers: dict[str, str], **params: Any) -> list[int]:
        feed.headers.clear()
        feed.headers.update(headers)
        seen, _ = await read_all(feed, start, **params)
        return [e["data"]["n"] for e in seen]

    assert await numbers({}) == [1]
    assert await numbers(STARACHOWICE) == [1]  # another municipality
    assert await numbers(TERC_CUS) == [1, 2, 3]
    assert await numbers(provider(str(member_of))) == [1, 2, 3]
    assert await numbers(provider(str(uuid.uuid4()))) == [1]
    assert await numbers(auth(Role.ADMIN, subject="admin-1"), type="payment.recorded") == [3]
    first = (await feed.get("/v1/events", params={"municipality": TERC, "after": start})).json()["items"][0]
    assert first["specversion"] == "1.0" and first["source"] == "urn:cus:commissioning"
    assert first["type"] == "pl.cus.call.amended" and first["municipality"] == TERC


async def settled(http: httpx.AsyncClient, cursor: str | None, count: int) -> None:
    """Until an administrator reads `count` events after the cursor: a transaction running elsewhere on the
    server holds the feed back a moment."""
    for _ in range(100):
        http.headers["Authorization"] = auth(Role.ADMIN, subject="admin-1")["Authorization"]
        seen, _ = await read_all(http, cursor)
        del http.headers["Authorization"]
        if len(seen) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{count} events never became final")


async def test_a_readers_cursors_say_nothing_of_the_events_it_may_not_read(feed, commissioning_engine):
    sessions = create_sessionmaker(commissioning_engine)
    _, start = await read_all(feed, None)
    async with sessions() as session, session.begin():
        for n, public in ((1, True), (2, False), (3, False), (4, True)):
            event(session, n, public=public)
    await settled(feed, start, 4)
    async with commissioning_engine.connect() as conn:
        query = text("SELECT id FROM outbox_events WHERE municipality_terc = :t ORDER BY xid, position")
        ids = [str(row.id) for row in await conn.execute(query, {"t": TERC})]

    async def page(after: str | None, **headers: str) -> tuple[list[int], str]:
        params = {"municipality": TERC, "limit": 1, **({"after": after} if after else {})}
        answer = await feed.get("/v1/events", params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return [e["data"]["n"] for e in answer.json()["items"]], answer.json()["next_cursor"]

    first, after_first = await page(start)
    second, after_second = await page(after_first)
    assert (first, second) == ([1], [4])
    # each cursor is the id of the event just read: no position, so no count of the two private events between
    assert (after_first, after_second) == (ids[0], ids[3])
    assert await page(after_first) == ([4], after_second)  # resumed, it gives what follows, the same each time
    assert (await page(after_second))[0] == []
    async with sessions() as session, session.begin():
        event(session, 5, public=False)
    await settled(feed, start, 5)
    assert await page(after_second) == ([], after_second)  # a private event since changes nothing it reads
    probe = await feed.get("/v1/events", params={"municipality": TERC, "after": "1-1"})  # positions are not taken
    assert probe.status_code == 422 and probe.json()["errors"][0]["field"] == "after"
    member = TERC_CUS["Authorization"]
    assert (await page(after_first, Authorization=member))[0] == [2]  # its own private events, in order
    feed.headers["Authorization"] = auth(Role.ADMIN, subject="admin-1")["Authorization"]
    seen, position = await read_all(feed, start)
    assert [e["data"]["n"] for e in seen] == [1, 2, 3, 4, 5] and re.fullmatch(r"\d+-\d+", position)
    # (an administrator, a service, reads every event: it is given positions)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"after": "yesterday"}, "after"),
        ({"after": f"{2**63}-1"}, "after"),
        ({"type": "call.exploded"}, "type.0"),
        ({"limit": 0}, "limit"),
        ({"municipality": "2611"}, "municipality"),
    ],
)
async def test_a_bad_query_is_a_422_naming_the_parameter(api, params, field):
    response = await api.get("/v1/events", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_the_story_writes_its_events_and_nothing_of_a_sealed_offer(api, client, cdb, clock):
    await municipality(api)
    n = await need(api, client)
    call = (await api.post("/v1/calls", json=call_body(n["id"]), headers=STARACHOWICE)).json()
    await api.post(f"/v1/calls/{call['id']}/publication", headers=STARACHOWICE)
    bidder = (await verified_provider(client))["id"]
    body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": 40_000_000, "quantity": 12_000, "answers": ANSWERS}
    assert (await api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(bidder))).status_code == 201
    before = (await cdb.scalars(select(OutboxEvent).order_by(OutboxEvent.position))).all()
    assert [e.type for e in before] == ["pl.cus.call.published"]
    assert bidder not in str([e.data for e in before]) and "offers" not in before[0].data
    clock.set(START + timedelta(days=31))
    assert (await api.get(f"/v1/calls/{call['id']}")).json()["status"] == "evaluation"
    assert await run_due_events(database_of(api._transport.app).write, clock) == 1  # the worker opens them
    opened = (await cdb.scalars(select(OutboxEvent).where(OutboxEvent.type == "pl.cus.call.offers-opened"))).all()
    assert [e.data["offers"] for e in opened] == [1]


async def test_the_feed_is_described_in_asyncapi_with_a_schema_per_type(api, client, cdb, clock):
    """Every event type is a message of the AsyncAPI document, and what the story writes is what it says."""
    import jsonschema

    from services.commissioning.outbox.schemas import DATA

    document = (await api.get("/v1/events/asyncapi")).json()
    assert document["asyncapi"] == "3.0.0" and document["channels"]["feed"]["address"] == "/v1/events"
    named = {m["name"] for m in document["components"]["messages"].values()}
    assert named == {f"pl.cus.{t.value}" for t in EventType}
    private = document["components"]["messages"]["payment-recorded"]["summary"]
    assert "municipality and the provider only" in private
    await test_the_story_writes_its_events_and_nothing_of_a_sealed_offer(api, client, cdb, clock)
    written = (await cdb.scalars(select(OutboxEvent))).all()
    assert {e.type for e in written} >= {"pl.cus.call.published", "pl.cus.call.offers-opened"}
    for event in written:
        kind = EventType(event.type.removeprefix("pl.cus."))
        DATA[kind].model_validate(event.data)  # refuses a field the schema does not declare
        schema = {"$ref": f"#/components/schemas/{DATA[kind].__name__}", "components": document["components"]}
        jsonschema.validate(event.data, schema)
