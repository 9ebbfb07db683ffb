"""Catalogue settings (env prefix CATALOGUE_)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CatalogueSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOGUE_", extra="ignore")

    database_name: str = Field(default="catalogue", description="Database on the embedded server.")
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL printed in links (HSDS `url` fields): the public entry, the gateway, which routes every "
        "catalogue path.",
    )
    commissioning_url: str = Field(
        default="http://127.0.0.1:8002", description="Commissioning, whose change feed tells of signed contracts."
    )
    events_poll_seconds: float = Field(
        default=2.0, ge=0, description="How often commissioning's change feed is read (0: not at all)."
    )


@lru_cache(maxsize=1)
def get_settings() -> CatalogueSettings:
    return CatalogueSettings()
