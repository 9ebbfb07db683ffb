"""Catalogue settings (env prefix CATALOGUE_)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CatalogueSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOGUE_", extra="ignore")

    database_name: str = Field(default="catalogue", description="Database on the embedded server.")
    public_base_url: str = Field(
        default="http://127.0.0.1:8001", description="Base URL printed in links (HSDS `url` fields)."
    )


@lru_cache(maxsize=1)
def get_settings() -> CatalogueSettings:
    return CatalogueSettings()
