"""PostgreSQL LISTEN on a connection of its own, for the whole life of a service: callbacks per channel, and a
reconnection (with `on_connect` called, since notifications sent while away are lost) when it is lost."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

logger = logging.getLogger(__name__)

Callback = Callable[[Any, int, str, str], None]  # asyncpg's: connection, pid, channel, payload


async def listen(
    engine: AsyncEngine,
    callbacks: dict[str, Callback],
    *,
    on_connect: Callable[[], None] | None = None,
    check_every: float = 30,
) -> None:
    while True:
        connection: asyncpg.Connection | None = None
        try:
            # the URL's query may hold the socket's directory (host=), as the embedded server's does
            where: dict[str, Any] = {**engine.url.translate_connect_args(username="user"), **engine.url.query}
            connection = await asyncpg.connect(**where)
            for channel, callback in callbacks.items():
                await connection.add_listener(channel, callback)
            if on_connect is not None:
                on_connect()
            while True:
                await asyncio.sleep(check_every)
                await connection.execute("SELECT 1")  # a lost connection shows here
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.warning("listening to the database failed; retrying", extra={"error": type(exc).__name__})
            await asyncio.sleep(5)
        finally:
            if connection is not None:
                with contextlib.suppress(Exception):
                    await connection.close(timeout=2)


async def run_woken(
    pass_once: Callable[[], Awaitable[object]],
    interval: float,
    wake: asyncio.Event | None,
    failed: Callable[[Exception], None],
) -> None:
    """Make a pass whenever `wake` is set (by a commit's NOTIFY) and every `interval` seconds in any case; a pass
    that fails is told to `failed` (inside its `except`) and the next one tries again."""
    while True:
        try:
            await pass_once()
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            failed(exc)
        if wake is None:
            await asyncio.sleep(interval)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), timeout=interval)
        wake.clear()
