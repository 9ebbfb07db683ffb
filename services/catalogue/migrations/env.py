"""Alembic environment of the catalogue: async engine, URL from the caller or the service settings."""

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from services.catalogue import models  # noqa: F401  (registers every table)
from services.catalogue.base import Base
from services.catalogue.settings import get_settings
from shared.db import ensure_database, resolve_database_url

target_metadata = Base.metadata


def _do_run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run() -> None:
    url = context.config.attributes.get("database_url") or resolve_database_url(get_settings())
    await ensure_database(url)
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_do_run)
    await engine.dispose()


asyncio.run(_run())
