"""A constraint the code does not check first is still a clear answer, never a 500: the kit maps unique and
foreign-key violations to 409 and 422 problems (real commits, no test transaction)."""

from __future__ import annotations

import asyncio

import httpx
from sqlalchemy import text

from tests.commissioning.conftest import ADMIN

SKARZYSKO = "2610011"


async def test_six_registrations_of_one_municipality_at_once_give_one_and_five_conflicts(
    commissioning_app, commissioning_engine
):
    body = {"terc": SKARZYSKO, "name": "Gmina Skarżysko-Kamienna", "cus_name": "CUS Skarżysko-Kamienna"}
    transport = httpx.ASGITransport(app=commissioning_app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://commissioning") as api:
            responses = await asyncio.gather(
                *(api.post("/v1/municipalities", json=body, headers=ADMIN) for _ in range(6))
            )
        assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409, 409], [r.text for r in responses]
        for refused in (r for r in responses if r.status_code == 409):
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["type"] == "urn:cus:problem:conflict"
    finally:
        async with commissioning_engine.begin() as conn:
            await conn.execute(text("DELETE FROM municipalities WHERE terc = :t"), {"t": SKARZYSKO})
