"""Public reads that rarely change (not a test): `/v1/areas` and `/v1/service-types` served from the catalogue's
in-process cache, against a bare FastAPI route answering the same bytes, measured in one run; and the 304s.

    make bench-reads                    # needs wrk (a Debian package; the target installs it)
    python -m bench.public_reads --seconds 5

Throw-away databases on the embedded PostgreSQL (or BENCH_DATABASE_URL's server) with the demo data; the catalogue,
the gateway and the bare app each run with one uvicorn worker, all on the services' HTTP protocol; wrk loads each
at 32 connections.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from bench.common import free_port, local, service_databases, start_uvicorn, stopped_after, wait_for_port, wrk
from shared.http_server import UVICORN_HTTP

REPO = Path(__file__).resolve().parent.parent
READS = {"areas": "/v1/areas", "service types": "/v1/service-types?per_page=100"}
TARGET = 0.5  # of the bare route's throughput


def start_bare(port: int, body: Path) -> subprocess.Popen[bytes]:
    # on the same HTTP protocol as the services (shared.http_server): the ratio is the app's, not the server's
    command = [sys.executable, "-m", "uvicorn", "--factory", "bench.bare:app", "--port", str(port)]
    command += ["--host", "127.0.0.1", "--no-access-log", "--log-level", "warning", "--http", UVICORN_HTTP]
    process = subprocess.Popen(command, env={**os.environ, "BENCH_BODY_FILE": str(body)}, cwd=REPO)
    wait_for_port(port, process, "the bare app")
    return process


async def run(args: argparse.Namespace) -> None:
    async with service_databases("benchreads", ("catalogue",)) as urls:
        with stopped_after() as processes:
            ports = {name: free_port() for name in ("catalogue", "gateway", "bare")}
            quiet = {"CATALOGUE_LOG_LEVEL": "WARNING", "GATEWAY_LOG_LEVEL": "ERROR"}
            catalogue = local(ports["catalogue"])
            processes.append(
                start_uvicorn("catalogue", ports["catalogue"], {**quiet, "CATALOGUE_DATABASE_URL": urls["catalogue"]})
            )
            gateway_env = {
                **quiet,
                "GATEWAY_CATALOGUE_URL": catalogue,
                "GATEWAY_COMMISSIONING_URL": local(free_port()),  # not needed here
                "GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
            }
            processes.append(start_uvicorn("gateway", ports["gateway"], gateway_env))
            lines: list[str] = []
            for name, path in READS.items():
                async with httpx.AsyncClient() as http:
                    body = (await http.get(f"{catalogue}{path}")).content
                with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as file:
                    file.write(body)
                bare = start_bare(ports["bare"], Path(file.name))
                try:
                    reference = wrk(f"{local(ports['bare'])}/constant", concurrency=32, seconds=args.seconds)
                finally:
                    bare.terminate()
                    bare.wait(timeout=10)
                    os.unlink(file.name)
                served = wrk(f"{catalogue}{path}", concurrency=32, seconds=args.seconds)
                async with httpx.AsyncClient() as http:
                    etag = (await http.get(f"{catalogue}{path}")).headers["etag"]
                    gateway = f"{local(ports['gateway'])}{path}"
                    through = await http.get(gateway, headers={"If-None-Match": etag})
                print(f"\n{name}: GET {path} ({len(body)} bytes)")
                print(f"  bare FastAPI, same bytes  {reference['rps']:7.0f} req/s  p95 {reference['p95']:6.2f} ms")
                print(f"  catalogue (cached)        {served['rps']:7.0f} req/s  p95 {served['p95']:6.2f} ms")
                print(f"  through the gateway with If-None-Match: {through.status_code}")
                ratio = served["rps"] / reference["rps"]
                verdict = "met" if ratio >= TARGET else "NOT MET"
                lines.append(
                    f"{name}: {ratio:.0%} of the bare route (target >= {TARGET:.0%}: {verdict}); 304 "
                    f"through the gateway: {'yes' if through.status_code == 304 else 'NO'}"
                )
            print("\n" + "\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=8.0, help="duration of each 32-connection load")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
