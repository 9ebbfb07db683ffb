"""The burst at a deadline (not a test): N verified providers submit, then revise, offers to one call through the
gateway until its deadline passes, and a while after; then the call is opened by the worker.

    make bench-offers                           # N = 200 providers, 500 offers/s offered, 10 s of burst
    python -m bench.offers --rate 700 --providers 300 --seconds 15
    python -m bench.offers --closed             # capacity: every provider sends again as soon as answered

First `--warmup` seconds of offers to another call, as a system that has been running (its connection pools,
caches and prepared statements warm; `--warmup 0` for a cold start). The load is open (`--rate`): each provider
sends at its own even pace (a random phase; together `--rate` a second), revising its offer with the ETag of its
last answer; a provider still waiting for an answer when its next turn comes sends at once after it, and that wait
counts in the latency (measured from the planned moment, so a slow server cannot hide its queue). `--closed`
measures capacity instead: latency there is mostly the queue of N clients (N / throughput on average).

Throw-away databases on the embedded PostgreSQL (or BENCH_DATABASE_URL's server); every service with two uvicorn
workers; the commissioning clock is moved (COMMISSIONING_CLOCK_OFFSET_FILE) to `--seconds` before the deadline.
Prints offers accepted per second (peak second and overall), latency percentiles, CPU per answered request by part
(where the time goes), and the checks: every acknowledged offer kept (its last receipt verifies), none accepted
after the deadline, the opening's delay.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import uvloop

from bench.common import (
    CpuMeter,
    free_port,
    local,
    percentile,
    reference_ms,
    service_databases,
    services_env,
    start_uvicorn,
    stopped_after,
)
from shared.auth import Role, mint_token

TERC = "2611011"
CRITERIA = [
    {"code": "price", "name": "cena", "kind": "price", "weight": 60},
    {"code": "quality", "name": "jakość", "kind": "quality", "weight": 40},
]
TARGETS = {"rate": 500.0, "p95_ms": 100.0, "opening_s": 1.0}


def bearer(role: Role, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(role=role, **claims)}"}


ADMIN = bearer(Role.ADMIN, subject="bench-admin")
GMINA = bearer(Role.MUNICIPALITY, subject="bench-cus", terc=TERC)


@dataclass
class Outcome:
    accepted: list[tuple[float, float]] = field(default_factory=list)  # (wall time answered, latency s)
    submissions: list[float] = field(default_factory=list)  # latency s of the first offers (POST)
    refused: Counter[int] = field(default_factory=Counter)
    last_receipt: dict[str, dict[str, Any]] = field(default_factory=dict)  # offer id -> its last receipt
    late: int = 0  # accepted with a receipt time after the deadline
    failed_before: Counter[int] = field(default_factory=Counter)  # refused or failed before the deadline


@dataclass
class Burst:
    """The offers every provider sends to one call: until `stop_at` (wall clock), every `interval` seconds (None:
    again as soon as answered), and what came of them. The server's clock is the wall's plus `offset`."""

    call: dict[str, Any]
    deadline: datetime
    offset: timedelta
    stop_at: float
    interval: float | None
    outcome: Outcome = field(default_factory=Outcome)


def nip(n: int) -> str:
    """The n-th of distinct valid NIPs: n's own 11 candidates (one of them has no check digit)."""
    weights = (6, 5, 7, 2, 3, 4, 5, 6, 7)
    for candidate in range(100_000_000 + n * 11, 100_000_000 + n * 11 + 11):
        digits = [int(d) for d in f"{candidate:09d}"]
        check = sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        if check != 10:
            return f"{candidate:09d}{check}"
    raise AssertionError("unreachable: 11 consecutive numbers give every check digit")


async def ok(response: aiohttp.ClientResponse, *status: int) -> Any:
    body = await response.json()
    if response.status not in status:
        raise RuntimeError(f"{response.method} {response.url}: {response.status} {body}")
    return body


async def providers(http: aiohttp.ClientSession, gateway: str, n: int) -> list[tuple[str, dict[str, str]]]:
    """N registered and verified providers, each with its account's header."""
    gate = asyncio.Semaphore(16)

    async def one(i: int) -> tuple[str, dict[str, str]]:
        async with gate:
            account = bearer(Role.PROVIDER, subject=f"bench-provider-{i}")
            payload = {
                "name": f"Spółdzielnia Socjalna nr {i}",
                "legal_form": "social-cooperative",
                "nip": nip(i),
                "krs": f"{i + 1:010d}",
                "address": {"street": "ul. Radomska 12", "postal_code": "27-200", "city": "Starachowice", "terc": TERC},
                "operating_areas": ["2611"],
                "email": f"biuro{i}@pes.example.pl",
                "social_economy": {"is_pes": True, "employees": 10, "excluded_employees": 4},
            }
            async with http.post(f"{gateway}/v1/providers", json=payload, headers=account) as r:
                made = await ok(r, 201)
            change = {"action": "verify"}
            url = f"{gateway}/v1/providers/{made['id']}/status-changes"
            async with http.post(url, json=change, headers=ADMIN) as r:
                await ok(r, 201)
            return made["id"], bearer(Role.PROVIDER, subject=f"bench-provider-{i}", provider_id=made["id"])

    return list(await asyncio.gather(*(one(i) for i in range(n))))


