"""The public pages' first byte (not a test): with the demo data, every page is asked for by one client through a
gateway that keeps rendered pages (the default, 10 s) and through one that renders every time; prints p50/p95 of
the time to the first byte of each, and the target last: a cached page's first byte < 50 ms.

    make bench-pages
    python -m bench.pages --requests 300

Throw-away databases on the embedded PostgreSQL (or BENCH_DATABASE_URL's server); one uvicorn worker a service.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiohttp

from bench.common import free_port, local, percentile, service_databases, services_env, start_uvicorn, stopped_after

TARGET_MS = 50.0


async def first_byte(http: aiohttp.ClientSession, url: str, n: int) -> tuple[float, float]:
    """p50 and p95 (ms) of the time until the answer's status line, headers and first bytes have come."""
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        async with http.get(url) as response:
            await response.content.readany()
            samples.append(time.perf_counter() - started)
            await response.read()
            if response.status != 200:
                raise RuntimeError(f"{url}: {response.status}")
    return percentile(samples, 50) * 1000, percentile(samples, 95) * 1000


async def pages_of(http: aiohttp.ClientSession, gateway: str) -> dict[str, str]:
    async with http.get(f"{gateway}/v1/calls?status=awarded&per_page=1") as r:
        call = json.loads(await r.read())["items"][0]["id"]
    async with http.get(f"{gateway}/v1/offerings?place=2611011&pes_only=true&per_page=1") as r:
        provider = json.loads(await r.read())["items"][0]["provider"]["id"]
    return {
        "Katalog": "/",
        "Katalog, wyniki": "/uslugi?gmina=Starachowice&tylko_pes=1",
        "Podmiot": f"/dostawcy/{provider}",
        "Zamówienia": "/zamowienia",
        "Postępowanie": f"/zamowienia/{call}",
        "Mapa PES": "/mapa?woj=26&powiat=2611",
        "Raporty": "/raporty?woj=26",
    }


async def run(args: argparse.Namespace) -> None:
    async with service_databases("benchpages") as urls:
        with stopped_after() as processes:
            ports = {n: free_port() for n in ("catalogue", "commissioning", "cached", "fresh")}
            env = services_env(urls, ports)
            for name in ("catalogue", "commissioning"):
                processes.append(start_uvicorn(name, ports[name], env[name]))
            for name, keep in (("cached", "10"), ("fresh", "0")):
                gateway_env = {**env["gateway"], "GATEWAY_PAGES_CACHE_SECONDS": keep}
                processes.append(start_uvicorn("gateway", ports[name], gateway_env))
            await asyncio.sleep(1)
            worst = 0.0
            async with aiohttp.ClientSession() as http:
                pages = await pages_of(http, local(ports["cached"]))
                print(f"\nfirst byte, one client, {args.requests} requests a page (ms)")
                print(f"  {'page':<18} {'cached p50':>10} {'p95':>7}   {'rendered p50':>12} {'p95':>7}")
                for name, path in pages.items():
                    cached = await first_byte(http, f"{local(ports['cached'])}{path}", args.requests)
                    fresh = await first_byte(http, f"{local(ports['fresh'])}{path}", args.requests)
                    worst = max(worst, cached[1])
                    print(f"  {name:<18} {cached[0]:10.2f} {cached[1]:7.2f}   {fresh[0]:12.2f} {fresh[1]:7.2f}")
            verdict = "met" if worst < TARGET_MS else "NOT met"
            print(f"\ntarget: a cached page's first byte < {TARGET_MS:.0f} ms: worst p95 {worst:.2f} ms ({verdict})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
