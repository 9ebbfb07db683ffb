"""Bearer JWTs and the principals they carry.

Roles and tenancy are claims: `municipality` bound to a gmina TERC code (`terc`), `provider` bound to a provider id
(`provider_id`, absent until the provider's registration is linked), `evaluator`, `regional` bound to a voivodeship
(`voivodeship`, two digits), `admin`. Production verifies RS256 tokens against the identity provider's JWKS
(`AUTH_JWKS_URL`); the embedded default signs and verifies HS256 with the local development key.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Generator
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

import httpx
import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jwt.types import Options
from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
    provider_id: uuid.UUID | None = None  # the token's claim: a shortcut some identity providers can carry
    voivodeship: str | None = None
    # The providers the account is a member of (the catalogue's word), where a service looks them up.
    memberships: frozenset[uuid.UUID] = frozenset()
    token: str | None = field(default=None, repr=False, compare=False)  # to ask another service on its behalf

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def providers(self) -> frozenset[uuid.UUID]:
        """Every provider this principal acts for: its claim and its memberships."""
        if self.role is not Role.PROVIDER:
            return frozenset()
        return self.memberships | ({self.provider_id} if self.provider_id else set())

    def acts_for_provider(self, provider_id: uuid.UUID) -> bool:
        return provider_id in self.providers

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


class ServiceCredential(httpx.Auth):
    """How a service reads another's private events (the catalogue's member events, say): the token it was
    given (production: a service account of the identity provider, as admin), or, on the embedded default's
    shared HS256 key, an administrator's token it signs itself and renews before it expires. With a JWKS and no
    token given it sends none, and reads public events only."""

    def __init__(self, subject: str, token: str | None = None) -> None:
        self.subject, self.configured = subject, token
        self._minted: tuple[str, float] | None = None

    def current(self) -> str | None:
        if self.configured:
            return self.configured
        if auth_settings().jwks_url:
            return None
        if self._minted is None or self._minted[1] - time.time() < 300:
            self._minted = (mint_token(role=Role.ADMIN, subject=self.subject, ttl_seconds=3600), time.time() + 3600)
        return self._minted[0]

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.current()
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        yield request


def _token_problem(exc: jwt.PyJWTError) -> tuple[str, str]:
    """Why a token is refused, in our words (the library's messages are not an API), in English and Polish."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "The token has expired.", "Token wygasł."
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "The token is not valid yet (iat or nbf in the future).", "Token nie jest jeszcze ważny (iat lub nbf)."
    if isinstance(exc, jwt.InvalidAudienceError):
        return "The token was issued for another audience (claim `aud`).", "Token wydano dla innego odbiorcy (`aud`)."
    if isinstance(exc, jwt.InvalidIssuerError):
        return "The token was issued by another issuer (claim `iss`).", "Token wydał inny wystawca (`iss`)."
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"The token lacks the claim `{exc.claim}`.", f"W tokenie brakuje atrybutu `{exc.claim}`."
    if isinstance(exc, jwt.InvalidAlgorithmError):
        return (
            "The token is signed with an algorithm this service does not accept.",
            "Token podpisano algorytmem, którego ta usługa nie przyjmuje.",
        )
    if isinstance(exc, jwt.InvalidSignatureError):
        return "The token's signature does not verify.", "Podpis tokenu jest nieprawidłowy."
    if isinstance(exc, jwt.PyJWKClientError):
        return (
            "The token's signing key is not among the identity provider's keys.",
            "Klucza, którym podpisano token, nie ma wśród kluczy dostawcy tożsamości.",
        )
    return "The token is not a valid JWT.", "Token nie jest poprawnym JWT."


# Tokens already verified, until they expire: a client sends the same token with every request, and checking
# its signature and claims again is a large part of a small request's time (docs/performance.md).
VERIFIED_MAX = 10_000
_verified: dict[str, tuple[Principal, float, AuthSettings]] = {}  # token -> (principal, expires, checked under)


def decode_token(token: str, settings: AuthSettings | None = None) -> Principal:
    settings = settings or auth_settings()
    known = _verified.get(token)
    if known is not None:
        principal, expires, checked_under = known
        if checked_under is settings and time.time() < expires:
            return principal
        del _verified[token]
    principal, expires = _verify(token, settings)
    if len(_verified) >= VERIFIED_MAX:
        _verified.clear()
    _verified[token] = (principal, expires, settings)
    return principal


def _verify(token: str, settings: AuthSettings) -> tuple[Principal, float]:
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
    except jwt.PyJWTError as exc:
        raise Unauthorized(*_token_problem(exc)) from exc
    # kept no longer than the token lives, nor more than 5 minutes (a key set may have dropped its key since)
    return _principal_from_claims(claims), min(float(claims["exp"]), time.time() + 300)


class Claims(BaseModel):
    """The claims a principal is made of, checked once: types are strict (a `terc` that is a number or a list is
    refused, not coerced) and sizes are those identity providers send (OIDC allows a 255-character `sub`)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    sub: str = Field(min_length=1, max_length=255)
    role: Role = Field(strict=False)  # a string naming one of the roles
    terc: str | None = Field(default=None, pattern=r"^\d{7}$")
    provider_id: uuid.UUID | None = Field(default=None, strict=False)  # a UUID in its string form
    voivodeship: str | None = Field(default=None, pattern=r"^\d{2}$")


def _claim_problem(error: Any) -> str:
    name = ".".join(str(part) for part in error["loc"]) or "claims"
    return f"the claim `{name}` {error['msg'][:1].lower()}{error['msg'][1:]}"


def _principal_from_claims(raw: dict[str, Any]) -> Principal:
    try:
        claims = Claims.model_validate(raw)
    except ValidationError as exc:
        reasons = "; ".join(_claim_problem(error) for error in exc.errors()[:3])
        raise Unauthorized(
            f"The token's claims are not usable: {reasons}.", f"Atrybutów tokenu nie da się użyć: {reasons}."
        ) from exc
    principal = Principal(
        subject=claims.sub,
        role=claims.role,
        terc=claims.terc,
        provider_id=claims.provider_id,
        voivodeship=claims.voivodeship,
    )
    if principal.role is Role.MUNICIPALITY and not principal.terc:
        raise Unauthorized(
            "A municipality token must carry its gmina TERC code (claim `terc`).",
            "Token gminy musi zawierać jej kod TERC (atrybut `terc`).",
        )
    if principal.role is Role.REGIONAL and not principal.voivodeship:
        raise Unauthorized(
            "A regional token must carry its voivodeship (claim `voivodeship`).",
            "Token regionalnego ośrodka musi zawierać województwo (atrybut `voivodeship`).",
        )
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
        raise Unauthorized(
            "The Authorization header must be `Bearer <token>`.",
            "Nagłówek Authorization musi mieć postać `Bearer <token>`.",
        )
    token = token.strip()
    if auth_settings().jwks_url:  # fetching the key set is blocking I/O: not on the event loop
        principal = await asyncio.to_thread(decode_token, token)
    else:
        principal = decode_token(token)
    principal = replace(principal, token=token)
    enrich = getattr(request.app.state, "enrich_principal", None)  # a service may add what it knows
    return await enrich(principal) if enrich else principal


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer_required)],
) -> Principal:
    if principal is None:
        raise Unauthorized("This operation needs a bearer token.", "Ta operacja wymaga tokenu (Bearer).")
    return principal


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_role(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        allowed = ", ".join(r.value for r in roles)
        raise Forbidden(
            f"Role {principal.role.value} may not do this (allowed: {allowed}).",
            pl=f"Rola {principal.role.value} nie może tego zrobić (mogą: {allowed}).",
        )
