"""The gateway's own behaviour: same answers as the services, tokens checked first, limits, CORS, breakers,
readiness, metrics, and one merged OpenAPI document."""

from __future__ import annotations

import asyncio
import time

import httpx
from fastapi import APIRouter, FastAPI

from services.gateway.main import create_app
from services.gateway.proxy.router import WritesFirst, own_writes, proxy_router
from services.gateway.proxy.state import state_of
from services.gateway.settings import GatewaySettings
from shared.auth import Role, mint_token
from tests.e2e.conftest import Stack, gateway_before
from tests.helpers import running

DEAD = "http://127.0.0.1:9"  # nothing listens there


def test_proxied_answers_are_the_services_own(stack: Stack, gateway: httpx.Client):
    direct = httpx.get(f"{stack.catalogue.url}/v1/offerings/00000000-0000-0000-0000-000000000000")
    proxied = gateway.get("/v1/offerings/00000000-0000-0000-0000-000000000000")
    assert proxied.status_code == direct.status_code == 404
    assert proxied.headers["content-type"] == direct.headers["content-type"] == "application/problem+json"
    assert proxied.json()["type"] == direct.json()["type"]
    areas = gateway.get("/v1/areas")
    assert areas.status_code == 200 and len(areas.json()) == 14
    assert gateway.get("/hsds/").json()["version"] == "3.0"
    assert gateway.get("/ocds/releases").json()["version"] == "1.1"
    assert gateway.get("/360giving/grants").json()["version"] == "1.4"
    assert gateway.get("/360giving/grants/360G-cus-none").json()["detail_en"].startswith("No published grant")
    assert gateway.get("/v1/nothing").status_code == 404


def test_cors_for_browsers(gateway: httpx.Client):
    preflight = gateway.options(
        "/v1/offerings", headers={"Origin": "https://portal.example.pl", "Access-Control-Request-Method": "GET"}
    )
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == "*"
    simple = gateway.get("/v1/areas", headers={"Origin": "https://portal.example.pl"})
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "ETag" in simple.headers["access-control-expose-headers"]


def test_merged_openapi_document(gateway: httpx.Client):
    document = gateway.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    operations = [op for path in document["paths"].values() for op in path.values()]
    ids = [op["operationId"] for op in operations]
    assert len(ids) == len(set(ids)) > 80
    for path in (
        "/v1/offerings",
        "/v1/calls/{call_id}/offers",
        "/hsds/services",
        "/ocds/releases",
        "/360giving/grants",
        "/v1/municipalities/{terc}/overview",
        "/v1/providers/{provider_id}/opportunities",
    ):
        assert path in document["paths"], path
    assert "HTTPBearer" in document["components"]["securitySchemes"]
    assert document["components"]["schemas"]["ProviderCreate"]["examples"]
    assert all(op.get("summary") for op in operations)
    docs = gateway.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()
    assert gateway.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert "/docs-assets/redoc.standalone.js" in gateway.get("/redoc").text


def test_readiness_and_metrics(gateway: httpx.Client):
    assert gateway.get("/readyz").json() == {"status": "ready"}
    gateway.get("/v1/areas")
    metrics = gateway.get("/metrics").text
    assert 'gateway_upstream_duration_seconds_count{route="proxy",upstream="catalogue"}' in metrics
    assert 'http_requests_total{method="GET",route="/v1/{rest:path}",service="gateway",status="200"}' in metrics


def test_writes_skip_the_routing_and_answer_as_the_router_would(gateway: httpx.Client):
    """Writes go to the proxy before FastAPI's routing (WritesFirst): refusals are the same problem+json, in the
    caller's language, and the metrics count them under the proxy's route."""
    polish = {"Accept-Language": "pl"}
    missing = gateway.post("/v1/providers", json={}, headers=polish)
    assert missing.status_code == 401 and missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["detail"] == "Ta operacja wymaga tokenu (Bearer)." and missing.json()["instance"] == (
        "/v1/providers"
    )
    token = {"Authorization": f"Bearer {mint_token(role=Role.PROVIDER)}"}
    nowhere = gateway.put("/v1/nie-ma-takiej-operacji", json={}, headers={**token, **polish})
    assert nowhere.status_code == 404 and nowhere.json()["title"] == "Nie znaleziono"
    assert nowhere.headers["x-request-id"]
    refused = gateway.post("/v1/providers", json={"name": ""}, headers=token)  # the catalogue's own refusal
    assert refused.status_code == 422 and refused.json()["type"] == "urn:cus:problem:validation"
    metrics = gateway.get("/metrics").text
    assert 'http_requests_total{method="POST",route="/v1/{rest:path}",service="gateway",status="401"}' in metrics
    assert 'http_requests_total{method="PUT",route="/v1/{rest:path}",service="gateway",status="404"}' in metrics


