"""Rate limits: one budget per client however it writes its header, and one budget across gateway replicas when
they share Redis (the machine's Redis on 127.0.0.1:6379)."""

from __future__ import annotations

import socket
import uuid

import httpx
import pytest

from services.gateway.main import create_app
from services.gateway.settings import GatewaySettings
from shared.auth import Role, mint_token
from tests.conftest import served
from tests.helpers import probe_app

REDIS = ("127.0.0.1", 6379)


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


async def statuses(app, headers_list):
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        return [(await client.get("/v1/areas", headers=headers)).status_code for headers in headers_list]


async def test_one_budget_however_the_header_is_written():
    async with served(probe_app()) as upstream:
        app = create_app(GatewaySettings(catalogue_url=upstream, commissioning_url=upstream, rate_limit_per_minute=3))
        token = mint_token(role=Role.ADMIN, subject=f"spelling-{uuid.uuid4()}")
        spellings = [f"Bearer {token}", f"bearer {token}", f"BEARER   {token}  ", f"Bearer {token}"]
        answers = await statuses(app, [{"Authorization": value} for value in spellings])
    assert answers[:3] == [500, 500, 500] and answers[3] == 429  # the probe upstream answers 500; the 4th is limited


@pytest.mark.skipif(not redis_answers(), reason="no Redis on 127.0.0.1:6379 (CI and this machine run one)")
async def test_replicas_sharing_redis_share_one_budget():
    token = mint_token(role=Role.ADMIN, subject=f"replicas-{uuid.uuid4()}")  # a fresh budget in the shared store
    headers = {"Authorization": f"Bearer {token}"}
    async with served(probe_app()) as upstream:
        settings = GatewaySettings(
            catalogue_url=upstream,
            commissioning_url=upstream,
            rate_limit_per_minute=4,
            redis_url="redis://127.0.0.1:6379",
        )
        first = await statuses(create_app(settings), [headers] * 3)
        second = await statuses(create_app(settings), [headers] * 2)
    assert first == [500, 500, 500] and second == [500, 429]
