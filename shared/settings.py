"""Settings base: each service subclasses it with its own env prefix (CATALOGUE_, COMMISSIONING_, GATEWAY_)."""

from __future__ import annotations

import os
import secrets
from functools import cache

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.paths import data_dir


def development_signing_key() -> str:
    """The local development JWT key, made once and kept in `.data/dev-jwt.key` so every service shares it."""
    return _key_for(os.environ.get("CUS_DATA_DIR"))


# Read once per process (per data folder): every token is checked with it (docs/performance.md).
@cache
def _key_for(_data_dir_setting: str | None) -> str:
    path = data_dir() / "dev-jwt.key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class AuthSettings(BaseSettings):
    """Token verification, shared by every service (env prefix AUTH_)."""

    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    jwks_url: str | None = Field(
        default=None,
        description="Identity provider JWKS URL. When set, tokens are verified against it (RS256).",
    )
    hs256_key: str | None = Field(
        default=None, description="Shared HS256 key. Default: the development key in .data/dev-jwt.key."
    )
    issuer: str = Field(default="cus-dev", description="Expected `iss` claim.")
    audience: str = Field(default="cus-api", description="Expected `aud` claim.")

    def signing_key(self) -> str:
        return self.hs256_key or development_signing_key()


class ServiceSettings(BaseSettings):
    """What every service has. `database_url` empty means: use the embedded PostgreSQL."""

    model_config = SettingsConfigDict(extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL (postgresql+asyncpg://...). Empty: the embedded PostgreSQL.",
    )
    database_name: str = Field(default="cus", description="Database created on the embedded server.")
    log_level: str = "INFO"
    log_json: bool = True
    db_pool_size: int = Field(
        default=20,
        ge=1,
        description="Database connections per process at most, opened as needed and kept (mind the server's "
        "max_connections across processes and replicas).",
    )
    db_pool_pre_ping: bool = Field(
        default=True,
        description="Replace a pooled connection the server dropped before use (a database restart or failover "
        "costs no request): one seen closed at once, one idle over a second after a ping.",
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body accepted (413 above).")
    webhook_allowed_hosts: str = Field(
        default="",
        description="Hosts webhooks may reach although they are not public https addresses (comma-separated, e.g. "
        "`127.0.0.1,localhost`): development and tests only. Empty (production): only https to public addresses.",
    )
    webhook_poll_seconds: float = Field(
        default=1.0, ge=0, description="How often webhook deliveries are made (0: not by this process)."
    )
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60, description="Timeout of one delivery attempt.")
    webhook_max_attempts: int = Field(default=10, ge=1, le=50, description="Attempts before a delivery is given up.")
    webhook_disable_after: int = Field(
        default=30, ge=1, description="Failed attempts in a row after which a subscription is disabled."
    )
    webhook_first_retry_seconds: float = Field(
        default=5.0, gt=0, description="Wait after a first failed attempt (doubled after each failure, up to an hour)."
    )
    webhook_max_subscriptions: int = Field(
        default=20,
        ge=1,
        description="Webhook subscriptions one owner may have at most (each is sent every event it may read); "
        "the next is refused with 409.",
    )
    events_nats_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("EVENTS_NATS_URL", "events_nats_url"),
        description="NATS with JetStream (nats://host:4222), shared by every service (env EVENTS_NATS_URL): the "
        "outbox is published to a stream per service and other services' events are consumed from it. Empty: the "
        "HTTP feeds only (the embedded default).",
    )
    events_nats_prefix: str = Field(
        default="cus",
        pattern=r"^[a-z][a-z0-9_-]{0,30}$",
        validation_alias=AliasChoices("EVENTS_NATS_PREFIX", "events_nats_prefix"),
        description="Prefix of the streams, subjects and consumers on the broker (env EVENTS_NATS_PREFIX).",
    )
