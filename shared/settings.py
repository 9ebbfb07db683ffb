"""Settings base: each service subclasses it with its own env prefix (CATALOGUE_, COMMISSIONING_, GATEWAY_)."""

from __future__ import annotations

import secrets

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.paths import data_dir


def development_signing_key() -> str:
    """The local development JWT key, made once and kept in `.data/dev-jwt.key` so every service shares it."""
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
    db_pool_size: int = 10
    db_pool_pre_ping: bool = Field(
        default=True, description="Test each pooled connection before use (survives a database restart; a round trip)."
    )
    max_body_bytes: int = Field(default=1_048_576, ge=1024, description="Largest request body accepted (413 above).")
