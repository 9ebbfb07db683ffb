"""The proxy: every public operation of the catalogue and commissioning, under one /v1 (plus /hsds, /ocds and
/360giving), with the services' own status codes, headers and problem+json bodies."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.proxy.state import state_of
from services.gateway.proxy.upstreams import Upstream, UpstreamResponse
from shared.auth import decode_token
from shared.cache import cache_key, cache_of
from shared.errors import NotFound, ProblemError, Unauthorized, problem_of
from shared.observability import request_id_var

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}
DROPPED_RESPONSE = HOP_BY_HOP | {"x-request-id", "date", "server"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Bodies passed on as they come rather than read whole first: bulk files of any size.
STREAMED = ("/ocds/bulk/",)
PUBLIC = "gateway-public"  # the read cache's topic of the upstreams' public answers kept here
KEPT_BODY_BYTES = 512 * 1024


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "The request body is too large"
    title_pl = "Treść żądania jest zbyt duża"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"Bodies are limited to {limit} bytes.", pl=f"Treść żądania może mieć najwyżej {limit} bajtów."
        )


def check_token(request: Request) -> None:
    """Refuse a bad token, or a write without one, before any upstream is called (services check again)."""
    header = request.headers.get("authorization")
    if header is None:
        if request.method in WRITES:
            raise Unauthorized("This operation needs a bearer token.", pl="Ta operacja wymaga tokenu (Bearer).")
        return
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "The Authorization header must be `Bearer <token>`.",
            pl="Nagłówek Authorization ma postać `Bearer <token>`.",
        )
    decode_token(token.strip())


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(limit)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(limit)
    return body


async def forward(request: Request, upstream: Upstream, path: str) -> Response:
    body = await read_body(request, state_of(request.app).settings.max_body_bytes) if request.method in WRITES else None
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    headers["x-request-id"] = request_id_var.get() or ""
    headers["x-forwarded-for"] = request.client.host if request.client else ""
    headers["x-forwarded-proto"] = request.url.scheme
    streamed = request.method == "GET" and path.startswith(STREAMED)
    cache = cache_of(request.app)
    generation = cache.generation(PUBLIC)
    result = await upstream.request(
        request.method, path, query=request.url.query, headers=headers, body=body, route="proxy", stream=streamed
    )
    if request.method in WRITES and result.status < 400:
        cache.drop(PUBLIC)  # read your writes through this gateway
    elif request.method == "GET" and "authorization" not in request.headers and result.chunks is None:
        max_age = public_max_age(result)
        if max_age:
            route = request.scope.get("route")
            cache.put(PUBLIC, cache_key(request.scope), result.body, generation, max_age=max_age, route=route)
    response: Response = (
        StreamingResponse(result.chunks, status_code=result.status)
        if result.chunks is not None
        else Response(content=result.body, status_code=result.status)
    )
    for name, value in result.headers:
        if name.lower() not in DROPPED_RESPONSE:
            response.headers.append(name, value)
    return response


def public_max_age(result: UpstreamResponse) -> int:
    """The max-age of an answer any client may be given from here (a 200 JSON `Cache-Control: public` answer that
    varies by nothing but the origin and sets nothing), or 0. The gateway's read cache then serves it to anonymous
    GETs of the same address (shared.cache.CachedReadsMiddleware), ETag and 304 included."""
    if result.status != 200 or len(result.body) > KEPT_BODY_BYTES:
        return 0
    headers = {name.lower(): value for name, value in result.headers}
    directives = {d.strip().lower() for d in headers.get("cache-control", "").split(",")}
    varies = {v.strip().lower() for v in headers.get("vary", "").split(",") if v.strip()}
    if (
        "public" not in directives
        or not headers.get("content-type", "").startswith("application/json")
        or "content-encoding" in headers
        or "set-cookie" in headers
        or not varies <= {"origin", "accept-encoding"}
    ):
        return 0
    ages = [d.removeprefix("max-age=") for d in directives if d.startswith("max-age=")]
    return int(ages[0]) if ages and ages[0].isdigit() else 0


PROXIED = ("/v1/", "/hsds/", "/ocds/", "/360giving/")


async def proxied(request: Request) -> Response:
    """A request passed on to the upstream that publishes its path, as it came, and its answer as it went."""
    path = request.url.path
    check_token(request)  # before anything else: a bad token costs no upstream call
    routes = state_of(request.app).routes
    upstream = await routes.upstream_for(path) if routes else None
    if upstream is None:
        raise NotFound(f"No operation at {path}.", pl=f"Pod adresem {path} nie ma żadnej operacji.")
    return await forward(request, upstream, path)


def proxy_router() -> APIRouter:
    router = APIRouter()
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]

    async def proxy(request: Request) -> Response:
        return await proxied(request)

    for prefix in PROXIED:
        router.add_api_route(f"{prefix}{{rest:path}}", proxy, methods=methods, include_in_schema=False)
    router.add_api_route("/hsds/", proxy, methods=["GET"], include_in_schema=False)
    return router


class WritesFirst:
    """Writes under the proxied prefixes go to the proxy before FastAPI's routing, dependencies and exception
    middleware: the gateway has no route of its own that takes them (`own_writes` says which methods it has, and
    those are left to the router), so where they go is known from the method and the path alone. The same
    `proxied` runs, refusals are the same problem+json, and the metrics and logs name the same route; what is
    spared is FastAPI's work per write (the burst of offers at a deadline is all writes; docs/performance.md).
    Innermost of the middleware: rate limits, CORS, request ids, language and body limits apply as before."""

    def __init__(self, app: ASGIApp, *, routes: dict[str, BaseRoute], methods: frozenset[str]) -> None:
        self.app, self.routes, self.methods = app, routes, methods

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = _proxied_prefix(scope) if scope["type"] == "http" and scope["method"] in self.methods else None
        if prefix is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = self.routes[prefix]  # what the router would have matched: the metrics' label
        try:
            response = await proxied(Request(scope, receive))
        except ProblemError as exc:
            response = problem_of(exc, scope["path"])
        await response(scope, receive, send)


def _proxied_prefix(scope: Scope) -> str | None:
    path: str = scope["path"]
    return next((prefix for prefix in PROXIED if path.startswith(prefix) and len(path) > len(prefix)), None)


def by_prefix(proxy: APIRouter) -> dict[str, BaseRoute]:
    """The proxy's route of each prefix."""
    routes = {getattr(route, "path", ""): route for route in proxy.routes}
    return {prefix: routes[f"{prefix}{{rest:path}}"] for prefix in PROXIED}


def own_writes(routes: Iterable[BaseRoute], proxy: APIRouter) -> frozenset[str]:
    """Write methods that a route of the gateway's own (not the proxy's) takes under a proxied prefix:
    `WritesFirst` leaves those to the router."""
    taken: set[str] = set()
    for route in routes:
        inner = getattr(route, "original_router", None)  # a router included whole
        if inner is not None:
            taken |= own_writes(inner.routes, proxy) if inner is not proxy else set()
        elif getattr(route, "path", "").startswith(PROXIED):
            taken |= set(getattr(route, "methods", None) or ()) & WRITES
    return frozenset(taken)
