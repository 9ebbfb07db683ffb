"""Small async factories through the API, as a municipality would work."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx

from tests.catalogue.factories import service_type_id
from tests.commissioning.conftest import ADMIN, KIELCE, STARACHOWICE, START

HEADERS = {"2611011": STARACHOWICE, "2661011": KIELCE}
NAMES = {"2611011": "Gmina Starachowice", "2661011": "Miasto Kielce"}

CRITERIA = [
    {"code": "price", "name": "cena", "kind": "price", "weight": 40},
    {"code": "quality", "name": "jakość usług", "kind": "quality", "weight": 40},
    {"code": "social", "name": "zatrudnienie osób wykluczonych", "kind": "social", "weight": 20},
]
ANSWERS = {"quality": "Opiekunki z certyfikatem, koordynator dostępny 7 dni w tygodniu.", "social": 40}


async def municipality(api: httpx.AsyncClient, terc: str = "2611011") -> dict[str, Any]:
    body = {"terc": terc, "name": NAMES[terc], "cus_name": f"Centrum Usług Społecznych – {NAMES[terc]}"}
    response = await api.post("/v1/municipalities", json=body, headers=ADMIN)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def need(
    api: httpx.AsyncClient,
    catalogue: httpx.AsyncClient,
    *,
    terc: str = "2611011",
    value_pln: int = 500_000,
    days: int = 300,
    service: str = "care-services",
) -> dict[str, Any]:
    start = date(2026, 6, 1)
    body = {
        "title": "Usługi opiekuńcze dla seniorów",
        "service_type_id": await service_type_id(catalogue, service),
        "quantity": 12_000,
        "estimated_value_grosze": value_pln * 100,
        "period_start": start.isoformat(),
        "period_end": (start + timedelta(days=days - 1)).isoformat(),
        "notes": "Diagnoza potrzeb: 140 osób 75+.",
    }
    response = await api.post(f"/v1/municipalities/{terc}/needs", json=body, headers=HEADERS[terc])
    assert response.status_code == 201, response.text
    return dict(response.json())


def call_body(
    need_id: str,
    *,
    mode: str = "open-competition",
    deadline_days: float = 30,
    value_pln: int = 500_000,
    **overrides: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "need_id": need_id,
        "title": "Konkurs: usługi opiekuńcze 2026",
        "mode": mode,
        "lots": [{"title": "Usługi opiekuńcze", "quantity": 12_000, "value_grosze": value_pln * 100}],
        "criteria": CRITERIA,
        "deadline": (START + timedelta(days=deadline_days)).isoformat(),
    }
    body.update(overrides)
    return body


async def draft(api: httpx.AsyncClient, need_: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    terc = need_["municipality_terc"]
    response = await api.post("/v1/calls", json=call_body(need_["id"], **kwargs), headers=HEADERS[terc])
    assert response.status_code == 201, response.text
    return dict(response.json())


async def open_call(api: httpx.AsyncClient, need_: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    call = await draft(api, need_, **kwargs)
    published = await api.post(f"/v1/calls/{call['id']}/publication", headers=HEADERS[need_["municipality_terc"]])
    assert published.status_code == 200, published.text
    return dict(published.json())


async def setup_open_call(api: httpx.AsyncClient, catalogue: httpx.AsyncClient, **kwargs: Any) -> dict[str, Any]:
    await municipality(api)
    return await open_call(api, await need(api, catalogue), **kwargs)
