"""The three services as real processes (uvicorn, free ports, the embedded PostgreSQL or TEST_DATABASE_URL's
server), talking real HTTP; the commissioning clock moved through a file instead of sleeping."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from nats.js.errors import NotFoundError

from services.gateway.main import create_app as create_gateway
from services.gateway.settings import GatewaySettings
from shared.auth import Role
from shared.broker import Streams, connect
from shared.db import drop_database
from shared.http_server import uvicorn_command
from tests.catalogue.factories import provider_payload
from tests.conftest import REPO, auth, migrated_database
from tests.e2e.factories import (
    ADMIN,
    add_offering,
    care_service_type,
    offer_for,
    open_call,
    registered_verified_provider,
)
from tests.helpers import ok

STORY_STARTS = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def forget_streams(prefix: str) -> None:
    """With EVENTS_NATS_URL set, delete the streams (and their consumers) a run made on the broker."""
    url = os.environ.get("EVENTS_NATS_URL")
    if not url:
        return
    client = await connect(url, "tests")
    js = client.jetstream()
    for service in ("catalogue", "commissioning"):
        with contextlib.suppress(NotFoundError):
            await js.delete_stream(Streams(prefix).stream(service))
    await client.close()


@dataclass
class Service:
    name: str
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [*uvicorn_command(self.name, self.port), "--log-level", "warning"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, env={**os.environ, **self.env}, cwd=REPO, stdout=log, stderr=log)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class Stack:
    catalogue: Service
    commissioning: Service
    gateway: Service
    clock_file: Path

    def now(self) -> datetime:
        """The commissioning service's clock."""
        return datetime.now(UTC) + timedelta(seconds=float(self.clock_file.read_text() or 0))

    def move_clock(self, days: float) -> None:
        current = float(self.clock_file.read_text() or 0) if self.clock_file.exists() else 0.0
        self.clock_file.write_text(str(current + days * 86_400))


