"""Test session: real PostgreSQL (embedded by default, TEST_DATABASE_URL for a server), migrations applied once,
each test isolated in a transaction that is rolled back."""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from shared import embedded_pg
from shared.auth import Role, mint_token
from shared.cache import cache_of
from shared.db import (
    Database,
    create_engine,
    create_sessionmaker,
    database_of,
    drop_database,
    fresh_database,
    with_database,
)
from shared.http_server import CoalescingHttpTools

REPO = Path(__file__).resolve().parent.parent

# Pools keep the connections they open: every app, engine and service process of the suite at once (the e2e stacks
# and replicas inherit this) stays well within a server's default max_connections (100).
for _service in ("CATALOGUE", "COMMISSIONING"):
    os.environ.setdefault(f"{_service}_DB_POOL_SIZE", "5")
STANDARDS = REPO.parent / "shared" / "standards"


def server_url() -> str:
    """The PostgreSQL server to test against (its `postgres` database)."""
    configured = os.environ.get("TEST_DATABASE_URL")
    if configured:
        return with_database(configured.replace("postgresql://", "postgresql+asyncpg://", 1), "postgres")
    return embedded_pg.ensure_running()


@pytest.fixture(scope="session")
def pg_server() -> AsyncIterator[str]:
    started_here = not os.environ.get("TEST_DATABASE_URL") and not embedded_pg.is_running()
    url = server_url()
    yield url
    if started_here:
        embedded_pg.stop()


async def migrated_database(pg_server: str, service: str, *, copy: str = "") -> str:
    """A fresh database for a service (`catalogue`, or `catalogue_e2e` for the catalogue's e2e copy, or another
    `copy` of it), migrated."""
    from shared.migrations import upgrade_head

    url = await fresh_database(pg_server, f"{service}{copy}_test_{os.getpid()}")
    service = service.removesuffix("_e2e")
    await asyncio.to_thread(upgrade_head, REPO / "services" / service, url)
    return url


@pytest.fixture(scope="session")
async def catalogue_db_url(pg_server: str) -> str:
    return await migrated_database(pg_server, "catalogue")


@pytest.fixture(scope="session")
async def commissioning_db_url(pg_server: str) -> AsyncIterator[str]:
    url = await migrated_database(pg_server, "commissioning")
    yield url
    await drop_database(url)


@pytest.fixture(scope="session")
async def catalogue_engine(catalogue_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(catalogue_db_url, pool_size=5)
    yield engine
    await engine.dispose()
    await drop_database(catalogue_db_url)


@asynccontextmanager
async def _savepoint_driver(conn: AsyncConnection) -> AsyncIterator[Any]:
    """The test transaction's own connection for prepared statements, each inside a savepoint like a commit."""
    async with conn.begin_nested():
        yield (await conn.get_raw_connection()).driver_connection


@asynccontextmanager
async def rolled_back(app: Any, engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """Point the app's sessions at one connection in a transaction that is rolled back at the end; the app's
    own commits become savepoints inside it, so the real unit-of-work code runs. Read sessions stay read-only,
    as in production."""
    async with engine.connect() as conn:
        outer = await conn.begin()
        original = database_of(app)
        write = create_sessionmaker(conn, now=original.now, join_transaction_mode="create_savepoint")
        read = create_sessionmaker(conn, read_only=True, join_transaction_mode="create_savepoint")
        app.state.database = Database(original.engine, write, read, read, lambda: _savepoint_driver(conn), original.now)
        cache_of(app).drop()  # cached answers read inside a transaction that is rolled back never outlive it
        try:
            async with write() as session:
                yield session
        finally:
            app.state.database = original
            cache_of(app).drop()
            await outer.rollback()


def auth(role: Role, **claims: Any) -> dict[str, str]:
    """The Authorization header of a development token with this role and these claims."""
    return {"Authorization": f"Bearer {mint_token(role=role, **claims)}"}


ADMIN = auth(Role.ADMIN, subject="admin-1")


@asynccontextmanager
async def asgi_client(app: Any, base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client that calls the app in-process."""
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url) as http:
        yield http


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@asynccontextmanager
async def served(app: Any) -> AsyncIterator[str]:
    """The app on a real uvicorn server on a free loopback port, in this event loop; its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical", http=CoalescingHttpTools)
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:  # noqa: ASYNC110  (uvicorn's server offers no event to wait on)
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
