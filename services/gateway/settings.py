"""Gateway settings (env prefix GATEWAY_)."""

from functools import lru_cache

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.settings import ServiceSettings


class GatewaySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    catalogue_url: str = Field(
        default="http://127.0.0.1:8001",
        description="The catalogue service: one URL, or several replicas, comma-separated.",
    )
    commissioning_url: str = Field(
        default="http://127.0.0.1:8002",
        description="The commissioning service: one URL, or several replicas, comma-separated.",
    )
    upstream_timeout_seconds: float = Field(default=10.0, description="Timeout of one proxied call.")
    part_timeout_seconds: float = Field(default=2.0, description="Timeout of each part of an aggregated view.")
    pages_cache_seconds: float = Field(
        default=10.0, ge=0, description="How long a rendered public page is kept per address (0: rendered each time)."
    )
    public_cache_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How long an anonymous GET answered `Cache-Control: public` is answered from the gateway itself "
        "(at most the upstream's max-age; a write through this gateway forgets them all; 0: never).",
    )
    read_retries: int = Field(default=1, ge=0, le=3, description="Retries of idempotent reads that failed to connect.")
    breaker_failures: int = Field(default=5, description="Consecutive failures that open an upstream's breaker.")
    breaker_reset_seconds: float = Field(default=10.0, description="How long an open breaker refuses calls.")
    max_body_bytes: int = Field(default=1_048_576, description="Largest request body accepted.")
    rate_limit_per_minute: int = Field(default=1200, description="Requests per minute per client (0: no limit).")
    redis_url: str | None = Field(
        default=None,
        description="Redis for the rate-limit counters shared by every gateway replica (redis://host:6379); "
        "empty: counters in this process's memory.",
    )
    public_base_url: str = Field(default="http://127.0.0.1:8000", description="Public base URL.")


@lru_cache(maxsize=1)
def get_settings() -> GatewaySettings:
    return GatewaySettings()
