"""Commissioning under test: the real app on a rolled-back transaction, a frozen clock, and the real catalogue
app answering its HTTP calls (in-process ASGI transport, its own rolled-back transaction)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.clock import FrozenClock
from services.commissioning.dependencies import state_of
from services.commissioning.main import create_app
from shared.auth import Role
from shared.db import create_engine
from tests.catalogue.conftest import catalogue_app, client, db  # noqa: F401  (fixtures used here)
from tests.conftest import ADMIN as ADMIN  # the tests of this service import it from here
from tests.conftest import asgi_client, auth, rolled_back

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture(scope="session")
async def commissioning_app(
    commissioning_db_url: str,
    catalogue_app: FastAPI,
    clock: FrozenClock,
) -> AsyncIterator[FastAPI]:
    catalogue = CatalogueClient("http://catalogue", timeout=5, transport=httpx.ASGITransport(app=catalogue_app))
    app = create_app(database_url=commissioning_db_url, clock=clock, catalogue=catalogue, run_worker=False)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture(scope="session")
async def commissioning_engine(commissioning_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(commissioning_db_url, pool_size=5)
    yield engine
    await engine.dispose()


@pytest.fixture
async def cdb(
    commissioning_app: FastAPI,
    commissioning_engine: AsyncEngine,
    db: AsyncSession,
    clock: FrozenClock,
) -> AsyncIterator[AsyncSession]:
    clock.set(START)
    state_of(commissioning_app).held.clear()  # what the process read of standings rolled back with the test
    commissioning_app.state.known_offers = None
    async with rolled_back(commissioning_app, commissioning_engine) as session:
        yield session


@pytest.fixture
async def api(commissioning_app: FastAPI, cdb: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(commissioning_app, "http://commissioning") as http:
        yield http


STARACHOWICE = auth(Role.MUNICIPALITY, subject="cus-starachowice", terc="2611011")
KIELCE = auth(Role.MUNICIPALITY, subject="cus-kielce", terc="2661011")


def provider(provider_id: str) -> dict[str, str]:
    return auth(Role.PROVIDER, subject=f"user-of-{provider_id}", provider_id=provider_id)
