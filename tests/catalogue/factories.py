"""Small async factories that go through the API, as a client would."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.identifiers import complete_nip, complete_regon
from tests.catalogue.conftest import ADMIN, REGIONAL_26, new_provider_user, provider_user

_serial = itertools.count(100_000)


def valid_nip(seed: int) -> str:
    """A NIP with a correct checksum (digit 10 is the weighted mod-11 sum; 10 is not allowed)."""
    for k in range(10):  # the 9th digit varies, so different seeds never meet
        nip = complete_nip(f"{(seed % 900) + 100}{seed % 100_000:05d}{k}")
        if nip:
            return nip
    raise AssertionError("unreachable")


def valid_regon(seed: int) -> str:
    return complete_regon(f"{seed % 100_000_000:08d}")


def provider_payload(**overrides: Any) -> dict[str, Any]:
    n = next(_serial)
    payload: dict[str, Any] = {
        "name": f"Spółdzielnia Socjalna „Razem” nr {n}",
        "legal_form": "social-cooperative",
        "nip": valid_nip(n),
        "regon": valid_regon(n),
        "krs": f"{n:010d}",
        "address": {"street": "ul. Radomska 12", "postal_code": "27-200", "city": "Starachowice", "terc": "2611011"},
        "operating_areas": ["2611"],
        "email": "biuro@razem.example.pl",
        "social_economy": {
            "is_pes": True,
            "social_enterprise": {"decision_number": f"PS.{n}.2024", "decision_date": "2024-03-01"},
            "employees": 10,
            "excluded_employees": 4,
        },
    }
    payload.update(overrides)
    return payload


async def register_provider(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    response = await client.post("/v1/providers", json=provider_payload(**overrides), headers=new_provider_user())
    assert response.status_code == 201, response.text
    return dict(response.json())


async def verified_provider(client: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    provider = await register_provider(client, **overrides)
    headers = ADMIN if provider["voivodeship"] != "26" else REGIONAL_26
    response = await client.post(
        f"/v1/providers/{provider['id']}/status-changes", json={"action": "verify"}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict((await client.get(f"/v1/providers/{provider['id']}")).json())


async def service_type_id(client: httpx.AsyncClient, code: str) -> str:
    response = await client.get("/v1/service-types", params={"q": code, "per_page": 100})
    for item in response.json()["items"]:
        if item["code"] == code:
            return str(item["id"])
    raise AssertionError(f"no service type {code}")


async def create_offering(
    client: httpx.AsyncClient,
    provider_id: str | uuid.UUID,
    service_type: str = "care-services",
    **overrides: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "service_type_id": await service_type_id(client, service_type),
        "title": "Usługi opiekuńcze w domu podopiecznego",
        "delivery_areas": ["2611"],
        "capacity_per_month": 1000,
        "unit_price_grosze": 4200,
        "target_groups": ["seniors"],
    }
    payload.update(overrides)
    response = await client.post(
        f"/v1/providers/{provider_id}/offerings", json=payload, headers=provider_user(provider_id)
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def provider_with_offering(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """A verified provider and its offering, open on Tuesdays, accessible to wheelchairs."""
    provider = await verified_provider(client)
    offering = await create_offering(
        client,
        provider["id"],
        schedule=[{"weekday": 2, "opens_at": "08:00", "closes_at": "15:30"}],
        accessibility="Podjazd dla wózków",
    )
    return provider, offering


async def providers_with_nip(engine: AsyncEngine, nip: str) -> int:
    """How many providers with this NIP are committed."""
    async with engine.connect() as conn:
        return int(await conn.scalar(text("SELECT count(*) FROM providers WHERE nip = :nip"), {"nip": nip}) or 0)


async def delete_providers_with_nip(engine: AsyncEngine, nip: str) -> None:
    """Removes what a test with real commits registered."""
    async with engine.begin() as conn:
        await conn.execute(text("DELETE FROM providers WHERE nip = :nip"), {"nip": nip})
