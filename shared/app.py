"""The service app factory: problem handlers, observability, health, database lifecycle, deterministic ids."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from shared.auth import optional_principal
from shared.cache import CHANNEL, CachedReadsMiddleware, cache_of
from shared.conditional import ConditionalGets
from shared.db import Database, Now, database_of, ensure_database, resolve_database_url, utc_now
from shared.docs import install_docs
from shared.errors import (
    PROBLEM_MEDIA_TYPE,
    BodyLimitMiddleware,
    Problem,
    UnhandledErrorMiddleware,
    install_problem_handlers,
    problem_response,
)
from shared.i18n import LanguageMiddleware
from shared.notify import listen
from shared.observability import Metrics, ObservabilityMiddleware, configure_logging
from shared.queryguard import refuse_unknown_query
from shared.settings import ServiceSettings
from shared.textguard import NulGuardMiddleware

GC_THRESHOLDS = (50_000, 50, 100)
NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def operation_id(route: APIRoute) -> str:
    """`{tag}-{function name}`: stable, readable ids for generated SDKs (a name that starts with its tag does not
    say it twice: `hsds_services` under `hsds` is `hsds-services`)."""
    tag = str(route.tags[0]) if route.tags else "default"
    name = route.name.removeprefix(f"{tag}_")
    return f"{tag}-{name}".replace("_", "-")


async def database_ready(app: FastAPI) -> str | None:
    """None when the database answers, else why not."""
    try:
        async with database_of(app).engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means not ready
        return f"The database does not answer: {type(exc).__name__}."
    return None


def health_router(readiness: Callable[[FastAPI], Awaitable[str | None]]) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get(
        "/healthz",
        summary="Liveness: the process is up",
        description="Answers while the process runs, whatever its dependencies do.",
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: what the service depends on answers",
        description="200 once what the service depends on answers (its database; for the gateway, the services' "
        "documents), else 503 with the reason.",
    )
    async def readyz(request: Request) -> Response:
        problem = await readiness(request.app)
        if problem:
            return problem_response(503, "not-ready", "Not ready", problem, headers={"Retry-After": "5"})
        return JSONResponse({"status": "ready"})

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        description="Requests by route and status, latency histograms, upstream breakers (Prometheus text format).",
        response_class=Response,
    )
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PUBLIC_NOTE = (
    "\n\nPublic: no token needed. A bearer token may be sent (it is checked) and shows the caller what its role may "
    "see besides, such as a municipality's own drafts."
)
FASTAPI_VALIDATION_SCHEMAS = ("HTTPValidationError", "ValidationError")


def _problems_typed(operation: dict[str, Any]) -> None:
    """Every error answer is a typed problem+json `Problem` (SDKs return it parsed, not None): FastAPI's own 422
    (`HTTPValidationError`) is replaced, since the kit answers validation with a problem too, and a body that is
    not JSON is a 400 problem."""
    responses: dict[str, Any] = operation.setdefault("responses", {})
    if "requestBody" in operation:
        responses.setdefault("400", {"description": "Malformed request (the body is not JSON)"})
    if "422" in responses and "HTTPValidationError" in json.dumps(responses["422"]):
        responses["422"] = {"description": "Invalid fields: `errors` names each field and says why"}
    for status, response in responses.items():
        if not status.startswith(("4", "5")):
            continue
        response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}


def _problem_schemas(schema: dict[str, Any]) -> None:
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name in FASTAPI_VALIDATION_SCHEMAS:
        components.pop(name, None)
    if "Problem" not in components:
        generated = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(generated.pop("$defs", {}))
        components["Problem"] = generated


def optional_auth_openapi(app: FastAPI) -> None:
    """Finishes the OpenAPI document for SDKs. Routes that need a token say `security: [{HTTPBearer: []}]`; public
    routes, which merely accept one, state no requirement (generated SDKs then take a plain client) and say so in
    their description. Error answers are typed problems."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                names = {name for requirement in operation.get("security", []) for name in requirement}
                if "HTTPBearer" in names:
                    operation["security"] = [{"HTTPBearer": []}]
                elif "BearerOptional" in names:  # public: no requirement, so SDKs take a plain client
                    del operation["security"]
                    operation["description"] = (operation.get("description", "") + PUBLIC_NOTE).strip()
                _problems_typed(operation)
        _problem_schemas(schema)
        schemes = schema.get("components", {}).get("securitySchemes", {})
        optional = schemes.pop("BearerOptional", None)
        if optional is not None:
            schemes.setdefault(
                "HTTPBearer", {**optional, "description": "JWT bearer token (see README: `make token`)."}
            )
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_service_app(
    *,
    name: str,
    title: str,
    description: str,
    settings: ServiceSettings,
    routers: Sequence[APIRouter],
    openapi_tags: list[dict[str, Any]] | None = None,
    resources: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
    database_url: str | None = None,
    uses_database: bool = True,
    readiness: Callable[[FastAPI], Awaitable[str | None]] = database_ready,
    serves_own_openapi: bool = True,
    now: Now = utc_now,
) -> FastAPI:
    configure_logging(name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = None
        if uses_database:
            url = database_url or resolve_database_url(settings)
            await ensure_database(url)
            database = app.state.database = Database.connect(
                url, pool_size=settings.db_pool_size, pre_ping=settings.db_pool_pre_ping, now=now
            )
            # other replicas' writes drop the cached answers they change (shared.cache)
            cache = cache_of(app)
            listening = asyncio.create_task(listen(database.engine, {CHANNEL: cache.listener}, on_connect=cache.drop))
        try:
            # the service's own clients, workers...
            async with resources(app) if resources else contextlib.nullcontext():
                # what start-up made lives as long as the process: out of the collector's full passes, which
                # otherwise walk it all again and again (pauses in bulk OCDS pages: docs/performance.md)
                gc.freeze()
                # and the collector runs less often: a request makes thousands of short-lived objects, nearly
                # all freed by their counts, and frequent passes cost a burst of offers dearly (docs/performance.md)
                gc.set_threshold(*GC_THRESHOLDS)
                yield
        finally:
            if database is not None:
                listening.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listening
                await database.engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        openapi_tags=openapi_tags,
        # a service that publishes another document (the gateway's merged one) routes /openapi.json itself
        openapi_url="/openapi.json" if serves_own_openapi else None,
        docs_url=None,  # served from the package's assets below, not from a CDN
        redoc_url=None,
        # FastAPI's own OpenTelemetry, unused (metrics are Prometheus', logs ours): off, it costs no check of the
        # global providers on every request (docs/performance.md)
        telemetry=NO_TELEMETRY,
    )
    if serves_own_openapi:
        install_docs(app)
    optional_auth_openapi(app)
    app.state.metrics = Metrics(name)
    app.add_middleware(CachedReadsMiddleware)  # innermost: a cached answer is still logged and counted
    app.add_middleware(ConditionalGets)  # an ETag and 304s for every JSON answer that sets none
    app.add_middleware(UnhandledErrorMiddleware)  # innermost of the rest: the access log sees its 500
    app.add_middleware(NulGuardMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(LanguageMiddleware)  # outside every refusal, so each speaks the caller's language
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics)
    install_problem_handlers(app)
    app.include_router(health_router(readiness))
    # A token that is sent is always checked, even on public reads: a bad one is a 401, never silently ignored.
    # An unknown query parameter is a 422, not silently ignored (under /v1).
    for router in routers:
        app.include_router(router, dependencies=[Depends(optional_principal), Depends(refuse_unknown_query)])
    return app
