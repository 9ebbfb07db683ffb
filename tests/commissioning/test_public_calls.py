"""The public's lists of calls are kept in the read cache on the system clock: until a write (here at once, on every
replica when it commits), and no longer than until the next deadline of an open call, when a status changes by the
clock alone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from services.commissioning.clock import Clock
from services.commissioning.dependencies import state_of
from shared.cache import cache_of
from tests.commissioning.conftest import STARACHOWICE
from tests.commissioning.factories import committed_call, setup_open_call

LIST = "/v1/calls?municipality=2611011"


async def test_kept_until_a_write_here_or_the_next_deadline(api, client, cdb, commissioning_app):
    call = await setup_open_call(api, client)
    frozen = state_of(commissioning_app).clock
    state_of(commissioning_app).clock = Clock()  # the system clock: the public's lists are kept
    try:
        soon = datetime.now(UTC) + timedelta(seconds=1)
        await cdb.execute(text("UPDATE calls SET deadline = :d WHERE id = :id"), {"d": soon, "id": call["id"]})

        def status_of(page: dict) -> str:
            return next(c["status"] for c in page["items"] if c["id"] == call["id"])

        first = await api.get(LIST)
        assert first.status_code == 200 and status_of(first.json()) == "open"
        hits = cache_of(commissioning_app).hits
        again = await api.get(LIST, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and cache_of(commissioning_app).hits == hits + 1  # kept
        spreadsheet = await api.get(LIST, headers={"Accept": "text/csv"})  # the same address, another answer
        assert spreadsheet.headers["content-type"].startswith("text/csv") and call["id"] in spreadsheet.text
        await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.05)
        assert status_of((await api.get(LIST)).json()) == "evaluation"  # the deadline passed: made again

        kept = await api.get(LIST)
        amendment = {"description": "Tylko fundacje", "eligibility": {"legal_forms": ["foundation"]}}
        state_of(commissioning_app).clock = frozen  # amended before its deadline, by the frozen clock
        amended = await api.post(f"/v1/calls/{call['id']}/amendments", json=amendment, headers=STARACHOWICE)
        assert amended.status_code == 201, amended.text
        state_of(commissioning_app).clock = Clock()
        after = await api.get(LIST, headers={"If-None-Match": kept.headers["etag"]})
        assert after.status_code == 200  # the write dropped it: a reader sees it at once
        listed = next(c for c in after.json()["items"] if c["id"] == call["id"])
        assert listed["eligibility"]["legal_forms"] == ["foundation"]
    finally:
        state_of(commissioning_app).clock = frozen


async def test_a_write_made_elsewhere_drops_it_when_it_commits(
    commissioning_app, commissioning_engine, catalogue_app, catalogue_engine
):
    apps = (commissioning_app, commissioning_engine, catalogue_app, catalogue_engine)
    async with committed_call(*apps, terc="2611022", name="Gmina Brody", providers=0) as setup:
        setup.use_clock(Clock())
        url = "/v1/calls?municipality=2611022"
        first = await setup.api.get(url)
        assert [c["title"] for c in first.json()["items"]] == [setup.call["title"]]
        async with commissioning_engine.begin() as conn:  # the worker's write, another replica's, a script's
            await conn.execute(
                text("UPDATE calls SET title = 'Konkurs: usługi opiekuńcze w Brodach' WHERE id = :id"),
                {"id": setup.call["id"]},
            )
        for _ in range(100):  # the NOTIFY comes at the commit, through the service's listener
            titles = [c["title"] for c in (await setup.api.get(url)).json()["items"]]
            if titles != [setup.call["title"]]:
                break
            await asyncio.sleep(0.02)
        assert titles == ["Konkurs: usługi opiekuńcze w Brodach"]