async def municipality(http: aiohttp.ClientSession, gateway: str) -> None:
    body = {"terc": TERC, "name": "Starachowice", "cus_name": "CUS"}
    async with http.post(f"{gateway}/v1/municipalities", json=body, headers=ADMIN) as r:
        await ok(r, 201)


async def published_call(http: aiohttp.ClientSession, gateway: str, title: str, days: int) -> dict[str, Any]:
    async with http.get(f"{gateway}/v1/service-types", params={"q": "opiekuncze"}) as r:
        care = next(t["id"] for t in (await ok(r, 200))["items"] if t["code"] == "care-services")
    need = {
        "title": "Usługi opiekuńcze",
        "service_type_id": care,
        "quantity": 12_000,
        "estimated_value_grosze": 50_000_000,
        "period_start": "2027-06-01",
        "period_end": "2028-03-31",
    }
    async with http.post(f"{gateway}/v1/municipalities/{TERC}/needs", json=need, headers=GMINA) as r:
        need_id = (await ok(r, 201))["id"]
    body = {
        "need_id": need_id,
        "title": title,
        "mode": "open-competition",
        "lots": [{"title": "Usługi opiekuńcze", "quantity": 12_000, "value_grosze": 50_000_000}],
        "criteria": CRITERIA,
        "deadline": (datetime.now(UTC) + timedelta(days=days)).isoformat(),
    }
    async with http.post(f"{gateway}/v1/calls", json=body, headers=GMINA) as r:
        call = await ok(r, 201)
    async with http.post(f"{gateway}/v1/calls/{call['id']}/publication", headers=GMINA) as r:
        return dict(await ok(r, 200))


async def bidder(http: aiohttp.ClientSession, gateway: str, headers: dict[str, str], burst: Burst) -> None:
    """Submit, then revise until the burst stops: what the deadline's last minutes look like. At the burst's
    interval from a random phase (open load), or again as soon as answered (closed)."""
    outcome, interval = burst.outcome, burst.interval
    price, etag, offer_id = 49_000_000, None, None
    planned = time.perf_counter() + (random.uniform(0, interval) if interval else 0.0)
    while time.time() < burst.stop_at:
        if interval:
            await asyncio.sleep(max(0.0, planned - time.perf_counter()))
        else:
            planned = time.perf_counter()
        content = {"total_price_grosze": price, "quantity": 12_000, "answers": {"quality": f"Wersja {price}"}}
        # the receipt's time says whether it was accepted late
        if offer_id is None:
            request = http.post(
                f"{gateway}/v1/calls/{burst.call['id']}/offers",
                json={"lot_id": burst.call["lots"][0]["id"], **content},
                headers={**headers, "Idempotency-Key": f"bench-{uuid.uuid4()}"},
            )
        else:
            revision = {**headers, "If-Match": etag or ""}
            request = http.put(f"{gateway}/v1/offers/{offer_id}", json=content, headers=revision)
        async with request as response:
            body = await response.json()
            elapsed = time.perf_counter() - planned  # from the planned moment: a queue behind it counts
            if response.status in (200, 201):
                outcome.accepted.append((time.time(), elapsed))
                if offer_id is None:
                    outcome.submissions.append(elapsed)
                offer_id, etag = body["id"], response.headers["ETag"]
                outcome.last_receipt[offer_id] = {**body["receipt"], "headers": headers}
                if datetime.fromisoformat(body["receipt"]["submitted_at"]) > burst.deadline:
                    outcome.late += 1
                price -= 1000
            elif datetime.now(UTC) + burst.offset < burst.deadline - timedelta(seconds=1):
                outcome.failed_before[response.status] += 1  # overload (a 503 from the gateway's timeout)
            else:
                outcome.refused[response.status] += 1
                if not interval:
                    await asyncio.sleep(0.05)
        if interval:
            planned += interval