def test_a_write_route_of_the_gateways_own_is_left_to_the_router():
    proxy, own = proxy_router(), APIRouter(prefix="/v1")
    own.add_api_route("/views/refresh", lambda: None, methods=["POST"])
    app = FastAPI()
    app.include_router(proxy)
    assert own_writes(app.routes, proxy) == frozenset()  # the proxy's own routes are not counted
    app.include_router(own)
    assert own_writes(app.routes, proxy) == {"POST"}
    first = next(m for m in create_app().user_middleware if m.cls is WritesFirst)
    assert first.kwargs["methods"] == {"POST", "PUT", "PATCH", "DELETE"}  # the views and feeds only read


async def test_tokens_are_refused_before_any_upstream_is_called():
    app = create_app(GatewaySettings(catalogue_url=DEAD, commissioning_url=DEAD))
    expired = mint_token(role=Role.ADMIN, ttl_seconds=-10)
    async with running(app) as client:
        missing = await client.post("/v1/providers", json={})
        assert missing.status_code == 401  # not 503: the dead upstream was never called
        bad = await client.get("/v1/areas", headers={"Authorization": f"Bearer {expired}"})
        assert bad.status_code == 401 and "expired" in bad.json()["detail"]
        down = await client.get("/v1/areas")
        assert down.status_code == 503 and down.headers["retry-after"]


async def test_the_circuit_breaker_opens_and_stops_calling(stack: Stack):
    app = gateway_before(stack, breaker_failures=3, breaker_reset_seconds=30, read_retries=0)
    async with running(app) as client:
        state_of(app).upstreams["catalogue"].base_url = DEAD  # the catalogue dies after the gateway learnt its routes
        for _ in range(3):
            assert (await client.get("/v1/areas")).status_code == 503
        started = time.perf_counter()
        opened = await client.get("/v1/areas")
        assert opened.status_code == 503 and "not calling it" in opened.json()["detail"]
        assert int(opened.headers["retry-after"]) > 20 and time.perf_counter() - started < 0.05
        assert (await client.get("/v1/rules")).status_code == 200  # the other upstream is unaffected


async def test_rate_limits_and_body_limits(stack: Stack):
    app = gateway_before(stack, rate_limit_per_minute=5, max_body_bytes=1000)
    token = {"Authorization": f"Bearer {mint_token(role=Role.PROVIDER)}"}
    async with running(app) as client:
        big = await client.post(
            "/v1/providers",
            content=b"{" + b" " * 2000 + b"}",
            headers={**token, "Content-Type": "application/json"},
        )
        assert big.status_code == 413 and big.headers["content-type"] == "application/problem+json"
        statuses = [(await client.get("/v1/areas", headers=token)).status_code for _ in range(6)]
        assert statuses[:4] == [200] * 4 and statuses[-1] == 429
        limited = await client.get("/v1/areas", headers=token)
        assert limited.headers["retry-after"] and limited.json()["type"] == "urn:cus:problem:rate-limited"
        other_client = await client.get("/v1/areas")  # another client (no token: by address) has its own budget
        assert other_client.status_code in (200, 429)


async def test_views_answer_with_what_they_have_when_a_service_is_slow_or_down(stack: Stack):
    admin = {"Authorization": f"Bearer {mint_token(role=Role.ADMIN)}"}
    async with httpx.AsyncClient() as direct:
        await direct.post(
            f"{stack.commissioning.url}/v1/municipalities",
            headers=admin,
            json={"terc": "2611032", "name": "Gmina Mirzec", "cus_name": "GOPS Mirzec"},
        )
    app = create_app(
        GatewaySettings(catalogue_url=DEAD, commissioning_url=stack.commissioning.url, part_timeout_seconds=0.5)
    )
    async with running(app) as client:
        started = time.perf_counter()
        overview = await client.get("/v1/municipalities/2611032/overview")
        assert time.perf_counter() - started < 3
        assert overview.status_code == 200
        body = overview.json()
        assert {m["part"] for m in body["missing"]} >= {"providers", "offerings"}
        assert body["municipality"]["name"] == "Gmina Mirzec" and body["open_calls"]["total"] == 0
        profile = await client.get("/v1/providers/00000000-0000-0000-0000-000000000001/profile")
        assert profile.status_code == 200 and {m["part"] for m in profile.json()["missing"]} >= {"provider"}
    await asyncio.sleep(0)


