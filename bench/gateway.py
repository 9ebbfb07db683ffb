"""Gateway benchmark (not a test): the same catalogue read sent straight to the service, through the gateway, and
through nginx as a reference proxy, measured in one run; and the overview's latency against its slowest part.

    make bench-gateway                  # needs wrk and nginx (Debian packages; `make bench-gateway` installs them)
    python -m bench.gateway --seconds 5

It builds throw-away databases on the embedded PostgreSQL (or BENCH_DATABASE_URL's server), loads the demo data,
starts the three services with uvicorn (one worker each) and nginx (one worker, keep-alive to the catalogue), then
prints requests per second and p50/p95 at 32 concurrent connections (wrk), p50 for one client, and the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

from bench.common import (
    free_port,
    local,
    percentile,
    searcher,
    service_databases,
    services_env,
    start_uvicorn,
    stopped_after,
    wait_for_port,
    wrk,
)

# what each read is, and who asks: the search as a municipality, made every time (the public's is kept)
READS = {
    "areas (light)": ("/v1/areas", {}),
    "offerings search": ("/v1/offerings?q=uslugi%20opiekuncze&place=2611011&sort=price&per_page=20", searcher()),
}
NGINX_CONF = """
worker_processes 1;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  upstream catalogue {{ server 127.0.0.1:{upstream}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://catalogue;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }}
  }}
}}
"""


async def one_client(url: str, n: int, headers: dict[str, str]) -> float:
    samples = []
    async with aiohttp.ClientSession(headers=headers) as http:
        for _ in range(20):
            async with http.get(url) as response:
                await response.read()
        for _ in range(n):
            started = time.perf_counter()
            async with http.get(url) as response:
                await response.read()
                assert response.status == 200, await response.text()
            samples.append(time.perf_counter() - started)
    return percentile(samples, 50) * 1000


def start_nginx(upstream: int, port: int, prefix: Path) -> subprocess.Popen[bytes]:
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, upstream=upstream, port=port))
    process = subprocess.Popen(["nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"])
    wait_for_port(port, process, "nginx")
    return process


async def run(args: argparse.Namespace) -> None:
    async with service_databases("benchgw") as urls:
        with stopped_after() as processes:
            ports = {name: free_port() for name in ("catalogue", "commissioning", "gateway", "nginx")}
            env = services_env(urls, ports)
            for name in ("catalogue", "commissioning", "gateway"):
                processes.append(start_uvicorn(name, ports[name], env[name]))
            prefix = Path(tempfile.mkdtemp(prefix="cus-nginx-"))
            processes.append(start_nginx(ports["catalogue"], ports["nginx"], prefix))
            bases = {
                name: local(ports[p])
                for name, p in (("direct", "catalogue"), ("gateway", "gateway"), ("nginx", "nginx"))
            }
            await reads(bases, args)
            await overview(bases["gateway"], ports, args.requests)


async def reads(bases: dict[str, str], args: argparse.Namespace) -> None:
    """Each read's throughput and latency straight, through the gateway and through nginx, and the ratios."""
    for read, (path, headers) in READS.items():
        print(f"\n{read}: GET {path}")
        figures: dict[str, dict[str, float]] = {}
        for name, base in bases.items():
            load = wrk(f"{base}{path}", concurrency=32, seconds=args.seconds, headers=headers)
            load["one_client_p50"] = await one_client(f"{base}{path}", args.requests, headers)
            figures[name] = load
            print(
                f"  {name:<8} {load['rps']:7.0f} req/s   p50 {load['p50']:6.2f} ms  p95 {load['p95']:6.2f} ms"
                f"  (32 conns)   one client p50 {load['one_client_p50']:5.2f} ms"
            )
        gw, direct, nginx = figures["gateway"], figures["direct"], figures["nginx"]
        added = gw["one_client_p50"] - direct["one_client_p50"]
        print(
            f"  gateway keeps {gw['rps'] / direct['rps']:.0%} of direct throughput (target >= 70%: "
            f"{'met' if gw['rps'] >= 0.7 * direct['rps'] else 'NOT MET'}); nginx keeps "
            f"{nginx['rps'] / direct['rps']:.0%}"
        )
        print(f"  gateway adds {added:.2f} ms at p50, one client (target < 2 ms: {'met' if added < 2 else 'NOT MET'})")


async def overview(gateway: str, ports: dict[str, int], n: int) -> None:
    """The overview's p50 against the p50 of its slowest part, each part read straight from its service. The
    requests are interleaved (every round times each part once, then the overview) so that both sides of the ratio
    see the same minutes of this shared machine."""
    catalogue, commissioning = local(ports["catalogue"]), local(ports["commissioning"])
    urls: dict[str, Any] = {
        "summary": f"{commissioning}/v1/municipalities/2611011/summary",
        "needs": f"{commissioning}/v1/municipalities/2611011/needs",
        "providers": f"{catalogue}/v1/providers?place=2611011&per_page=100",
        "offerings": f"{catalogue}/v1/offerings?place=2611011&per_page=100&sort=price",
        "overview": f"{gateway}/v1/municipalities/2611011/overview",
    }
    samples: dict[str, list[float]] = {name: [] for name in urls}
    async with aiohttp.ClientSession() as http:
        for round_ in range(20 + n // 2):
            for name, url in urls.items():
                started = time.perf_counter()
                async with http.get(url) as response:
                    await response.read()
                    assert response.status in (200, 403), await response.text()
                if round_ >= 20:  # the first rounds warm every pool and cache
                    samples[name].append(time.perf_counter() - started)
    times = {name: percentile(got, 50) * 1000 for name, got in samples.items()}
    whole = times.pop("overview")
    slowest = max(times, key=lambda k: times[k])
    print(
        f"\noverview p50 {whole:.2f} ms; slowest part {slowest} p50 {times[slowest]:.2f} ms; sum of parts "
        f"{sum(times.values()):.2f} ms ({', '.join(f'{name} {ms:.2f}' for name, ms in times.items())})"
    )
    print(
        f"  overview / slowest part = {whole / times[slowest]:.2f} (target <= 1.3: "
        f"{'met' if whole <= 1.3 * times[slowest] else 'NOT MET'})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each 32-connection load")
    parser.add_argument("--requests", type=int, default=300, help="sequential requests for one-client p50")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