@pytest.fixture(scope="session")
async def stack(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    catalogue_db = await migrated_database(pg_server, "catalogue_e2e")
    commissioning_db = await migrated_database(pg_server, "commissioning_e2e")
    clock_file = tmp_path_factory.mktemp("clock") / "offset"
    # the story starts on a fixed day, whatever day the suite runs: its yearly figures (the overview's indicators
    # are the current year's) then never straddle a new year
    clock_file.write_text(str((STORY_STARTS - datetime.now(UTC)).total_seconds()))
    ports = {name: free_port() for name in ("catalogue", "commissioning", "gateway")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    # INFO: the access lines carry the request ids the tests look for; with EVENTS_NATS_URL set (CI's broker
    # pass), this run's streams and consumers on the broker are its own; a request that stops arriving is a 408
    # after 3 s, not 30
    quiet: dict[str, str] = {"EVENTS_NATS_PREFIX": f"e2e{os.getpid()}", "HTTP_REQUEST_TIMEOUT_SECONDS": "3"}
    logs = tmp_path_factory.mktemp("logs")
    services = Stack(
        catalogue=Service(
            "catalogue",
            ports["catalogue"],
            {
                **quiet,
                "CATALOGUE_DATABASE_URL": catalogue_db,
                "CATALOGUE_COMMISSIONING_URL": urls["commissioning"],
                "CATALOGUE_EVENTS_POLL_SECONDS": "0.2",
                "CATALOGUE_PUBLIC_BASE_URL": urls["gateway"],
            },
            logs / "catalogue.log",
        ),
        commissioning=Service(
            "commissioning",
            ports["commissioning"],
            {
                **quiet,
                "COMMISSIONING_DATABASE_URL": commissioning_db,
                "COMMISSIONING_CATALOGUE_URL": urls["catalogue"],
                "COMMISSIONING_WORKER_INTERVAL_SECONDS": "0.2",
                "COMMISSIONING_EVENTS_POLL_SECONDS": "0.2",
                "COMMISSIONING_CLOCK_OFFSET_FILE": str(clock_file),
                "COMMISSIONING_CATALOGUE_TIMEOUT_SECONDS": "1",
                "COMMISSIONING_PUBLIC_BASE_URL": urls["gateway"],
            },
            logs / "commissioning.log",
        ),
        gateway=Service(
            "gateway",
            ports["gateway"],
            {
                **quiet,
                "GATEWAY_CATALOGUE_URL": urls["catalogue"],
                "GATEWAY_COMMISSIONING_URL": urls["commissioning"],
                "GATEWAY_PART_TIMEOUT_SECONDS": "1",
                "GATEWAY_BREAKER_RESET_SECONDS": "1",
                "GATEWAY_PAGES_CACHE_SECONDS": "0",  # the tests change what pages show from one moment to the next
            },
            logs / "gateway.log",
        ),
        clock_file=clock_file,
    )
    try:
        await asyncio.gather(
            *(asyncio.to_thread(s.start) for s in (services.catalogue, services.commissioning, services.gateway))
        )
        yield services
    finally:
        for service in (services.gateway, services.commissioning, services.catalogue):
            service.stop()
        await drop_database(catalogue_db)
        await drop_database(commissioning_db)
        await forget_streams(quiet["EVENTS_NATS_PREFIX"])


SEALED_PRICE = 28_765_400  # an offer's price: never on a page before the deadline ("287 654,00 zł")
KIELCE = "2661011"  # its own municipality: the story's figures for Starachowice stay its own
CITY = auth(Role.MUNICIPALITY, subject="cus-kielce-pages", terc=KIELCE)
IN_KIELCE: dict[str, Any] = {"terc": KIELCE, "municipality": CITY}


@pytest.fixture(scope="module")
def public(stack: Stack) -> dict[str, Any]:
    """A verified PES whose name needs escaping, its offering in Starachowice, an open call with its sealed offer,
    and a provider still waiting for verification."""
    with httpx.Client(base_url=stack.gateway.url, timeout=10) as gateway:
        made = gateway.post(
            "/v1/municipalities",
            headers=ADMIN,
            json={"terc": KIELCE, "name": "Miasto Kielce", "cus_name": "Miejskie CUS w Kielcach"},
        )
        assert made.status_code in (201, 409), made.text  # (409: the browser's tests made it first)
        provider, own = registered_verified_provider(gateway, name='Fundacja "Razem" & <Przyjaciele> – Łódź')
        care = care_service_type(gateway)
        token = uuid.uuid4().hex[:6]  # this module's and the browser's data apart (each makes its own)
        title = f"Opieka wytchnieniowa dla rodzin – strona {token}"
        in_kielce = {"delivery_areas": [KIELCE], "capacity_per_month": 640, "unit_price_grosze": 5250}
        offering = add_offering(gateway, provider["id"], own, care, title=title, **in_kielce)
        title = f"Konkurs na strony publiczne: opieka 2027 ({token})"
        call = open_call(gateway, care, title, stack.now() + timedelta(days=25), **IN_KIELCE)
        offer = gateway.post(
            f"/v1/calls/{call['id']}/offers",
            headers={**own, "Idempotency-Key": f"pages-{uuid.uuid4()}"},
            json=offer_for(call, SEALED_PRICE),
        )
        assert offer.status_code == 201, offer.text
        other = auth(Role.PROVIDER, subject=f"pages-{uuid.uuid4()}")  # one account registers one provider
        pending = ok(gateway.post("/v1/providers", json=provider_payload(), headers=other), 201)
        return {
            "provider": provider,
            "own": own,
            "offering": offering,
            "call": call,
            "pending": pending,
            "pending_account": other,
        }


def gateway_before(stack: Stack, **settings: Any) -> FastAPI:
    """A gateway in-process before the stack's services, with these settings."""
    urls = {"catalogue_url": stack.catalogue.url, "commissioning_url": stack.commissioning.url}
    return create_gateway(GatewaySettings(**urls, **settings))


@pytest.fixture
def gateway(stack: Stack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.gateway.url, timeout=10) as client:
        yield client