async def run(args: argparse.Namespace) -> None:
    clock = Path(tempfile.mkdtemp(prefix="cus-bench-clock-")) / "offset"
    clock.write_text("0")
    async with service_databases("benchoffers", demo=False) as urls:
        with stopped_after() as processes:
            ports = {name: free_port() for name in ("catalogue", "commissioning", "gateway")}
            env = services_env(urls, ports, log_level="ERROR")
            env["catalogue"] |= {
                "CATALOGUE_COMMISSIONING_URL": local(ports["commissioning"]),
                "CATALOGUE_DB_POOL_SIZE": "10",  # with commissioning's, within the server's 100 connections
            }
            env["commissioning"] |= {
                "COMMISSIONING_CLOCK_OFFSET_FILE": str(clock),
                "COMMISSIONING_WORKER_INTERVAL_SECONDS": "0.1",
                "COMMISSIONING_EVENTS_POLL_SECONDS": "0.5",
                "COMMISSIONING_DB_POOL_SIZE": "16",
            }
            for name in ("catalogue", "commissioning", "gateway"):
                processes.append(start_uvicorn(name, ports[name], env[name], workers=args.workers))
            await asyncio.sleep(2)  # every worker up
            gateway = local(ports["gateway"])
            connector = aiohttp.TCPConnector(limit=args.providers)
            async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as http:
                bidders = await providers(http, gateway, args.providers)
                await municipality(http, gateway)
                call = await published_call(http, gateway, "Konkurs: usługi opiekuńcze", days=22)
                if args.warmup:  # a running system: pools, caches and prepared statements as they are after a while
                    later = await published_call(http, gateway, "Konkurs: usługi opiekuńcze 2028", days=60)
                    far, until = datetime.fromisoformat(later["deadline"]), time.time() + args.warmup
                    warmup = Burst(later, far, timedelta(0), until, interval=None)
                    await asyncio.gather(*(bidder(http, gateway, h, warmup) for _, h in bidders))
                deadline = datetime.fromisoformat(call["deadline"])
                # the server's clock is moved to `seconds` before the deadline
                offset = deadline - datetime.now(UTC) - timedelta(seconds=args.seconds)
                clock.write_text(str(offset.total_seconds()))
                reference = [reference_ms()]  # the machine's speed before the burst (and after it)
                await asyncio.sleep(max(0.0, 1.0 - reference[0] * 5 / 1000))  # the standing read from the events
                offset = deadline - datetime.now(UTC) - timedelta(seconds=args.seconds - 1.0)
                outcome = Outcome()
                deadline_wall = time.time() + args.seconds - 1.0
                stop_at = deadline_wall + 2.0  # and two seconds of late attempts
                target = local(ports["commissioning"]) if args.direct else gateway
                interval = None if args.closed else args.providers / args.rate
                meter = CpuMeter({name: process.pid for name, process in zip(ports, processes, strict=True)})
                meter.start()
                before = asyncio.create_task(reading_at(deadline_wall, meter, outcome))
                burst = Burst(call, deadline, offset, stop_at, interval, outcome)
                await asyncio.gather(*(bidder(http, target, h, burst) for _, h in bidders))
                cpu = meter.spent()
                cpu_before = await before
                reference.append(reference_ms())
                opened_after = await opening(http, gateway, call, deadline)
                lost = await lost_offers(http, gateway, outcome)
            report(args, outcome, opened_after, lost, deadline_wall, (*cpu, *cpu_before), reference)


async def reading_at(wall: float, meter: CpuMeter, outcome: Outcome) -> tuple[dict[str, float], int]:
    """CPU seconds by part from the start of the burst to the deadline, and the offers accepted meanwhile: what
    an accepted offer costs, without the late attempts refused after it (each takes the full path)."""
    await asyncio.sleep(max(0.0, wall - time.time()))
    accepted = len(outcome.accepted)
    reading = meter.reading()
    return {name: reading[name] - meter.started.get(name, 0.0) for name in reading}, accepted


async def opening(http: aiohttp.ClientSession, gateway: str, call: dict[str, Any], deadline: datetime) -> float:
    """Seconds from the deadline to the opening, as the worker recorded it (`opened_at`, the server's clock)."""
    for _ in range(300):
        async with http.get(f"{gateway}/v1/calls/{call['id']}/history", params={"per_page": 100}) as r:
            history = (await ok(r, 200))["items"]
        opened = [h for h in history if h["kind"] == "offers-opened"]
        if opened:
            return (datetime.fromisoformat(opened[0]["detail"]["opened_at"]) - deadline).total_seconds()
        await asyncio.sleep(0.1)
    raise RuntimeError("the call was not opened")


async def lost_offers(http: aiohttp.ClientSession, gateway: str, outcome: Outcome) -> int:
    """Acknowledged offers whose last receipt does not verify against what the server holds after the opening."""
    lost = 0
    for offer_id, receipt in outcome.last_receipt.items():
        url = f"{gateway}/v1/offers/{offer_id}/receipt-verification"
        params = {"content_hash": receipt["content_hash"]}
        async with http.get(url, params=params, headers=receipt["headers"]) as r:
            check = await ok(r, 200)
        lost += not check["matches"]
    return lost


