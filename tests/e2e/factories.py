"""The accounts, service type, providers and calls the stories through the gateway start from."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx

from shared.auth import Role
from tests.catalogue.factories import provider_payload
from tests.conftest import auth
from tests.helpers import ok

ADMIN = auth(Role.ADMIN, subject="admin-e2e")
ROPS = auth(Role.REGIONAL, subject="rops-e2e", voivodeship="26")
GMINA = auth(Role.MUNICIPALITY, subject="cus-e2e", terc="2611011")
EVALUATOR = auth(Role.EVALUATOR, subject="ewa-e2e@cus.pl")
ANSWERS = {"quality": "Opiekunki z certyfikatem, koordynator 7 dni w tygodniu.", "social": 40}
CRITERIA = [
    {"code": "price", "name": "cena", "kind": "price", "weight": 50},
    {"code": "quality", "name": "jakość", "kind": "quality", "weight": 30},
    {"code": "social", "name": "klauzula społeczna", "kind": "social", "weight": 20},
]


def care_service_type(gateway: httpx.Client) -> str:
    """The id of the taxonomy's `care-services` type (usługi opiekuńcze), found as a client would."""
    found = ok(gateway.get("/v1/service-types", params={"q": "opiekuncze"}))["items"]
    return str(next(t["id"] for t in found if t["code"] == "care-services"))


def registered_verified_provider(
    gateway: httpx.Client, *, with_claim: bool = True, **fields: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """A provider registered (`fields`: its own in the registration) and verified, and a token that acts for it:
    with a `provider_id` claim, or the registering account's own token without one (its first member)."""
    payload = provider_payload(**fields)
    account = auth(Role.PROVIDER, subject=f"new-e2e-{uuid.uuid4()}")
    created = ok(gateway.post("/v1/providers", json=payload, headers=account), 201)
    ok(gateway.post(f"/v1/providers/{created['id']}/status-changes", json={"action": "verify"}, headers=ROPS), 201)
    if not with_claim:
        return created, account
    return created, auth(Role.PROVIDER, subject=f"user-{created['id']}", provider_id=created["id"])


def open_call(
    gateway: httpx.Client,
    care: str,
    title: str,
    deadline: datetime,
    *,
    terc: str = "2611011",
    municipality: dict[str, str] = GMINA,
    trace: str = "",
    **call: Any,
) -> dict[str, Any]:
    """A published open competition of the municipality (`terc`, its token `municipality`) from a need of
    10,000 units of the service type `care` for 300,000 zł in 2027, one lot; `call`: more of the call's fields."""
    need = {
        "title": title,
        "service_type_id": care,
        "quantity": 10_000,
        "estimated_value_grosze": 30_000_000,
        "period_start": "2027-01-01",
        "period_end": "2027-10-31",
    }
    traced = {**municipality, **({"X-Request-ID": trace} if trace else {})}
    made = ok(gateway.post(f"/v1/municipalities/{terc}/needs", headers=traced, json=need), 201)
    body = {
        "need_id": made["id"],
        "title": title,
        "mode": "open-competition",
        "criteria": CRITERIA,
        "lots": [{"title": title, "quantity": 10_000, "value_grosze": 30_000_000}],
        "deadline": deadline.isoformat(),
        **call,
    }
    once = {**municipality, "Idempotency-Key": f"call-{uuid.uuid4()}"}
    created = ok(gateway.post("/v1/calls", headers=once, json=body), 201)
    return dict(ok(gateway.post(f"/v1/calls/{created['id']}/publication", headers=municipality)))


def add_municipality(client: httpx.Client, terc: str, name: str, cus_name: str) -> dict[str, Any]:
    """The municipality registered by an administrator."""
    body = {"terc": terc, "name": name, "cus_name": cus_name}
    return dict(ok(client.post("/v1/municipalities", headers=ADMIN, json=body), 201))


def add_offering(
    gateway: httpx.Client, provider_id: str, member: dict[str, str], care: str, **fields: Any
) -> dict[str, Any]:
    """An offering of the provider (`member`: a token acting for it) of the service type `care`: home care in the
    Starachowice powiat, 1,500 a month at 41 zł, for seniors, but for what `fields` say."""
    body = {
        "service_type_id": care,
        "title": "Usługi opiekuńcze w domu",
        "delivery_areas": ["2611"],
        "capacity_per_month": 1500,
        "unit_price_grosze": 4100,
        "target_groups": ["seniors"],
        **fields,
    }
    return dict(ok(gateway.post(f"/v1/providers/{provider_id}/offerings", headers=member, json=body), 201))


def offer_for(call: dict[str, Any], price_grosze: int) -> dict[str, Any]:
    """An offer for the call's first lot: 10,000 units at this price, with the story's answers."""
    return {"lot_id": call["lots"][0]["id"], "total_price_grosze": price_grosze, "quantity": 10_000, "answers": ANSWERS}
