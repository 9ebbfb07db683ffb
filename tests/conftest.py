"""Test session: real PostgreSQL (embedded by default, TEST_DATABASE_URL for a server), migrations applied once,
each test isolated in a transaction that is rolled back."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared import embedded_pg
from shared.db import with_database

REPO = Path(__file__).resolve().parent.parent
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


async def fresh_database(server: str, name: str) -> str:
    admin = create_async_engine(server, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return with_database(server, name)


@pytest.fixture(scope="session")
async def catalogue_db_url(pg_server: str) -> str:
    from shared.migrations import upgrade_head

    url = await fresh_database(pg_server, f"catalogue_test_{os.getpid()}")
    await asyncio.to_thread(upgrade_head, REPO / "services" / "catalogue", url)
    return url


@pytest.fixture(scope="session")
async def catalogue_engine(catalogue_db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(catalogue_db_url)
    yield engine
    await engine.dispose()
    admin = create_async_engine(with_database(catalogue_db_url, "postgres"), isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{catalogue_engine_name(catalogue_db_url)}" WITH (FORCE)'))
    await admin.dispose()


def catalogue_engine_name(url: str) -> str:
    from sqlalchemy.engine import make_url

    return str(make_url(url).database)