def test_every_path_of_the_merged_document_is_reachable_through_the_gateway(gateway: httpx.Client):
    """The routes are learnt from the services' documents: no published path is the gateway's own 404."""
    admin = {"Authorization": f"Bearer {mint_token(role=Role.ADMIN)}"}
    values = {"terc": "2611011", "ocid": "ocds-cus000-none"}
    document = gateway.get("/openapi.json").json()
    reached = 0
    for template, operations in document["paths"].items():
        path = template
        for name in [part.split("}")[0] for part in template.split("{")[1:]]:
            path = path.replace("{" + name + "}", values.get(name, "00000000-0000-0000-0000-000000000000"))
        for method in operations:
            answer = gateway.request(method.upper(), path, headers=admin, json={} if method != "get" else None)
            assert answer.status_code != 503, (method, path, answer.text)
            if answer.status_code == 404:
                assert not answer.json()["detail"].startswith("No operation at"), (method, path)
            reached += 1
    assert reached > 80
    assert gateway.get("/v1/places", params={"q": "Starachowice"}).status_code == 200  # once a 404 here


def test_a_304_comes_through_the_gateway(gateway: httpx.Client):
    # the cached vocabularies, and every other JSON read: published calls, HSDS lists, the gateway's own views
    paths = ("/v1/areas", "/v1/rules", "/v1/rules/sources", "/v1/calls", "/hsds/services", "/hsds/organizations")
    for path in (*paths, "/v1/municipalities/2611011/overview"):
        first = gateway.get(path)
        assert first.status_code == 200, first.text
        again = gateway.get(path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b"", path
        stale = gateway.get(path, headers={"If-None-Match": '"an-answer-of-before"'})
        assert stale.status_code == 200 and stale.content == first.content, path


async def test_public_answers_are_kept_a_while_and_forgotten_on_a_write(stack: Stack):
    """An anonymous GET answered `public` is answered by the gateway itself for its seconds (an ETag's 304 too); a
    token always goes to the service; a write through the gateway forgets what it kept."""
    admin = {"Authorization": f"Bearer {mint_token(role=Role.ADMIN, subject='admin-cache')}"}

    def service_type(code: str) -> dict[str, object]:
        return {
            "code": code,
            "area_code": "disability",
            "name_pl": "terapia ręką – próba pamięci bramy",
            "name_en": "gateway cache trial",
            "unit": "session",
            "target_groups": ["children-youth"],
        }

    path = "/v1/service-types?area=disability&per_page=100"
    async with running(gateway_before(stack, public_cache_seconds=60)) as gw:
        first = await gw.get(path)
        assert first.status_code == 200 and first.headers["cache-control"].startswith("public, max-age=")
        async with httpx.AsyncClient(base_url=stack.catalogue.url) as behind:  # written behind the gateway's back
            made = await behind.post("/v1/service-types", json=service_type("gw-cache-one"), headers=admin)
        assert made.status_code == 201, made.text
        kept = await gw.get(path)
        assert kept.content == first.content  # answered from what the gateway kept
        assert (await gw.get(path, headers={"If-None-Match": first.headers["etag"]})).status_code == 304
        with_token = await gw.get(path, headers=admin)
        assert "gw-cache-one" in with_token.text  # a token goes to the service
        through = await gw.post("/v1/service-types", json=service_type("gw-cache-two"), headers=admin)
        assert through.status_code == 201, through.text
        fresh = await gw.get(path)
        assert "gw-cache-one" in fresh.text and "gw-cache-two" in fresh.text  # the write made it forget


def test_a_nul_in_the_path_and_json_nested_too_deep_are_refused_at_the_gateway(stack: Stack, gateway: httpx.Client):
    from tests.helpers import DEEP_WITH_NUL

    token = {"Authorization": f"Bearer {mint_token(role=Role.PROVIDER)}", "Content-Type": "application/json"}
    for base in (stack.gateway.url, stack.catalogue.url):  # the write skips the gateway's routing (WritesFirst)
        deep = httpx.post(f"{base}/v1/providers", content=DEEP_WITH_NUL, headers=token)
        assert deep.status_code == 422 and deep.headers["content-type"] == "application/problem+json", deep.text
        assert deep.json()["errors"][0]["field"] == "body"
    for base in (stack.gateway.url, stack.commissioning.url):
        record = httpx.get(f"{base}/ocds/records/abc%00def")
        assert record.status_code == 422 and record.headers["content-type"] == "application/problem+json"
        assert record.json()["errors"][0]["field"] == "path"


async def test_a_body_that_stops_arriving_is_a_408_on_every_service(stack: Stack):
    from tests.helpers import SLOW_BODY, until_closed

    services = (stack.gateway, stack.commissioning, stack.catalogue)
    answers = await asyncio.gather(
        *(asyncio.to_thread(until_closed, s.port, [SLOW_BODY + b"\r\n" + b"0123456789"]) for s in services)
    )
    for service, (data, took) in zip(services, answers, strict=True):
        assert data.startswith(b"HTTP/1.1 408") and b"connection: close" in data, (service.name, data)
        assert 3 <= took < 8, (service.name, took)  # the stack's bound (HTTP_REQUEST_TIMEOUT_SECONDS), not forever
