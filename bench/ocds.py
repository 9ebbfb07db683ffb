"""Bulk OCDS (not a test): analysts harvest everything. At each size (1 000 and 10 000 contracting processes by
default) a fresh commissioning database gets the demo's processes (every stage: planning to payments and
reports), cloned in SQL until there are that many; one commissioning process (uvicorn, one worker) serves them;
then, one after the other, the two streamed JSON Lines files and every page of `/ocds/releases` (following
`links.next`, 500 a page) are read as a client would, nothing kept.

    make bench-ocds
    python -m bench.ocds --sizes 1000 10000

Throw-away databases on the embedded PostgreSQL (or BENCH_DATABASE_URL's server). Prints, for each size and
each read, the time, releases per second, bytes, and the service's peak resident memory (VmHWM) after it; then
the ratios against the targets: peak RSS growth < 50 MB between the sizes, >= 5 000 releases/s streamed, time
growing at most linearly with the size.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import DateTime, Table, Uuid, text
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

import services.commissioning.models  # noqa: F401  (every table on the metadata)
from bench.common import database_server, free_port, start_uvicorn
from services.commissioning import demo
from services.commissioning.base import Base
from shared.db import drop_database, fresh_database
from shared.migrations import upgrade_head

REPO = Path(__file__).resolve().parent.parent
# what OCDS releases are made of, parents first; every row is cloned with new ids, its links kept within the copy,
# its instants a second later per copy
CLONED = [
    "calls",
    "lots",
    "amendments",
    "offers",
    "award_decisions",
    "awards",
    "contracts",
    "contract_amendments",
    "payments",
    "delivery_reports",
]
UNIQUE_TEXT = {("calls", "ocid")}  # unique strings that get the copy's number
TARGETS = {"rss_growth_mb": 50.0, "releases_per_s": 5000.0, "time_growth": 1.0}  # growth: against the size ratio


@dataclass
class Read:
    name: str
    seconds: float
    releases: int
    bytes: int
    peak_rss_mb: float

    @property
    def rate(self) -> float:
        return self.releases / self.seconds if self.seconds else 0.0


def _column_copy(table: Table, column: Any) -> str:
    """The SQL expression for column `column` of the g-th copy of a row."""
    name = f'"{column.name}"'
    linked = any(fk.column.table.name in CLONED for fk in column.foreign_keys)
    if isinstance(column.type, Uuid) and (column.primary_key or linked):
        return f"md5({name}::text || '-' || g)::uuid"  # the same new id wherever the old one is referred to
    if (table.name, column.name) in UNIQUE_TEXT:
        return f"{name} || '-' || g"
    if isinstance(column.type, DateTime):  # each copy g seconds later: distinct dates, as real histories have
        return f"{name} + g * interval '1 second'"
    return name


async def clone(connection: AsyncConnection, copies: int) -> None:
    """`copies` more of every row of the cloned tables, each copy's rows linked among themselves."""
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    for name in CLONED:
        table = tables[name]
        columns = [c for c in table.columns if c.identity is None and c.computed is None]
        names = ", ".join(f'"{c.name}"' for c in columns)
        values = ", ".join(_column_copy(table, c) for c in columns)
        await connection.execute(
            text(f'INSERT INTO "{name}" ({names}) SELECT {values} FROM "{name}", generate_series(1, :n) AS g'),
            {"n": copies},
        )
    await connection.execute(text("ANALYZE"))


async def seed(url: str, size: int) -> tuple[int, int]:
    """The demo, then clones up to about `size` published processes; (processes, calls of the demo)."""
    await asyncio.to_thread(upgrade_head, REPO / "services" / "commissioning", url)
    await demo.load(url)
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            published = await connection.execute(text("SELECT count(*) FROM calls WHERE published_at IS NOT NULL"))
            base = int(published.scalar_one())
            await clone(connection, max(0, math.ceil(size / base) - 1))
            total = await connection.execute(text("SELECT count(*) FROM calls WHERE published_at IS NOT NULL"))
            return int(total.scalar_one()), base
    finally:
        await engine.dispose()


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


async def stream_lines(http: aiohttp.ClientSession, url: str) -> tuple[int, int]:
    """(lines, bytes) of a streamed file, read as it comes and let go of."""
    lines = size = 0
    async with http.get(url) as response:
        response.raise_for_status()
        async for chunk in response.content.iter_chunked(64 * 1024):
            lines += chunk.count(b"\n")
            size += len(chunk)
    return lines, size


