"""Many providers submitting at once around the deadline, on real PostgreSQL with real commits: exactly the
offers the server's clock accepted before the deadline are kept, and the opening counts exactly those."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import text

from services.commissioning.clock import Clock, FrozenClock
from services.commissioning.dependencies import state_of
from services.commissioning.worker import run_due_events
from shared.auth import Role
from shared.db import database_of
from tests.catalogue.conftest import ADMIN as CATALOGUE_ADMIN
from tests.catalogue.conftest import NEW_PROVIDER_USER
from tests.catalogue.factories import provider_payload, service_type_id
from tests.commissioning.conftest import ADMIN, auth, provider
from tests.commissioning.factories import ANSWERS, call_body

BRODY = "2611022"
BRODY_CUS = auth(Role.MUNICIPALITY, subject="cus-brody", terc=BRODY)
SUBMITTERS = 24


class SteppingClock(Clock):
    """Every reading is one step later than the one before, whoever reads it: the order in which concurrent
    writers reach the clock decides who was before the deadline, with no sleeping."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.start, self.step, self.ticks = start, step, itertools.count()

    def now(self) -> datetime:
        return self.start + next(self.ticks) * self.step


async def test_concurrent_submissions_around_the_deadline(
    commissioning_app, commissioning_engine, catalogue_app, catalogue_engine
):
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    original_clock = state_of(commissioning_app).clock
    frozen = FrozenClock(start)
    state_of(commissioning_app).clock = frozen
    nips: list[str] = []
    cat = httpx.AsyncClient(transport=httpx.ASGITransport(app=catalogue_app), base_url="http://catalogue")
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=commissioning_app), base_url="http://commissioning")
    try:
        providers = []
        for _ in range(SUBMITTERS):
            payload = provider_payload()
            nips.append(payload["nip"])
            made = (await cat.post("/v1/providers", json=payload, headers=NEW_PROVIDER_USER)).json()
            verified = await cat.post(
                f"/v1/providers/{made['id']}/status-changes", json={"action": "verify"}, headers=CATALOGUE_ADMIN
            )
            assert verified.status_code == 201
            providers.append(made["id"])
        created = await api.post(
            "/v1/municipalities", json={"terc": BRODY, "name": "Gmina Brody", "cus_name": "GOPS Brody"}, headers=ADMIN
        )
        assert created.status_code == 201, created.text
        need = (
            await api.post(
                f"/v1/municipalities/{BRODY}/needs",
                headers=BRODY_CUS,
                json={
                    "title": "Usługi opiekuńcze",
                    "service_type_id": await service_type_id(cat, "care-services"),
                    "quantity": 1000,
                    "estimated_value_grosze": 5_000_000,
                    "period_start": "2026-06-01",
                    "period_end": "2026-12-31",
                },
            )
        ).json()
        call = (await api.post("/v1/calls", json=call_body(need["id"], deadline_days=30), headers=BRODY_CUS)).json()
        assert (await api.post(f"/v1/calls/{call['id']}/publication", headers=BRODY_CUS)).status_code == 200
        deadline = datetime.fromisoformat(call["deadline"])

        # Each submission reads the clock once, under the call's lock: half of them fall before the deadline.
        step = timedelta(milliseconds=10)
        state_of(commissioning_app).clock = SteppingClock(deadline - step * (SUBMITTERS // 2), step)
        body = {"lot_id": call["lots"][0]["id"], "price_grosze": 4_000_000, "quantity": 1000, "answers": ANSWERS}
        responses = await asyncio.gather(
            *(api.post(f"/v1/calls/{call['id']}/offers", json=body, headers=provider(p)) for p in providers)
        )
        accepted = [r.json() for r in responses if r.status_code == 201]
        refused = [r for r in responses if r.status_code != 201]
        assert len(accepted) == SUBMITTERS // 2, [r.text for r in refused][:3]
        assert all(r.status_code == 409 and r.json()["type"] == "urn:cus:problem:deadline-passed" for r in refused)
        assert all(datetime.fromisoformat(o["receipt"]["submitted_at"]) < deadline for o in accepted)

        frozen.set(deadline)
        state_of(commissioning_app).clock = frozen
        assert await run_due_events(database_of(commissioning_app).write, frozen) == 1
        async with commissioning_engine.connect() as conn:
            stored = (await conn.execute(text("SELECT id FROM offers WHERE call_id = :c"), {"c": call["id"]})).all()
            opened = await conn.scalar(
                text("SELECT detail->>'offers' FROM call_history WHERE call_id = :c AND kind = 'offers-opened'"),
                {"c": call["id"]},
            )
        assert {str(r[0]) for r in stored} == {o["id"] for o in accepted}
        assert int(opened) == len(accepted)
    finally:
        state_of(commissioning_app).clock = original_clock
        await api.aclose()
        await cat.aclose()
        async with commissioning_engine.begin() as conn:
            await conn.execute(text("DELETE FROM idempotency_records"))
            await conn.execute(text("DELETE FROM calls WHERE municipality_terc = :t"), {"t": BRODY})
            await conn.execute(text("DELETE FROM needs WHERE municipality_terc = :t"), {"t": BRODY})
            await conn.execute(text("DELETE FROM municipalities WHERE terc = :t"), {"t": BRODY})
        async with catalogue_engine.begin() as conn:
            await conn.execute(text("DELETE FROM providers WHERE nip = ANY(:n)"), {"n": nips})
