"""Two replicas of each service behind one gateway (its upstreams list both): every replica's worker and feed
consumer runs at once, and nothing is done twice; one replica of each is then killed and the system goes on."""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from shared.auth import Role
from shared.db import drop_database
from tests.catalogue.factories import provider_payload
from tests.conftest import auth, migrated_database
from tests.e2e.conftest import STORY_STARTS, Service, forget_streams, free_port
from tests.e2e.factories import ROPS, add_municipality, add_offering, care_service_type, offer_for, open_call
from tests.helpers import ok, wait_until

TERC = "2606011"
GMINA = auth(Role.MUNICIPALITY, subject="cus-replicas", terc=TERC)
EVALUATOR = auth(Role.EVALUATOR, subject="ewa-replicas@cus.pl")


class Inbox(ThreadingHTTPServer):
    """A webhook receiver on loopback, in a thread: every delivery it was sent."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                inbox.received.append((dict(self.headers), body))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_: Any) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"

    def events(self, secret: str) -> dict[str, dict[str, Any]]:
        """The events received, by id, each signature verified."""
        return {event["id"]: event for event in (Webhook(secret).verify(b, h) for h, b in self.received)}


class Replicas:
    def __init__(self, services: dict[str, list[Service]], gateway: Service, clock: Path) -> None:
        self.services, self.gateway, self.clock = services, gateway, clock

    def move_clock(self, days: float) -> None:
        self.clock.write_text(str(float(self.clock.read_text()) + days * 86_400))

    def now(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=float(self.clock.read_text()))


@pytest.fixture(scope="module")
async def replicas(pg_server: str, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Replicas]:
    catalogue_db = await migrated_database(pg_server, "catalogue_e2e", copy="_replicas")
    commissioning_db = await migrated_database(pg_server, "commissioning_e2e", copy="_replicas")
    clock = tmp_path_factory.mktemp("replicas-clock") / "offset"
    clock.write_text(str((STORY_STARTS - datetime.now(UTC)).total_seconds()))
    logs = tmp_path_factory.mktemp("replicas-logs")
    ports = {name: [free_port(), free_port()] for name in ("catalogue", "commissioning")}
    url = {name: [f"http://127.0.0.1:{p}" for p in ps] for name, ps in ports.items()}
    catalogues = [
        Service(
            "catalogue",
            port,
            {
                "CATALOGUE_DATABASE_URL": catalogue_db,
                "CATALOGUE_COMMISSIONING_URL": url["commissioning"][0],  # in production: the Service's address
                "CATALOGUE_EVENTS_POLL_SECONDS": "0.1",
                "CATALOGUE_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
                "CATALOGUE_WEBHOOK_POLL_SECONDS": "0.2",
                "EVENTS_NATS_PREFIX": f"replicas{os.getpid()}",
            },
            logs / f"catalogue-{i}.log",
        )
        for i, port in enumerate(ports["catalogue"])
    ]
    commissionings = [
        Service(
            "commissioning",
            port,
            {
                "COMMISSIONING_DATABASE_URL": commissioning_db,
                "COMMISSIONING_CATALOGUE_URL": url["catalogue"][0],
                "COMMISSIONING_WORKER_INTERVAL_SECONDS": "0.1",
                "COMMISSIONING_CLOCK_OFFSET_FILE": str(clock),
                "COMMISSIONING_STANDSTILL_DAYS": "5",
                "COMMISSIONING_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
                "COMMISSIONING_WEBHOOK_POLL_SECONDS": "0.2",
                "EVENTS_NATS_PREFIX": f"replicas{os.getpid()}",
            },
            logs / f"commissioning-{i}.log",
        )
        for i, port in enumerate(ports["commissioning"])
    ]
    gateway = Service(
        "gateway",
        free_port(),
        {
            "GATEWAY_CATALOGUE_URL": ",".join(url["catalogue"]),
            "GATEWAY_COMMISSIONING_URL": ",".join(url["commissioning"]),
            "GATEWAY_BREAKER_RESET_SECONDS": "1",
        },
        logs / "gateway.log",
    )
    everything = [*catalogues, *commissionings, gateway]
    try:
        await asyncio.gather(*(asyncio.to_thread(s.start) for s in everything))
        yield Replicas({"catalogue": catalogues, "commissioning": commissionings}, gateway, clock)
    finally:
        for service in everything:
            service.stop()
        await drop_database(catalogue_db)
        await drop_database(commissioning_db)
        await forget_streams(f"replicas{os.getpid()}")


def test_two_replicas_of_each_service_do_nothing_twice_and_survive_one_of_each_killed(replicas: Replicas):
    municipality_inbox, provider_inbox = Inbox(), Inbox()
    with httpx.Client(base_url=replicas.gateway.url, timeout=10) as gateway:
        add_municipality(gateway, TERC, "Gmina Skarżysko", "MOPS")
        hook = ok(
            gateway.post("/v1/webhooks", headers=GMINA, json={"url": municipality_inbox.url, "municipality": TERC}),
            201,
        )
        account = auth(Role.PROVIDER, subject=f"replicas-{uuid.uuid4()}")
        provider = ok(gateway.post("/v1/providers", json=provider_payload(), headers=account), 201)
        catalogue_hook = ok(
            gateway.post(
                "/v1/catalogue-webhooks",
                headers=account,
                json={"url": provider_inbox.url, "provider": provider["id"], "types": ["provider.verified"]},
            ),
            201,
        )
        ok(gateway.post(f"/v1/providers/{provider['id']}/status-changes", json={"action": "verify"}, headers=ROPS), 201)
        care = care_service_type(gateway)
        in_powiat = {"delivery_areas": [TERC[:4]], "capacity_per_month": 2000, "unit_price_grosze": 4000}
        offering = add_offering(gateway, provider["id"], account, care, title="Opieka", **in_powiat)

        def published_call(title: str) -> dict[str, Any]:
            return open_call(gateway, care, title, replicas.now() + timedelta(days=25), terc=TERC, municipality=GMINA)

        call = published_call("Opieka – repliki")
        offer = offer_for(call, 29_000_000)
        ok(
            gateway.post(
                f"/v1/calls/{call['id']}/offers", headers={**account, "Idempotency-Key": "replica-offer"}, json=offer
            ),
            201,
        )
        # both workers race for the opening at the deadline: it happens once
        replicas.move_clock(days=26)
        wait_until(lambda: gateway.get(f"/v1/calls/{call['id']}").json()["status"] == "evaluation")
        ok(
            gateway.post(
                f"/v1/calls/{call['id']}/committee",
                headers=GMINA,
                json={"subject": "ewa-replicas@cus.pl", "name": "Ewa"},
            ),
            201,
        )
        offers = ok(gateway.get(f"/v1/calls/{call['id']}/offers", headers=GMINA))["items"]
        ok(gateway.put(f"/v1/offers/{offers[0]['id']}/formal-check", headers=GMINA, json={"passed": True}))
        decision = ok(
            gateway.post(
                f"/v1/calls/{call['id']}/lots/{call['lots'][0]['id']}/award-decision",
                headers=GMINA,
                json={"winners": [{"offer_id": offers[0]["id"]}], "reason": "Jedyna oferta."},
            ),
            201,
        )
        contract_id = decision["winners"][0]["contract_id"]
        replicas.move_clock(days=6)
        waiting = wait_until(
            lambda: (c := gateway.get(f"/v1/contracts/{contract_id}").json())["status"] == "awaiting-signature" and c
        )
        signed = gateway.post(
            f"/v1/contracts/{contract_id}/signature",
            json={"number": "CUS.526.r.2026", "signed_on": replicas.now().date().isoformat()},
            headers={**GMINA, "If-Match": f'"{waiting["version"]}"'},
        )
        assert signed.status_code == 200, signed.text
        ok(
            gateway.post(
                f"/v1/contracts/{contract_id}/confirmation", headers={**account, "If-Match": signed.headers["etag"]}
            )
        )
        # both catalogue replicas read the feed at once: the contract commits its 1 000 hours a month once
        committed = wait_until(
            lambda: (o := gateway.get(f"/v1/offerings/{offering['id']}").json())["capacity_contracted"] and o
        )
        time.sleep(1)  # several polls of both consumers later
        assert (
            gateway.get(f"/v1/offerings/{offering['id']}").json()["capacity_contracted"]
            == 1000
            == committed["capacity_contracted"]
        )
        history = ok(gateway.get(f"/v1/calls/{call['id']}/history"))["items"]
        assert [h["kind"] for h in history].count("offers-opened") == 1
        assert [h["kind"] for h in history].count("standstill-ended") == 1

        for name in ("catalogue", "commissioning"):  # the gateway sent work to both replicas of each
            assert all("/v1/" in replica.log.read_text() for replica in replicas.services[name]), name
        # one replica of each dies; the gateway skips it and everything goes on
        for name in ("catalogue", "commissioning"):
            process = replicas.services[name][1].process
            assert process is not None
            process.kill()
            process.wait(10)
        second = published_call("Opieka – po awarii")
        answered = [gateway.get(f"/v1/calls/{second['id']}").status_code for _ in range(6)]
        assert answered == [200] * 6
        assert ok(gateway.get("/v1/areas"))
        late = ok(
            gateway.post(
                f"/v1/calls/{second['id']}/offers",
                headers={**account, "Idempotency-Key": "after-kill"},
                json={**offer, "lot_id": second["lots"][0]["id"]},
            ),
            201,
        )
        again = gateway.post(
            f"/v1/calls/{second['id']}/offers",
            headers={**account, "Idempotency-Key": "after-kill"},
            json={**offer, "lot_id": second["lots"][0]["id"]},
        )
        assert again.status_code == 201 and again.json()["id"] == late["id"]  # the retry, not a second offer
        assert ok(gateway.get("/v1/offers", headers=account))["total"] == 2

        # every event of the municipality's feed reached its webhook, the one killed replicas' included, signed
        def feed_ids() -> set[str]:
            page = ok(gateway.get("/v1/events", params={"municipality": TERC, "limit": 500}, headers=GMINA))
            return {e["id"] for e in page["items"]}

        expected = feed_ids()
        wait_until(lambda: expected <= set(municipality_inbox.events(hook["secret"])))
        received = municipality_inbox.events(hook["secret"])
        assert set(received) == feed_ids()
        kinds = [e["type"].removeprefix("pl.cus.") for e in received.values()]
        assert {"call.published", "call.offers-opened", "award.decided", "contract.signed"} <= set(kinds)
        copies = [h["webhook-id"] for h, _ in municipality_inbox.received]
        assert len(copies) == len(set(copies))  # each delivered once: both replicas' relays ran every pass
        verified = wait_until(lambda: provider_inbox.events(catalogue_hook["secret"]))
        assert [e["type"] for e in verified.values()] == ["pl.cus.provider.verified"]
        assert ok(gateway.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=GMINA))["total"] == len(received)
    municipality_inbox.shutdown()
    provider_inbox.shutdown()
