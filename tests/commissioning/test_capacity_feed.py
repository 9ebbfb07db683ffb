"""The catalogue learns of contracts from commissioning's change feed (real HTTP answers of the commissioning
app, real commits in both databases): a signed contract commits its provider's capacity, an amendment changes
it, the end releases it, and replays, stale and duplicate events change nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from services.catalogue.capacity.consumer import FEED, FeedConsumer
from services.catalogue.capacity.service import choose_offering, units_per_month
from services.commissioning.models.outbox import EventType
from services.commissioning.outbox.service import record
from shared.db import create_sessionmaker
from tests.catalogue.factories import create_offering, service_type_id, verified_provider
from tests.conftest import asgi_client

TERC = "3202011"  # a gmina of this file only, so its events can be deleted afterwards


class Today:
    def __init__(self, day: date) -> None:
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
async def world(commissioning_app, commissioning_engine, catalogue_app, catalogue_engine) -> AsyncIterator[Any]:
    """A verified provider with two care offerings (its whole powiat, and one of its gminas), committed; the
    catalogue's consumer reading the commissioning app's feed. Everything is deleted afterwards."""
    async with (
        asgi_client(catalogue_app, "http://catalogue") as catalogue,
        asgi_client(commissioning_app, "http://commissioning") as commissioning,
    ):
        provider = await verified_provider(catalogue)
        care = await service_type_id(catalogue, "care-services")
        powiat = await create_offering(catalogue, provider["id"], delivery_areas=["3202"], capacity_per_month=3000)
        gmina = await create_offering(catalogue, provider["id"], delivery_areas=[TERC], capacity_per_month=1500)
        async with catalogue_engine.begin() as conn:  # read the feed from its current end
            await conn.execute(text("DELETE FROM feed_positions"))
        today = Today(date(2027, 2, 1))
        consumer = FeedConsumer(create_sessionmaker(catalogue_engine), commissioning, today=today)
        await consumer.pass_once()
        world = {
            "catalogue": catalogue,
            "consumer": consumer,
            "provider": provider["id"],
            "care": care,
            "powiat": powiat["id"],
            "gmina": gmina["id"],
            "today": today,
            "events": create_sessionmaker(commissioning_engine),
        }
        try:
            yield world
        finally:
            async with commissioning_engine.begin() as conn:
                await conn.execute(text("DELETE FROM outbox_events WHERE municipality_terc = :t"), {"t": TERC})
            async with catalogue_engine.begin() as conn:
                await conn.execute(
                    text("DELETE FROM capacity_commitments WHERE provider_id = :p"), {"p": provider["id"]}
                )
                await conn.execute(text("DELETE FROM providers WHERE id = :p"), {"p": provider["id"]})
                await conn.execute(text("DELETE FROM feed_positions"))


async def contract_event(world: dict[str, Any], kind: EventType, contract: uuid.UUID, **state: Any) -> uuid.UUID:
    """A contract event as commissioning writes it, committed."""
    data = {
        "contract_id": str(contract),
        "provider_id": world["provider"],
        "municipality_terc": TERC,
        "service_type_id": world["care"],
        "area_terc": TERC,
        "unit": "hour",
        "status": "active",
        "version": 4,
        "quantity": 10_000,
        "period_start": "2027-01-01",
        "period_end": "2027-10-31",
        **state,
    }
    async with world["events"]() as session, session.begin():
        record(
            session,
            type=kind,
            subject=f"contracts/{contract}",
            time=datetime.now(UTC),
            data=data,
            municipality=TERC,
            provider=uuid.UUID(world["provider"]),
        )
        await session.flush()
        return uuid.UUID(
            str((await session.execute(text("SELECT id FROM outbox_events ORDER BY position DESC LIMIT 1"))).scalar())
        )


async def capacity(world: dict[str, Any], offering: str) -> tuple[int, int, str]:
    read = await world["catalogue"].get(f"/v1/offerings/{offering}")
    body = read.json()
    return body["capacity_contracted"], body["free_capacity"], read.headers["etag"]


async def test_a_signed_contract_commits_capacity_until_it_ends(world):
    contract = uuid.uuid4()
    await contract_event(world, EventType.CONTRACT_SIGNED, contract)
    before = await capacity(world, world["gmina"])
    assert await world["consumer"].pass_once() == 1
    # 10 000 hours over January-October: 1 000 a month, on the offering of the contract's own gmina
    contracted, free, etag = await capacity(world, world["gmina"])
    assert (contracted, free) == (1000, 500) and etag != before[2]
    assert (await capacity(world, world["powiat"]))[:2] == (0, 3000)
    found = await world["catalogue"].get(
        "/v1/offerings", params={"place": TERC, "min_free_capacity": 600, "provider_id": world["provider"]}
    )
    assert [o["id"] for o in found.json()["items"]] == [world["powiat"]]  # search sees the room really free

    await contract_event(world, EventType.CONTRACT_AMENDED, contract, version=5, period_end="2027-12-31")
    await world["consumer"].pass_once()
    assert (await capacity(world, world["gmina"]))[:2] == (834, 666)  # 10 000 over 12 months, rounded up

    await contract_event(world, EventType.CONTRACT_AMENDED, contract, version=3, period_end="2027-03-31")
    await world["consumer"].pass_once()
    assert (await capacity(world, world["gmina"]))[0] == 834  # an older state than the one applied

    await contract_event(world, EventType.CONTRACT_ENDED, contract, version=6, status="terminated")
    await world["consumer"].pass_once()
    assert (await capacity(world, world["gmina"]))[:2] == (0, 1500)


async def test_a_replayed_feed_changes_nothing(world, catalogue_engine):
    await contract_event(world, EventType.CONTRACT_SIGNED, uuid.uuid4())
    await world["consumer"].pass_once()
    async with catalogue_engine.begin() as conn:  # the cursor lost: the whole feed is read again
        await conn.execute(text("UPDATE feed_positions SET cursor = NULL WHERE feed = :f"), {"f": FEED})
    assert await world["consumer"].pass_once() == 0
    assert (await capacity(world, world["gmina"]))[0] == 1000


async def test_a_contract_whose_period_is_over_commits_nothing_more(world):
    await contract_event(world, EventType.CONTRACT_SIGNED, uuid.uuid4())
    await world["consumer"].pass_once()
    assert (await capacity(world, world["gmina"]))[0] == 1000
    world["today"].day = date(2027, 11, 1)
    await world["consumer"].pass_once()
    assert (await capacity(world, world["gmina"]))[0] == 0


async def test_commissioning_unreachable_is_retried_not_lost(world, catalogue_engine):
    await contract_event(world, EventType.CONTRACT_SIGNED, uuid.uuid4())
    broken = FeedConsumer(
        create_sessionmaker(catalogue_engine), httpx.AsyncClient(base_url="http://127.0.0.1:9"), today=world["today"]
    )
    with pytest.raises(httpx.ConnectError):
        await broken.pass_once()
    assert (await capacity(world, world["gmina"]))[0] == 0
    assert await world["consumer"].pass_once() == 1
    assert (await capacity(world, world["gmina"]))[0] == 1000


def test_units_spread_over_calendar_months_and_the_most_precise_offering_is_chosen():
    assert units_per_month(10_000, date(2027, 1, 1), date(2027, 10, 31)) == 1000
    assert units_per_month(10, date(2027, 1, 15), date(2027, 2, 14)) == 5  # two months touched
    assert units_per_month(None, date(2027, 1, 1), date(2027, 1, 31)) == 0
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    assert choose_offering([(a, ["26"], 900), (b, ["2611"], 10), (c, ["1465"], 5000)], "2611011") == b
    assert choose_offering([(a, ["2611"], 900), (b, ["2611"], 10)], "2611011") == a
    assert choose_offering([(c, ["1465"], 5000)], "2611011") is None


async def test_a_kept_cursor_the_feed_takes_no_more_is_read_again_from_the_start(world, catalogue_engine):
    """An anonymous reader's cursor is an event's id; a kept one whose event is gone, or a position kept from
    reading as a service, is refused: the consumer reads from the start again, and applies nothing twice."""
    await contract_event(world, EventType.CONTRACT_SIGNED, uuid.uuid4())
    assert await world["consumer"].pass_once() == 1
    for kept in (str(uuid.uuid4()), "1-1"):
        async with catalogue_engine.begin() as conn:
            await conn.execute(text("UPDATE feed_positions SET cursor = :c WHERE feed = :f"), {"c": kept, "f": FEED})
        assert await world["consumer"].pass_once() == 0
        assert (await capacity(world, world["gmina"]))[0] == 1000
    await contract_event(world, EventType.CONTRACT_ENDED, uuid.uuid4(), version=6, status="terminated")
    assert await world["consumer"].pass_once() == 1  # and goes on from there
