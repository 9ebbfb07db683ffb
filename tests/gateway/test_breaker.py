"""Faults stay local: an upstream's own answers (5xx included) pass through and never open a breaker; only
transport failures do; an open breaker lets one probe through, not every call."""

from __future__ import annotations

import time

import httpx

from services.gateway.main import create_app
from services.gateway.proxy.state import state_of
from services.gateway.proxy.upstreams import Breaker
from services.gateway.settings import GatewaySettings
from shared.auth import Role, mint_token
from tests.conftest import served
from tests.helpers import probe_app

DEAD = "http://127.0.0.1:9"  # nothing listens there


async def test_upstream_5xx_answers_pass_through_and_never_open_the_breaker():
    async with served(probe_app()) as upstream:
        app = create_app(
            GatewaySettings(catalogue_url=upstream, commissioning_url=upstream, breaker_failures=3, read_retries=0)
        )
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
        ):
            answers = [await client.get("/v1/areas") for _ in range(8)]
            assert [a.status_code for a in answers] == [500] * 8  # the upstream's answer, every time
            assert answers[-1].json()["type"] == "urn:cus:problem:internal"
            admin = {"Authorization": f"Bearer {mint_token(role=Role.ADMIN)}"}
            write = await client.post("/v1/areas", json={}, headers=admin)  # after upstream 500s, writes reach it
            assert write.status_code == 405


async def test_transport_failures_open_the_breaker():
    async with served(probe_app()) as upstream:
        settings = GatewaySettings(
            catalogue_url=upstream, commissioning_url=upstream, breaker_failures=3, read_retries=0
        )
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
        ):
            state_of(app).upstreams["catalogue"].base_url = DEAD  # dies after the gateway learnt its routes
            for _ in range(3):
                assert "cannot be reached" in (await client.get("/v1/areas")).json()["detail"]
            assert "not calling it" in (await client.get("/v1/areas")).json()["detail"]


def test_half_open_lets_one_probe_through():
    breaker = Breaker(failures=2, reset_seconds=0.05)
    breaker.failure()
    assert breaker.allow()
    breaker.failure()
    assert not breaker.allow()  # open
    time.sleep(0.06)
    assert breaker.allow()  # the probe
    assert not breaker.allow() and not breaker.allow()  # everyone else waits for its verdict
    breaker.failure()  # the probe failed: open again, for a whole reset period
    assert not breaker.allow()
    time.sleep(0.06)
    assert breaker.allow()
    breaker.success()  # back
    assert all(breaker.allow() for _ in range(5))


def test_a_probe_that_ends_without_a_verdict_lets_the_next_one_probe():
    breaker = Breaker(failures=1, reset_seconds=0.0)
    breaker.failure()
    assert breaker.allow()
    breaker.abandon()  # the probing request was cancelled
    assert breaker.allow()


async def test_several_replicas_are_taken_in_turn_and_a_dead_one_is_skipped():
    """catalogue_url lists two replicas, one of them dead: every read and every write reaches the live one (a
    write goes to another replica only because it provably never left: the connection could not be made), and
    once the dead one's breaker is open it is not even tried."""
    async with served(probe_app()) as upstream:
        settings = GatewaySettings(
            catalogue_url=f"{DEAD}, {upstream}", commissioning_url=upstream, breaker_failures=2, read_retries=0
        )
        app = create_app(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
        ):
            catalogue = state_of(app).upstreams["catalogue"]
            assert [r.base_url for r in catalogue.replicas] == [DEAD, upstream]
            reads = [await client.get("/v1/areas") for _ in range(6)]
            assert [r.status_code for r in reads] == [500] * 6  # the live replica's own answer, never a 503
            admin = {"Authorization": f"Bearer {mint_token(role=Role.ADMIN)}"}
            writes = [await client.post("/v1/areas", json={}, headers=admin) for _ in range(4)]
            assert [w.status_code for w in writes] == [405] * 4
            dead, live = catalogue.replicas
            assert dead.breaker.opened_at is not None and live.breaker.opened_at is None
