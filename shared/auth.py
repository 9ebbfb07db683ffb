"""Bearer JWTs and the principals they carry.

Roles and tenancy are claims: `municipality` bound to a gmina TERC code (`terc`), `provider` bound to a provider id
(`provider_id`, absent until the provider's registration is linked), `evaluator`, `regional` bound to a voivodeship
(`voivodeship`, two digits), `admin`. Production verifies RS256 tokens against the identity provider's JWKS
(`AUTH_JWKS_URL`); the embedded default signs and verifies HS256 with the local development key.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt.types import Options

from shared.errors import Forbidden, Unauthorized
from shared.settings import AuthSettings


class Role(StrEnum):
    MUNICIPALITY = "municipality"
    PROVIDER = "provider"
    EVALUATOR = "evaluator"
    REGIONAL = "regional"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    terc: str | None = None
    provider_id: uuid.UUID | None = None
    voivodeship: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    def acts_for_provider(self, provider_id: uuid.UUID) -> bool:
        return self.role is Role.PROVIDER and self.provider_id == provider_id

    def verifies_voivodeship(self, voivodeship: str) -> bool:
        return self.is_admin or (self.role is Role.REGIONAL and self.voivodeship == voivodeship)


@lru_cache(maxsize=1)
def auth_settings() -> AuthSettings:
    return AuthSettings()


@lru_cache(maxsize=4)
def _jwks_client(url: str) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(url, cache_keys=True)


def mint_token(
    *,
    role: Role,
    subject: str | None = None,
    terc: str | None = None,
    provider_id: uuid.UUID | str | None = None,
    voivodeship: str | None = None,
    ttl_seconds: int = 8 * 3600,
    settings: AuthSettings | None = None,
) -> str:
    """A development token signed with the local key (the embedded default; not for production)."""
    settings = settings or auth_settings()
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject or f"{role.value}-dev",
        "role": role.value,
        "iss": settings.issuer,
        "aud": settings.audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if terc:
        claims["terc"] = terc
    if provider_id:
        claims["provider_id"] = str(provider_id)
    if voivodeship:
        claims["voivodeship"] = voivodeship
    return jwt.encode(claims, settings.signing_key(), algorithm="HS256")


def decode_token(token: str, settings: AuthSettings | None = None) -> Principal:
    settings = settings or auth_settings()
    options: Options = {"require": ["exp", "sub", "role"]}
    try:
        if settings.jwks_url:
            key = _jwks_client(settings.jwks_url).get_signing_key_from_jwt(token).key
            claims = jwt.decode(
                token,
                key,
                algorithms=["RS256", "ES256"],
                audience=settings.audience,
                issuer=settings.issuer,
                options=options,
            )
        else:
            claims = jwt.decode(
                token,
                settings.signing_key(),
                algorithms=["HS256"],
                audience=settings.audience,
                issuer=settings.issuer,
                options=options,
            )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized(f"The token is not valid: {exc}.") from exc
    return _principal_from_claims(claims)


def _principal_from_claims(claims: dict[str, Any]) -> Principal:
    try:
        role = Role(claims["role"])
    except ValueError as exc:
        raise Unauthorized(f"Unknown role {claims['role']!r} in token.") from exc
    provider_id = None
    if claims.get("provider_id"):
        try:
            provider_id = uuid.UUID(str(claims["provider_id"]))
        except ValueError as exc:
            raise Unauthorized("The token's provider_id claim is not a UUID.") from exc
    principal = Principal(
        subject=str(claims["sub"]),
        role=role,
        terc=claims.get("terc"),
        provider_id=provider_id,
        voivodeship=claims.get("voivodeship"),
    )
    if role is Role.MUNICIPALITY and not principal.terc:
        raise Unauthorized("A municipality token must carry its gmina TERC code (claim `terc`).")
    if role is Role.REGIONAL and not principal.voivodeship:
        raise Unauthorized("A regional token must carry its voivodeship (claim `voivodeship`).")
    return principal


# Two names for one scheme: routes that only read a token when one is sent are marked optional in OpenAPI (see
# shared.app.optional_auth_openapi), so generated SDKs let anonymous clients call them.
_bearer = HTTPBearer(auto_error=False, scheme_name="BearerOptional", description="JWT bearer token, optional.")
_bearer_required = HTTPBearer(auto_error=False, description="JWT bearer token (see README: `make token`).")


async def optional_principal(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    """Anonymous callers get None; a header that is present but bad is refused, never silently ignored."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("The Authorization header must be `Bearer <token>`.")
    return decode_token(token.strip())


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_required)],
) -> Principal:
    if principal is None:
        raise Unauthorized("This operation needs a bearer token.")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(f"Role {principal.role.value} may not do this (allowed: {allowed}).")
