"""Alembic environment of the catalogue service (see shared.migrations.run_env)."""

from services.catalogue import models  # noqa: F401  (registers every table)
from services.catalogue.base import Base
from services.catalogue.settings import get_settings
from shared.db import resolve_database_url
from shared.migrations import run_env

run_env(Base.metadata, lambda: resolve_database_url(get_settings()))
