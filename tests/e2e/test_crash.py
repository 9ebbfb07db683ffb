"""kill -9 of commissioning in the middle of concurrent offer submissions, then of concurrent award decisions:
every request is retried with its own Idempotency-Key until it gets an answer. Nothing acknowledged is lost,
nothing is doubled, and no award stands without its contract."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import httpx

from shared.auth import Role
from tests.conftest import auth
from tests.e2e.conftest import Stack
from tests.e2e.factories import ANSWERS, CRITERIA, add_municipality, care_service_type, registered_verified_provider
from tests.helpers import ok

TERC = "2604011"
GMINA = auth(Role.MUNICIPALITY, subject="cus-crash", terc=TERC)
BIDDERS = 8
LOTS = 6


def until_answered(send: Any, seconds: float = 60) -> httpx.Response:
    """Retry while the service is down (connection refused, reset, 5xx from the gateway's side)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = send()
            if response.status_code < 500:
                return response
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("no answer after the restart")
        time.sleep(0.1)


def call_with_lots(commissioning: httpx.Client, stack: Stack, care: str) -> dict[str, Any]:
    need = ok(
        commissioning.post(
            f"/v1/municipalities/{TERC}/needs",
            headers=GMINA,
            json={
                "title": "Usługi opiekuńcze w sześciu osiedlach",
                "service_type_id": care,
                "quantity": 6_000,
                "estimated_value_grosze": 60_000_000,
                "period_start": "2027-01-01",
                "period_end": "2027-10-31",
            },
        ),
        201,
    )
    lots = [{"title": f"Osiedle {n}", "quantity": 1_000, "value_grosze": 10_000_000} for n in range(1, LOTS + 1)]
    body = {
        "need_id": need["id"],
        "title": "Konkurs: usługi opiekuńcze w osiedlach",
        "mode": "open-competition",
        "criteria": CRITERIA,
        "lots": lots,
        "deadline": (stack.now() + timedelta(days=25)).isoformat(),
    }
    call = ok(commissioning.post("/v1/calls", headers=GMINA, json=body), 201)
    return dict(ok(commissioning.post(f"/v1/calls/{call['id']}/publication", headers=GMINA)))


def kill_midway(stack: Stack, started: threading.Event, after: float) -> None:
    """SIGKILL commissioning shortly after the burst starts, then start it again."""
    started.wait(10)
    time.sleep(after)
    assert stack.commissioning.process is not None
    stack.commissioning.process.kill()
    stack.commissioning.process.wait(10)
    stack.commissioning.start()


def test_kill_9_during_submissions_and_awards_loses_and_doubles_nothing(stack: Stack, gateway: httpx.Client):
    clock_before = stack.clock_file.read_text()
    commissioning = httpx.Client(base_url=stack.commissioning.url, timeout=10)
    try:
        add_municipality(commissioning, TERC, "Gmina Końskie", "CUS Końskie")
        care = care_service_type(gateway)
        bidders = [registered_verified_provider(gateway) for _ in range(BIDDERS)]
        call = call_with_lots(commissioning, stack, care)
        cid = call["id"]

        # 1. Every bidder offers on every lot, all at once; commissioning is killed part-way; all retried.
        submissions = [
            (own, lot["id"], f"crash-offer-{uuid.uuid4()}", 9_000_000 + 10_000 * i)
            for i, (_, own) in enumerate(bidders)
            for lot in call["lots"]
        ]
        acknowledged: dict[str, str] = {}  # key -> offer id, from answers received before the kill
        started = threading.Event()

        def submit(own: dict[str, str], lot: str, key: str, price: int) -> httpx.Response:
            body = {"lot_id": lot, "total_price_grosze": price, "quantity": 1_000, "answers": ANSWERS}
            started.set()
            try:
                first = commissioning.post(
                    f"/v1/calls/{cid}/offers", json=body, headers={**own, "Idempotency-Key": key}
                )
                if first.status_code == 201:
                    acknowledged[key] = first.json()["id"]
            except httpx.TransportError:
                pass
            return until_answered(
                lambda: commissioning.post(
                    f"/v1/calls/{cid}/offers", json=body, headers={**own, "Idempotency-Key": key}
                )
            )

        killer = threading.Thread(target=kill_midway, args=(stack, started, 0.3))
        killer.start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            final = list(pool.map(lambda s: submit(*s), submissions))
        killer.join()
        assert [r.status_code for r in final] == [201] * len(submissions), [
            r.text for r in final if r.status_code != 201
        ]
        final_ids = {key: r.json()["id"] for (_, _, key, _), r in zip(submissions, final, strict=True)}
        assert all(final_ids[key] == offer for key, offer in acknowledged.items())  # nothing acknowledged was lost
        assert len(set(final_ids.values())) == len(submissions)  # nothing doubled: one offer per bidder and lot
        for _, own in bidders:
            mine = ok(commissioning.get(f"/v1/calls/{cid}/offers", headers=own, params={"per_page": 100}))["items"]
            assert len(mine) == LOTS

        # 2. After the deadline: formal checks, then every lot decided at once, twice over; killed part-way.
        stack.move_clock(days=26)
        offers = ok(commissioning.get(f"/v1/calls/{cid}/offers", headers=GMINA, params={"per_page": 100}))["items"]
        assert len(offers) == BIDDERS * LOTS
        for offer in offers:
            until_answered(
                lambda o=offer: commissioning.put(
                    f"/v1/offers/{o['id']}/formal-check", json={"passed": True}, headers=GMINA
                )
            )
        winners = {
            lot["id"]: min((o for o in offers if o["lot_id"] == lot["id"]), key=lambda o: o["total_price_grosze"])
            for lot in call["lots"]
        }
        started = threading.Event()

        def decide(lot: str) -> httpx.Response:
            body = {"winners": [{"offer_id": winners[lot]["id"]}], "reason": "Najniższa cena, oferta poprawna."}
            url = f"/v1/calls/{cid}/lots/{lot}/award-decision"
            started.set()
            return until_answered(lambda: commissioning.post(url, json=body, headers=GMINA))

        killer = threading.Thread(target=kill_midway, args=(stack, started, 0.05))
        killer.start()
        with ThreadPoolExecutor(max_workers=8) as pool:
            decided = list(pool.map(decide, [lot["id"] for lot in call["lots"]] * 2))
        killer.join()
        assert {r.status_code for r in decided} <= {201, 409}, [r.text for r in decided]
        results = ok(commissioning.get(f"/v1/calls/{cid}/results"))["items"]
        assert sorted(d["lot_id"] for d in results) == sorted(lot["id"] for lot in call["lots"])  # each lot once
        for decision in results:
            assert len(decision["winners"]) == 1 and decision["winners"][0]["contract_id"]  # no award without contract
        contracts = [
            c
            for c in ok(commissioning.get("/v1/contracts", params={"municipality": TERC, "per_page": 100}))["items"]
            if c["call_id"] == cid
        ]
        assert len(contracts) == LOTS
    finally:
        stack.clock_file.write_text(clock_before)
        commissioning.close()
