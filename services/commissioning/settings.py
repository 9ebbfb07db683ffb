"""Commissioning settings (env prefix COMMISSIONING_)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class CommissioningSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMMISSIONING_", extra="ignore")

    database_name: str = Field(default="commissioning", description="Database on the embedded server.")
    catalogue_url: str = Field(
        default="http://127.0.0.1:8001", description="Base URL of the catalogue service (provider checks)."
    )
    catalogue_timeout_seconds: float = Field(default=3.0, description="Timeout of one catalogue call.")
    worker_interval_seconds: float = Field(
        default=5.0, description="How often the worker performs due time-driven events (0 disables it)."
    )
    standstill_days: int = Field(
        default=5, ge=0, le=30, description="Days between an award and its contracts' signature (standstill)."
    )
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Base URL printed in links (OCDS package URIs): the public entry, the gateway, which routes every "
        "commissioning path.",
    )
    clock_offset_file: str | None = Field(
        default=None,
        description="Testing only: a file holding seconds to add to the service's clock (end-to-end tests).",
    )
    ocid_prefix: str = Field(default="ocds-cus000", description="OCDS ocid prefix (registered with OCP).")
    catalogue_token: str | None = Field(
        default=None,
        description="The service account's bearer token commissioning reads the catalogue's private events with "
        "(member changes). Empty: on the development key it signs its own; with a JWKS it reads public events only.",
    )
    standing_fresh_seconds: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How old a provider's standing read from the catalogue may be for an offer, a revision or an award"
        " to be decided on it; older, the catalogue is asked first. A suspension committed in the catalogue is refused"
        " within this bound.",
    )
    events_poll_seconds: float = Field(
        default=2.0, ge=0, description="How often the catalogue's change feed is read (providers' standing; 0: not)."
    )


@lru_cache(maxsize=1)
def get_settings() -> CommissioningSettings:
    return CommissioningSettings()
