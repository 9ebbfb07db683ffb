"""The service app factory: problem handlers, observability, health, database lifecycle, deterministic ids."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from shared.auth import optional_principal
from shared.db import create_engine, create_sessionmaker, ensure_database, resolve_database_url
from shared.errors import install_problem_handlers, problem_response
from shared.observability import Metrics, ObservabilityMiddleware, configure_logging
from shared.settings import ServiceSettings


def operation_id(route: APIRoute) -> str:
    """`{tag}-{function name}`: stable, readable ids for generated SDKs."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}".replace("_", "-")


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/healthz", summary="Liveness: the process is up", include_in_schema=True)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: the database answers")
    async def readyz(request: Request) -> Response:
        try:
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception as exc:  # any failure to reach the database means not ready
            return problem_response(
                503,
                "not-ready",
                "Not ready",
                f"The database does not answer: {type(exc).__name__}.",
                headers={"Retry-After": "5"},
            )
        return JSONResponse({"status": "ready"})

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    return router


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
) -> FastAPI:
    configure_logging(name, settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url or resolve_database_url(settings)
        await ensure_database(url)
        engine = create_engine(url, pool_size=settings.db_pool_size)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.read_sessionmaker = create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))
        try:
            if resources:
                async with resources(app):  # the service's own clients, workers...
                    yield
            else:
                yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        openapi_tags=openapi_tags,
    )
    app.state.metrics = Metrics(name)
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics)
    install_problem_handlers(app)
    app.include_router(health_router())
    # A token that is sent is always checked, even on public reads: a bad one is a 401, never silently ignored.
    for router in routers:
        app.include_router(router, dependencies=[Depends(optional_principal)])
    return app
