"""The gateway: one public API over the catalogue and commissioning services."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import orjson
from fastapi import FastAPI, Request, Response
from fastapi.middleware import Middleware
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from services.gateway import openapi
from services.gateway.pages.router import STATIC
from services.gateway.pages.router import router as pages_router
from services.gateway.proxy.router import WRITES, WritesFirst, by_prefix, own_writes, proxy_router
from services.gateway.proxy.routes import RouteTable
from services.gateway.proxy.state import GatewayState, state_of
from services.gateway.proxy.upstreams import Breaker, Replica, Upstream, UpstreamUnavailable, latency_histogram
from services.gateway.ratelimit import RateLimitMiddleware, limiter_storage
from services.gateway.settings import GatewaySettings, get_settings
from services.gateway.views.events import router as events_router
from services.gateway.views.router import router as views_router
from services.gateway.views.schemas import COMPONENTS as VIEW_COMPONENTS
from shared.app import create_service_app
from shared.cache import cache_of
from shared.docs import install_docs
from shared.responses import json_response

DESCRIPTION = """
The one public entry to the CUS social-services system: the **catalogue** (social services, PES/NGO providers,
offerings, HSDS 3.0 under `/hsds/`) and **commissioning** (plans, legal modes, calls, sealed offers, evaluation,
awards, contracts, monitoring, OCDS 1.1 under `/ocds/`), plus views that combine both: a municipality's overview,
a provider's profile and its opportunities.

Errors are RFC 9457 `application/problem+json`. Writes need a bearer token; changes to existing resources need
`If-Match`; creating POSTs accept `Idempotency-Key`. A service that is down gives `503` with `Retry-After`.
"""

UPSTREAM_KEEPALIVE_SECONDS = 3.0

TAGS = [
    {"name": "views", "description": "Views across both services, each part fetched concurrently."},
    {"name": "events", "description": "Both services' change feeds as one, and each service's own."},
]


async def upstreams_ready(app: FastAPI) -> str | None:
    async def check(upstream: Upstream) -> str | None:
        try:
            result = await upstream.request("GET", "/readyz", time_limit=2, route="readyz")
        except UpstreamUnavailable as exc:
            return exc.detail
        return None if result.status == 200 else f"the {upstream.name} service is not ready ({result.status})"

    problems = [p for p in await asyncio.gather(*(check(u) for u in state_of(app).upstreams.values())) if p]
    routes = state_of(app).routes
    if routes is not None and not routes.complete:
        problems.append("the routes of every upstream are not learnt yet.")
    return " ".join(problems) or None


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or get_settings()
    state = GatewayState(settings)

    @contextlib.asynccontextmanager
    async def resources(app: FastAPI) -> AsyncIterator[None]:
        # Idle pooled connections are dropped before an upstream would close them (uvicorn: after 5 s), so a
        # request, a write above all, is never sent on a connection the upstream has already closed.
        connector = aiohttp.TCPConnector(limit=200, ttl_dns_cache=300, keepalive_timeout=UPSTREAM_KEEPALIVE_SECONDS)
        session = aiohttp.ClientSession(connector=connector, auto_decompress=False)
        histogram = latency_histogram(app.state.metrics.registry)
        state.upstreams = {
            name: Upstream(
                name,
                [
                    Replica(url.strip().rstrip("/"), Breaker(settings.breaker_failures, settings.breaker_reset_seconds))
                    for url in urls.split(",")
                    if url.strip()
                ],
                session,
                settings.upstream_timeout_seconds,
                settings.read_retries,
                histogram,
            )
            for name, urls in (("catalogue", settings.catalogue_url), ("commissioning", settings.commissioning_url))
        }
        state.routes = RouteTable(state.upstreams)
        await state.routes.refresh()  # an upstream that is down now is learnt when it answers
        refreshing = asyncio.create_task(state.routes.keep_fresh())
        try:
            yield
        finally:
            refreshing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await refreshing
            await session.close()

    app = create_service_app(
        name="gateway",
        title="CUS API (gateway)",
        description=DESCRIPTION,
        settings=settings,
        routers=[views_router, events_router],
        openapi_tags=TAGS,
        resources=resources,
        uses_database=False,
        readiness=upstreams_ready,
        serves_own_openapi=False,
    )
    app.state.gateway = state
    # the upstreams' public answers are kept here a few seconds (their own caches are right; this one may lag)
    cache_of(app).ttl = settings.public_cache_seconds
    proxy = proxy_router()
    app.include_router(proxy)
    app.include_router(pages_router)  # the public pages, in Polish, read from the public API
    app.mount("/strony", StaticFiles(directory=STATIC), name="pages-static")
    app.add_middleware(
        RateLimitMiddleware, per_minute=settings.rate_limit_per_minute, storage=limiter_storage(settings.redis_url)
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["*"],
        allow_headers=["*"],
        expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID", "Idempotent-Replayed"],
        max_age=600,
    )
    # innermost: writes to the upstreams skip the routing (none of the gateway's own routes takes them)
    methods = frozenset(WRITES - own_writes(app.routes, proxy))
    app.user_middleware.append(Middleware(WritesFirst, routes=by_prefix(proxy), methods=methods))
    generate = app.openapi

    def own_openapi() -> dict[str, Any]:
        """The gateway's own operations and the views' schemas, merged with the services' documents."""
        document = generate()
        document.setdefault("components", {}).setdefault("schemas", {}).update(VIEW_COMPONENTS)
        return document

    app.state.own_openapi = own_openapi  # also for the API contract check (tools/openapi_contract.py)

    @app.get("/openapi.json", include_in_schema=False)
    async def merged_openapi(request: Request) -> Response:
        documents: dict[str, dict[str, Any]] = {}
        for name, upstream in state.upstreams.items():
            result = await upstream.request("GET", "/openapi.json", route="openapi")
            if result.status != 200:
                raise UpstreamUnavailable(
                    name,
                    f"The {name} service did not give its OpenAPI document.",
                    pl=f"Usługa {name} nie udostępniła swojego dokumentu OpenAPI.",
                )
            documents[name] = orjson.loads(result.body)
        return json_response(openapi.merge(own_openapi(), documents, title=app.title, description=DESCRIPTION))

    install_docs(app)  # the merged document's Swagger UI and ReDoc, offline
    return app


def app() -> FastAPI:
    """Factory for `uvicorn --factory services.gateway.main:app`."""
    return create_app()
