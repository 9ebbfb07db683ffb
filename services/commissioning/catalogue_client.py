"""The catalogue over HTTP: service types, and the facts about a provider that decide its eligibility."""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

import httpx

from services.commissioning.rules.advisor import ProviderFacts
from shared.auth import ServiceCredential
from shared.errors import ProblemError, ValidationProblem
from shared.observability import request_id_var


class CatalogueUnavailable(ProblemError):
    status, slug, title = 503, "catalogue-unavailable", "The catalogue cannot be reached"

    def __init__(self, detail: str, *, pl: str) -> None:
        super().__init__(detail, pl=pl, headers={"Retry-After": "5"})


MEMBERSHIP_SECONDS = 30.0  # how long the catalogue's word on an account's providers is reused
MEMBERSHIP_ENTRIES = 10_000
STANDINGS_PER_REQUEST = 200  # the catalogue's limit


class CatalogueClient:
    def __init__(
        self,
        base_url: str,
        *,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
        credential: ServiceCredential | None = None,
    ) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)
        # the service account: providers' standings (and whatever else only it may read)
        self.credential = credential or ServiceCredential("service:commissioning")
        self._memberships: dict[str, tuple[float, frozenset[uuid.UUID]]] = {}

    async def close(self) -> None:
        await self.http.aclose()

    async def _get(
        self, path: str, params: Any = None, *, credentialed: bool = False, token: str | None = None
    ) -> httpx.Response:
        """Asked anonymously, with the service account (`credentialed`) or with a caller's `token`."""
        try:
            request_id = request_id_var.get()
            headers = {"x-request-id": request_id} if request_id else {}
            if token is not None:
                headers["authorization"] = f"Bearer {token}"
            auth = self.credential if credentialed else httpx.USE_CLIENT_DEFAULT
            response = await self.http.get(path, params=params, headers=headers, auth=auth)
        except httpx.HTTPError as exc:
            raise CatalogueUnavailable(
                f"The catalogue did not answer ({type(exc).__name__}); nothing was saved, retry later.",
                pl=f"Katalog nie odpowiedział ({type(exc).__name__}); niczego nie zapisano, spróbuj później.",
            ) from exc
        if response.status_code >= 500:
            raise CatalogueUnavailable(
                f"The catalogue answered {response.status_code}; nothing was saved.",
                pl=f"Katalog odpowiedział kodem {response.status_code}; niczego nie zapisano.",
            )
        return response

    async def service_type(self, service_type_id: uuid.UUID, *, field: str = "service_type_id") -> dict[str, Any]:
        response = await self._get(f"/v1/service-types/{service_type_id}")
        if response.status_code == 404:
            raise ValidationProblem.field(
                field,
                f"unknown service type {service_type_id} (see the catalogue)",
                pl=f"nieznany rodzaj usługi {service_type_id} (zob. katalog)",
            )
        response.raise_for_status()
        return dict(response.json())

    async def verified_provider(self, provider_id: uuid.UUID) -> tuple[ProviderFacts, str, str] | None:
        """(eligibility facts, name, NIP) of a verified provider, or None when it is not verified (anonymous
        readers of the catalogue see verified providers only: pending, rejected and suspended ones are absent)."""
        response = await self._get(f"/v1/providers/{provider_id}")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        body = response.json()
        facts = body["social_economy"]
        return (
            ProviderFacts(
                provider_id=str(provider_id),
                legal_form=body["legal_form"],
                is_pes=bool(facts["is_pes"]),
                social_enterprise=facts.get("social_enterprise") is not None,
                excluded_share=body.get("excluded_share"),
            ),
            str(body["name"]),
            str(body["nip"]),
        )

    async def standings(self, provider_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
        """The providers' standing as the catalogue has it committed now, each at its version of the provider
        (absent: no such provider)."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(provider_ids), STANDINGS_PER_REQUEST):
            ids = [("id", str(p)) for p in provider_ids[start : start + STANDINGS_PER_REQUEST]]
            response = await self._get("/v1/provider-standings", ids, credentialed=True)
            if not response.is_success:  # the service account refused: as if the catalogue were away
                raise CatalogueUnavailable(
                    f"The catalogue refused the providers' standing ({response.status_code}); nothing was saved.",
                    pl=f"Katalog odmówił podania statusu podmiotów ({response.status_code}); niczego nie zapisano.",
                )
            found += [{**item, "provider_id": item["id"]} for item in response.json()["items"]]
        return found

    async def local_pes_offerings(self, service_type_id: uuid.UUID, place: str) -> int:
        response = await self._get(
            "/v1/offerings",
            params={"service_type": str(service_type_id), "place": place, "pes_only": "true", "per_page": 1},
        )
        response.raise_for_status()
        return int(response.json()["total"])

    async def memberships(self, token: str) -> frozenset[uuid.UUID]:
        """The providers the token's account is a member of, asked of the catalogue with that very token
        (`GET /v1/me`) and reused for a short while."""
        key = hashlib.sha256(token.encode()).hexdigest()
        cached = self._memberships.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
        response = await self._get("/v1/me", token=token)
        found = (
            frozenset(uuid.UUID(p["id"]) for p in response.json().get("providers", []))
            if response.is_success
            else frozenset()
        )
        if len(self._memberships) >= MEMBERSHIP_ENTRIES:  # the oldest go first
            for stale in list(self._memberships)[: MEMBERSHIP_ENTRIES // 10]:
                del self._memberships[stale]
        self._memberships[key] = (time.monotonic() + MEMBERSHIP_SECONDS, found)
        return found
