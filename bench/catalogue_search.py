"""Catalogue search benchmark (not a test): text + place search over HTTP against the same query on asyncpg.

    make bench                      # 10,000 then 100,000 offerings (2,000 then 20,000 providers)
    python -m bench.catalogue_search --small 2000 --large 20000   # a quick run

It builds a throw-away database on the embedded PostgreSQL (or BENCH_DATABASE_URL's server), fills it with SQL,
starts the catalogue with uvicorn on a free port, and prints, at each size: p50/p95 for one client over HTTP, the
requests per second and p95 at 32 concurrent clients, and the same query's p50/p95 straight on asyncpg (the
baseline measured in the same run), then the ratios against the targets. It searches as a municipality: the
public's searches are kept in the read cache until a write, and this measures the search itself.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import time
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from bench.common import free_port, local, percentile, searcher, service_databases, start_uvicorn, stopped_after, wrk
from services.catalogue.filters import parse_place
from services.catalogue.offerings import repository as offerings_repo
from services.catalogue.search import repository as search_vectors

QUERY = {"q": "uslugi opiekuncze", "place": "1411", "sort": "price", "per_page": "20"}

PROVIDERS_SQL = """
INSERT INTO providers (id, name, legal_form, nip, street, postal_code, city, terc, voivodeship, operating_areas,
                       contacts, is_pes, social_enterprise, public_benefit, status, registered_by, version)
SELECT gen_random_uuid(),
       (ARRAY['Spółdzielnia Socjalna','Fundacja','Stowarzyszenie','Opieka Sp. z o.o.','Centrum'])[1 + g % 5]
         || ' nr ' || g,
       (ARRAY['social-cooperative','foundation','association','company','cis','kis','zaz','wtz'])[1 + g % 8],
       '9' || lpad(g::text, 9, '0'), 'ul. Długa ' || g, '00-001', 'Miasto ' || (g % 500),
       v || lpad((1 + g % 20)::text, 2, '0') || lpad((1 + g % 10)::text, 2, '0') || '2', v, ARRAY[]::varchar[],
       '[]'::jsonb, g % 4 <> 3, g % 7 = 0, g % 3 = 0,
       CASE WHEN g % 10 = 0 THEN 'pending' ELSE 'verified' END, 'bench', 1
FROM (SELECT g, lpad((2 + 2 * (g % 16))::text, 2, '0') AS v
      FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer)) AS g) s
"""

OFFERINGS_SQL = """
WITH p AS (SELECT id, terc, row_number() OVER (ORDER BY nip) AS n FROM providers),
     t AS (SELECT id, name_pl, row_number() OVER (ORDER BY code) AS n FROM service_types),
     cnt AS (SELECT (SELECT count(*) FROM p) AS providers, (SELECT count(*) FROM t) AS types),
     o AS (
       SELECT g, p.id AS provider_id, p.terc, t.id AS type_id, t.name_pl,
              CASE WHEN g % 10 < 6 THEN ARRAY[p.terc] WHEN g % 10 < 9 THEN ARRAY[left(p.terc, 4)]
                   ELSE ARRAY[left(p.terc, 2)] END AS areas
       FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer)) AS g CROSS JOIN cnt
       JOIN p ON p.n = 1 + abs(hashint4(g)::bigint) % cnt.providers
       JOIN t ON t.n = 1 + abs(hashint4(g + 7919)::bigint) % cnt.types)
INSERT INTO offerings (id, provider_id, service_type_id, title, description, delivery_areas, delivery_area_parents,
                       capacity_per_month, capacity_committed, price_grosze, currency, target_groups, schedule, active,
                       version)
SELECT gen_random_uuid(), provider_id, type_id, initcap(name_pl) || ' ' || g, 'Oferta ' || g, areas,
       CASE WHEN cardinality(areas) = 1 AND length(areas[1]) = 7 THEN ARRAY[left(areas[1], 2), left(areas[1], 4)]
            WHEN length(areas[1]) = 4 THEN ARRAY[left(areas[1], 2)] ELSE ARRAY[]::varchar[] END,
       100 + g % 900, g % 50, 1000 + (g * 37) % 9000, 'PLN', ARRAY['seniors'], '[]'::jsonb, g % 20 <> 0, 1
FROM o
"""


async def fill(url: str, *, providers: tuple[int, int], offerings: tuple[int, int]) -> float:
    started = time.perf_counter()
    engine = create_async_engine(url)
    async with async_sessionmaker(engine)() as session, session.begin():
        await session.execute(text(PROVIDERS_SQL), {"start": providers[0], "stop": providers[1]})
        await session.execute(text(OFFERINGS_SQL), {"start": offerings[0], "stop": offerings[1]})
        await session.execute(text("UPDATE offerings SET search_vector = NULL WHERE search_vector IS NULL"))
        # the application's own vector computation, for the rows just added
        await search_vectors.refresh_offering_vectors(session)
    async with engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(text("VACUUM ANALYZE"))
    await engine.dispose()
    return time.perf_counter() - started


def raw_statement() -> tuple[str, list[Any]]:
    """The API's own search statement, compiled for asyncpg."""
    filters = offerings_repo.OfferingFilters(text=QUERY["q"], place=parse_place(QUERY["place"]))
    statement, values = offerings_repo.search_statement(None, filters, sort=QUERY["sort"], offset=0, limit=20)
    dialect = postgresql.asyncpg.dialect()  # type: ignore[no-untyped-call]
    compiled = statement.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params(values)
    return str(compiled), [params[name] for name in compiled.positiontup or []]


