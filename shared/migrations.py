"""Run a service's Alembic migrations programmatically (used by `make migrate`, `make run` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_config(service_dir: Path, url: str) -> Config:
    config = Config(str(service_dir / "alembic.ini"))
    config.set_main_option("script_location", str(service_dir / "migrations"))
    config.attributes["database_url"] = url
    return config


def upgrade_head(service_dir: Path, url: str) -> None:
    """Apply every migration (synchronous: call it from a thread inside an event loop)."""
    command.upgrade(alembic_config(service_dir, url), "head")
