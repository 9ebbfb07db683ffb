"""Run a service's Alembic migrations programmatically (used by `make migrate`, `make run` and the tests)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData


def alembic_config(service_dir: Path, url: str) -> Config:
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["database_url"] = url
    return config


def upgrade_head(service_dir: Path, url: str) -> None:
    """Apply every migration (synchronous: call it from a thread inside an event loop)."""
    command.upgrade(alembic_config(service_dir, url), "head")


def run_env(target_metadata: MetaData, default_url: Callable[[], str]) -> None:
    """The body of a service's Alembic env.py: online migrations on the async engine, the URL given by the
    caller (`alembic_config`) or the service's settings."""
    import asyncio

    from alembic import context
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import create_async_engine

    from shared.db import ensure_database

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()

    async def run() -> None:
        url = context.config.attributes.get("database_url") or default_url()
        await ensure_database(url)
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
        await engine.dispose()

    asyncio.run(run())
