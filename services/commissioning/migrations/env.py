"""Alembic environment of the commissioning service (see shared.migrations.run_env)."""

from services.commissioning import models  # noqa: F401  (registers every table)
from services.commissioning.base import Base
from services.commissioning.settings import get_settings
from shared.db import resolve_database_url
from shared.migrations import run_env

run_env(Base.metadata, lambda: resolve_database_url(get_settings()))