async def harvest_pages(http: aiohttp.ClientSession, base: str) -> tuple[int, int, int]:
    """(releases, bytes, pages) of `/ocds/releases`, following `links.next`."""
    url: str | None = f"{base}/ocds/releases?per_page=500"
    releases = size = pages = 0
    while url:
        async with http.get(url) as response:
            response.raise_for_status()
            body = await response.read()
        package = json.loads(body)
        releases, size, pages = releases + len(package["releases"]), size + len(body), pages + 1
        following = package.get("links", {}).get("next")
        url = f"{base}{following[following.index('/ocds/') :]}" if following else None
    return releases, size, pages


async def measure(server: str, size: int) -> tuple[int, float, list[Read]]:
    url = await fresh_database(server, "commissioning_benchocds")
    process: subprocess.Popen[bytes] | None = None
    try:
        started = time.perf_counter()
        processes, base = await seed(url, size)
        print(f"\n{processes} processes ({base} in the demo, cloned), seeded in {time.perf_counter() - started:.1f} s")
        port = free_port()
        env = {
            "COMMISSIONING_DATABASE_URL": url,
            "COMMISSIONING_CATALOGUE_URL": "http://127.0.0.1:9",  # not needed to read OCDS
            "COMMISSIONING_EVENTS_POLL_SECONDS": "0",
            "COMMISSIONING_WORKER_INTERVAL_SECONDS": "3600",
            "COMMISSIONING_LOG_LEVEL": "ERROR",
        }
        process = start_uvicorn("commissioning", port, env)
        service = f"http://127.0.0.1:{port}"
        reads: list[Read] = []
        timeout = aiohttp.ClientTimeout(total=None, sock_read=120)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            async with http.get(f"{service}/ocds/releases?per_page=1") as warm:
                warm.raise_for_status()
            idle = peak_rss_mb(process.pid)
            for name, path in (
                ("releases.jsonl", "/ocds/bulk/releases.jsonl"),
                ("records.jsonl", "/ocds/bulk/records.jsonl"),
            ):
                began = time.perf_counter()
                lines, length = await stream_lines(http, f"{service}{path}")
                reads.append(Read(name, time.perf_counter() - began, lines, length, peak_rss_mb(process.pid)))
                print_read(reads[-1], "releases" if name == "releases.jsonl" else "records")
            releases = reads[0].releases
            began = time.perf_counter()
            got, length, pages = await harvest_pages(http, service)
            reads.append(
                Read(
                    f"/ocds/releases ({pages} pages)",
                    time.perf_counter() - began,
                    got,
                    length,
                    peak_rss_mb(process.pid),
                )
            )
            print_read(reads[-1], "releases")
            if got != releases:
                raise RuntimeError(f"the pages gave {got} releases, the bulk file {releases}")
        return processes, idle, reads
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=10)
        await drop_database(url)


def print_read(read: Read, unit: str) -> None:
    print(
        f"  {read.name:<28} {read.seconds:7.2f} s  {read.releases:>7} {unit:<8} {read.rate:>8.0f}/s"
        f"  {read.bytes / 1e6:7.1f} MB  peak RSS {read.peak_rss_mb:6.1f} MB"
    )


def report(results: list[tuple[int, float, list[Read]]]) -> None:
    (small_n, small_idle, small), (large_n, large_idle, large) = results[0], results[-1]
    growth = max(r.peak_rss_mb for r in large) - max(r.peak_rss_mb for r in small)
    size_ratio = large_n / small_n
    print(f"\nidle RSS after one request: {small_idle:.1f} MB at {small_n}, {large_idle:.1f} MB at {large_n}")
    print("\nratios against the targets (last):")
    print(
        f"  peak RSS growth {small_n} -> {large_n}: {growth:+.1f} MB"
        f"  (target < {TARGETS['rss_growth_mb']:.0f} MB: {'met' if growth < TARGETS['rss_growth_mb'] else 'NOT met'})"
    )
    streamed = large[0]
    print(
        f"  releases streamed per second at {large_n}: {streamed.rate:.0f}"
        f"  = {streamed.rate / TARGETS['releases_per_s']:.2f} x the target {TARGETS['releases_per_s']:.0f}"
        f"  ({'met' if streamed.rate >= TARGETS['releases_per_s'] else 'NOT met'})"
    )
    for before, after in zip(small, large, strict=True):
        growth_ratio = (after.seconds / before.seconds) / size_ratio
        print(
            f"  {after.name:<28} time x{after.seconds / before.seconds:5.2f} for x{size_ratio:.2f} the processes:"
            f" {growth_ratio:.2f} of linear (target <= 1 with 10 % for noise:"
            f" {'met' if growth_ratio <= 1.1 else 'NOT met'})"
        )


async def run(args: argparse.Namespace) -> None:
    async with database_server() as server:
        report([await measure(server, size) for size in args.sizes])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
