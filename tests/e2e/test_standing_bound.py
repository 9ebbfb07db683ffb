"""Through the gateway, on the real processes and their real clocks: a suspension committed in the catalogue is
refused by commissioning within the stated bound (1 s), for a new offer and for a revision alike."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx

from shared.auth import Role
from tests.conftest import auth
from tests.e2e.conftest import Stack
from tests.e2e.factories import (
    ANSWERS,
    ROPS,
    add_municipality,
    care_service_type,
    open_call,
    registered_verified_provider,
)
from tests.helpers import ok

BOUND = 1.0  # COMMISSIONING_STANDING_FRESH_SECONDS' default
BODZENTYN = auth(Role.MUNICIPALITY, subject="cus-bodzentyn-e2e", terc="2604042")


def test_a_suspension_is_refused_within_the_bound(stack: Stack, gateway: httpx.Client):
    add_municipality(gateway, "2604042", "Gmina Bodzentyn", "GOPS w Bodzentynie")
    care = care_service_type(gateway)
    lots = [{"title": f"Część {n}", "quantity": 5_000, "value_grosze": 15_000_000} for n in (1, 2)]
    call = open_call(
        gateway,
        care,
        "Usługi opiekuńcze 2027",
        stack.now() + timedelta(days=30),
        terc="2604042",
        municipality=BODZENTYN,
        lots=lots,
    )
    provider, member = registered_verified_provider(gateway)
    body = {"lot_id": call["lots"][0]["id"], "total_price_grosze": 4_000_000, "quantity": 1000, "answers": ANSWERS}
    made = gateway.post(f"/v1/calls/{call['id']}/offers", json=body, headers=member)
    assert made.status_code == 201, made.text
    suspension = {"action": "suspend", "reason": "Kontrola ROPS: nieprawidłowości w rozliczeniu dotacji"}
    ok(gateway.post(f"/v1/providers/{provider['id']}/status-changes", json=suspension, headers=ROPS), 201)
    time.sleep(BOUND + 0.1)  # the bound, and a little: commissioning's copy is older than it
    second = {**body, "lot_id": call["lots"][1]["id"]}
    refused = gateway.post(f"/v1/calls/{call['id']}/offers", json=second, headers=member)
    assert refused.status_code == 403, refused.text
    assert refused.json()["type"] == "urn:cus:problem:provider-not-verified" and "suspended" in refused.json()["detail"]
    revision = {"total_price_grosze": 3_900_000, "quantity": 1000, "answers": ANSWERS}
    revised = gateway.put(
        f"/v1/offers/{made.json()['id']}", json=revision, headers={**member, "If-Match": made.headers["etag"]}
    )
    assert revised.status_code == 403, revised.text
    assert revised.json()["type"] == "urn:cus:problem:provider-not-verified"