def report(
    args: argparse.Namespace,
    outcome: Outcome,
    opened_after: float,
    lost: int,
    deadline: float,
    cpu: tuple[dict[str, float], float, dict[str, float], int],
    reference: list[float],
) -> None:
    latencies = [latency for _, latency in outcome.accepted]
    per_second = Counter(int(at) for at, _ in outcome.accepted if at <= deadline)
    busy = sorted(per_second.values())[1:-1] or sorted(per_second.values())  # whole seconds only
    peak = max(busy) if busy else 0
    accepted = len(outcome.accepted)
    duration = args.seconds - 1.0
    p50, p95 = percentile(latencies, 50) * 1000, percentile(latencies, 95) * 1000
    through = "straight to commissioning" if args.direct else "through the gateway"
    load = "closed load" if args.closed else f"{args.rate:.0f} offers/s offered"
    print(
        f"\n{args.providers} providers {through}, {load}, {args.workers} workers per service, "
        f"{duration:.0f} s to the deadline"
    )
    print(f"  offers accepted: {accepted} ({accepted / duration:.0f}/s overall, peak second {peak}/s)")
    print(f"  latency of an accepted submission or revision: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    if outcome.submissions:
        first = [percentile(outcome.submissions, q) * 1000 for q in (50, 95)]
        count = len(outcome.submissions)
        print(f"    of the {count} first submissions alone: p50 {first[0]:.1f} ms, p95 {first[1]:.1f} ms")
    by_second: dict[int, list[float]] = {}
    for at, latency in outcome.accepted:
        by_second.setdefault(int(at - deadline + args.seconds), []).append(latency)
    print(
        "  second by second (accepted, p95 ms): "
        + " ".join(f"{second}:{len(got)}/{percentile(got, 95) * 1000:.0f}" for second, got in sorted(by_second.items()))
    )
    print(f"  refused (after the deadline): {dict(outcome.refused)}")
    print(f"  failed before the deadline: {dict(outcome.failed_before) or 'none'}")
    print(f"  the opening performed {opened_after:.2f} s after the deadline (server clock)")
    seconds, wall, before, accepted_before = cpu
    answered = accepted + sum(outcome.refused.values()) + sum(outcome.failed_before.values())
    parts = ", ".join(f"{name} {spent * 1000 / max(answered, 1):.2f}" for name, spent in seconds.items())
    print(f"  CPU per answered request (ms): {parts}")
    parts = ", ".join(f"{name} {spent * 1000 / max(accepted_before, 1):.2f}" for name, spent in before.items())
    print(f"  CPU per offer accepted before the deadline (ms; the late attempts left out): {parts}")
    print(f"  cores busy with it: {sum(seconds.values()) / wall:.2f} of {os.cpu_count()}")
    print(
        f"  the machine's speed: the reference loop took {reference[0]:.0f} ms before, {reference[1]:.0f} ms after"
        " (CPU figures scale with it)"
    )
    print("\ntargets:")
    print(f"  peak >= {TARGETS['rate']:.0f} offers/s: {peak}/s -> {'met' if peak >= TARGETS['rate'] else 'NOT MET'}")
    print(f"  p95 < {TARGETS['p95_ms']:.0f} ms: {p95:.1f} ms -> {'met' if p95 < TARGETS['p95_ms'] else 'NOT MET'}")
    print(f"  acknowledged offers lost: {lost} -> {'met' if lost == 0 else 'NOT MET'}")
    print(f"  accepted after the deadline: {outcome.late} -> {'met' if outcome.late == 0 else 'NOT MET'}")
    print(f"  every last receipt verifiable: {len(outcome.last_receipt) - lost}/{len(outcome.last_receipt)}")
    within = 0 <= opened_after <= TARGETS["opening_s"]
    print(
        f"  opened within {TARGETS['opening_s']:.0f} s of the deadline: {opened_after:.2f} s -> "
        f"{'met' if within else 'NOT MET'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=10.0, help="time from the start of the burst to the deadline")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers per service")
    parser.add_argument("--direct", action="store_true", help="offers straight to commissioning, not the gateway")
    parser.add_argument("--rate", type=float, default=500.0, help="offers per second offered, all providers together")
    parser.add_argument("--closed", action="store_true", help="capacity: each provider sends again once answered")
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds of offers to another call first (0: a cold start)"
    )
    # the load generator shares the machine's two cores with what it measures: uvloop makes it lighter
    uvloop.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