async def measure_raw(url: str, n: int) -> dict[str, float]:
    sql, params = raw_statement()
    u = make_url(url)
    conn = await asyncpg.connect(
        host=u.query.get("host") or u.host, port=u.port, user=u.username, password=u.password, database=u.database
    )
    statement = await conn.prepare(sql)
    rows = await statement.fetch(*params)
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        await statement.fetch(*params)
        samples.append(time.perf_counter() - t0)
    await conn.close()
    return {"p50": percentile(samples, 50) * 1000, "p95": percentile(samples, 95) * 1000, "rows": len(rows)}


async def measure_http(base: str, n: int, concurrency: int, seconds: float) -> dict[str, Any]:
    url = f"{base}/v1/offerings"
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector, headers=searcher()) as http:
        async with http.get(url, params=QUERY) as response:
            body = await response.json()
            assert response.status == 200, body
        samples = []
        for _ in range(n):
            t0 = time.perf_counter()
            async with http.get(url, params=QUERY) as response:
                await response.read()
            samples.append(time.perf_counter() - t0)
        if shutil.which("wrk"):
            load = measure_load_wrk(base, concurrency, seconds)
            return {
                "p50": percentile(samples, 50) * 1000,
                "p95": percentile(samples, 95) * 1000,
                "total": float(body["total"]),
                "generator": "wrk",
                **load,
            }
        loaded: list[float] = []
        deadline = time.perf_counter() + seconds

        async def client() -> None:
            while time.perf_counter() < deadline:
                t0 = time.perf_counter()
                async with http.get(url, params=QUERY) as response:
                    await response.read()
                    assert response.status == 200
                loaded.append(time.perf_counter() - t0)

        t_start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t_start
    return {
        "p50": percentile(samples, 50) * 1000,
        "p95": percentile(samples, 95) * 1000,
        "rps": len(loaded) / elapsed,
        "loaded_p95": percentile(loaded, 95) * 1000,
        "total": float(body["total"]),
        "generator": "aiohttp",
    }


def measure_load_wrk(base: str, concurrency: int, seconds: float) -> dict[str, float]:
    """32 clients from wrk (C, two threads): it leaves the cores to the server far more than a Python client."""
    query = "&".join(f"{k}={v.replace(' ', '%20')}" for k, v in QUERY.items())
    load = wrk(f"{base}/v1/offerings?{query}", concurrency=concurrency, seconds=seconds, headers=searcher())
    return {"rps": load["rps"], "loaded_p95": load["p95"]}


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    return start_uvicorn(
        "catalogue", port, {"CATALOGUE_DATABASE_URL": url, "CATALOGUE_LOG_LEVEL": "WARNING"}, workers=workers
    )


async def run(args: argparse.Namespace) -> None:
    results: dict[int, dict[str, Any]] = {}
    async with service_databases("bench", ("catalogue",), demo=False) as urls:
        url = urls["catalogue"]
        done_offerings = done_providers = 0
        for size in (args.small, args.large):
            providers = size // 5
            seconds = await fill(url, providers=(done_providers + 1, providers), offerings=(done_offerings + 1, size))
            done_offerings, done_providers = size, providers
            print(f"\n{size:,} offerings, {providers:,} providers (filled in {seconds:.1f} s)", flush=True)
            raw = await measure_raw(url, args.requests)
            port = free_port()
            with stopped_after() as processes:
                processes.append(start_server(url, port, args.workers))
                http = await measure_http(local(port), args.requests, 32, args.seconds)
            results[size] = {"raw": raw, "http": http}
            print(f"  asyncpg (baseline)  p50 {raw['p50']:6.2f} ms  p95 {raw['p95']:6.2f} ms  ({raw['rows']} rows)")
            print(
                f"  HTTP, 1 client      p50 {http['p50']:6.2f} ms  p95 {http['p95']:6.2f} ms  "
                f"(total matches {int(http['total'])})"
            )
            print(
                f"  HTTP, 32 clients    {http['rps']:7.0f} req/s  p95 {http['loaded_p95']:6.2f} ms  "
                f"(load from {http['generator']})"
            )

    large, small = results[args.large], results[args.small]
    checks = [
        ("HTTP p95, 1 client", f"{large['http']['p95']:.2f} ms", "< 15 ms", large["http"]["p95"] < 15),
        ("req/s at 32 clients", f"{large['http']['rps']:.0f}", ">= 300", large["http"]["rps"] >= 300),
        (
            "HTTP p95 / asyncpg p95",
            f"{large['http']['p95'] / large['raw']['p95']:.2f}",
            "<= 4",
            large["http"]["p95"] / large["raw"]["p95"] <= 4,
        ),
        (
            f"p95 at {args.large:,} / p95 at {args.small:,}",
            f"{large['http']['p95'] / small['http']['p95']:.2f}",
            "<= 2",
            large["http"]["p95"] / small["http"]["p95"] <= 2,
        ),
    ]
    print(f"\nAt {args.large:,} offerings (uvicorn workers: {args.workers}):")
    for name, value, target, ok in checks:
        print(f"  {name:<32} {value:>10}   target {target:<8} {'met' if ok else 'NOT MET'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=10_000, help="offerings at the first size")
    parser.add_argument("--large", type=int, default=100_000, help="offerings at the second size")
    parser.add_argument("--requests", type=int, default=400, help="sequential requests per measurement")
    parser.add_argument("--seconds", type=float, default=10.0, help="duration of the 32-client load")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes (one per core here)")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
