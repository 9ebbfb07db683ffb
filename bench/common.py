"""Helpers shared by the benchmarks: ports, percentiles, throw-away databases, processes, wrk."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


@contextlib.asynccontextmanager
async def database_server() -> AsyncIterator[str]:
    """The server the benchmark's throw-away databases go on: BENCH_DATABASE_URL's, or the embedded one (started
    for the run, and stopped after it if it was not running before). Yields its admin URL (database `postgres`)."""
    from shared import embedded_pg
    from shared.db import with_database

    given = os.environ.get("BENCH_DATABASE_URL")
    if given:
        yield with_database(given.replace("postgresql://", "postgresql+asyncpg://", 1), "postgres")
        return
    started = not embedded_pg.is_running()
    try:
        yield embedded_pg.ensure_running()
    finally:
        if started:
            embedded_pg.stop()


@contextlib.asynccontextmanager
async def service_databases(
    suffix: str, services: tuple[str, ...] = ("catalogue", "commissioning"), *, demo: bool = True
) -> AsyncIterator[dict[str, str]]:
    """A throw-away database for each service (`<service>_<suffix>`) on the benchmark's server, migrated to head
    and with the demo data if `demo`; yields their URLs by service and drops them after the run."""
    from services.catalogue import demo as catalogue_demo
    from services.commissioning import demo as commissioning_demo
    from shared.db import drop_database, fresh_database
    from shared.migrations import upgrade_head

    loaders = {"catalogue": catalogue_demo.load, "commissioning": commissioning_demo.load}
    async with database_server() as server:
        urls = {name: await fresh_database(server, f"{name}_{suffix}") for name in services}
        try:
            for name, url in urls.items():
                await asyncio.to_thread(upgrade_head, REPO / "services" / name, url)
            if demo:
                for name, url in urls.items():
                    await loaders[name](url)
            yield urls
        finally:
            for url in urls.values():
                await drop_database(url)


@contextlib.contextmanager
def stopped_after() -> Iterator[list[subprocess.Popen[bytes]]]:
    """A list for the processes a run starts; each is terminated, and waited for, when the run ends."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def local(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def services_env(urls: dict[str, str], ports: dict[str, int], log_level: str = "WARNING") -> dict[str, dict[str, str]]:
    """The environment of each of the three services for a run: its database, the others' addresses, logs from
    `log_level` up, and no rate limit at the gateway."""
    quiet = {f"{name}_LOG_LEVEL": log_level for name in ("CATALOGUE", "COMMISSIONING", "GATEWAY")}
    catalogue, commissioning = local(ports["catalogue"]), local(ports["commissioning"])
    return {
        "catalogue": {**quiet, "CATALOGUE_DATABASE_URL": urls["catalogue"]},
        "commissioning": {
            **quiet,
            "COMMISSIONING_DATABASE_URL": urls["commissioning"],
            "COMMISSIONING_CATALOGUE_URL": catalogue,
        },
        "gateway": {
            **quiet,
            "GATEWAY_CATALOGUE_URL": catalogue,
            "GATEWAY_COMMISSIONING_URL": commissioning,
            "GATEWAY_RATE_LIMIT_PER_MINUTE": "0",
        },
    }


WRK_REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %f %f\\n", summary.requests, summary.duration,
                         latency:percentile(50) / 1000, latency:percentile(95) / 1000))
  io.write(string.format("ERRORS %d %d\\n", summary.errors.status, summary.errors.connect + summary.errors.read
                         + summary.errors.write + summary.errors.timeout))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] if len(samples) > 1 else samples[0]


def wait_for_port(port: int, process: subprocess.Popen[bytes], what: str) -> None:
    for _ in range(150):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{what} did not start")


def start_uvicorn(service: str, port: int, env: dict[str, str], workers: int = 1) -> subprocess.Popen[bytes]:
    from shared.http_server import uvicorn_command

    command = [*uvicorn_command(service, port, workers=workers), "--log-level", "warning"]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=REPO)
    wait_for_port(port, process, service)
    return process


def wrk(url: str, *, concurrency: int, seconds: float, headers: dict[str, str] | None = None) -> dict[str, float]:
    """Load from wrk (C, two threads), with `headers` on every request: rps, p50 and p95 in ms."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{concurrency}",
                f"-d{seconds:.0f}s",
                "-s",
                script.name,
                *(part for name, value in (headers or {}).items() for part in ("-H", f"{name}: {value}")),
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    result = next(line.split() for line in out.splitlines() if line.startswith("RESULT"))
    errors = next(line.split() for line in out.splitlines() if line.startswith("ERRORS"))
    if int(errors[1]) or int(errors[2]):
        raise RuntimeError(f"wrk saw errors: {out}")
    requests, duration_us = int(result[1]), int(result[2])
    return {"rps": requests / (duration_us / 1e6), "p50": float(result[3]), "p95": float(result[4])}


class CpuMeter:
    """CPU seconds (user + system) spent by named process trees, PostgreSQL's processes and this one, between two
    readings: what each part costs per request, whatever else the shared machine was doing meanwhile."""

    def __init__(self, roots: dict[str, int]) -> None:
        import psutil

        self._psutil = psutil
        self.roots = {name: psutil.Process(pid) for name, pid in roots.items()}
        self.started: dict[str, float] = {}
        self.started_at = 0.0

    def _tree(self, root: Any) -> float:
        return sum(self._spent(process) for process in [root, *root.children(recursive=True)])

    def _spent(self, process: Any) -> float:
        """A process's CPU seconds and those of its children it has reaped: a PostgreSQL backend that ended during
        the run (an overflow connection closed) leaves its time with the postmaster, not nowhere."""
        with contextlib.suppress(self._psutil.Error):
            times = process.cpu_times()
            return float(times.user + times.system + times.children_user + times.children_system)
        return 0.0

    def reading(self) -> dict[str, float]:
        seconds = {name: self._tree(root) for name, root in self.roots.items()}
        postgres = 0.0
        for process in self._psutil.process_iter(["name"]):
            if process.info["name"] == "postgres":
                postgres += self._spent(process)
        seconds["PostgreSQL"] = postgres
        own = self._psutil.Process().cpu_times()  # this process alone: the services are its children
        seconds["load generator"] = own.user + own.system
        return seconds

    def start(self) -> None:
        self.started, self.started_at = self.reading(), time.monotonic()

    def spent(self) -> tuple[dict[str, float], float]:
        """CPU seconds by part since `start`, and the wall seconds."""
        now = self.reading()
        return {name: now[name] - self.started.get(name, 0.0) for name in now}, time.monotonic() - self.started_at


def searcher() -> dict[str, str]:
    """A municipality's Authorization header: its searches find what the public's do, and are made every time (the
    public's are kept in the catalogue's read cache until a write: a benchmark of the search itself sends this)."""
    from shared.auth import Role, mint_token

    return {"Authorization": f"Bearer {mint_token(role=Role.MUNICIPALITY, subject='bench-search', terc='2611011')}"}


def reference_ms() -> float:
    """The CPU time of a fixed piece of pure Python (the fastest of five, in ms): this machine's speed now. Its
    speed swings by half from one minute to the next (a shared host), so CPU figures are read against it."""

    def once() -> float:
        started, total = time.process_time(), 0
        for i in range(1_000_000):
            total += i * i % 7
        return (time.process_time() - started) * 1000

    return min(once() for _ in range(5))
