"""Tokens, roles, the taxonomy's admin rules, health, metrics, request ids, OpenAPI, demo data."""

from __future__ import annotations

import asyncio
import time

import jwt
from sqlalchemy import func, select

from services.catalogue import demo
from services.catalogue.models.offerings import Offering
from services.catalogue.models.providers import Provider
from shared.auth import Role, auth_settings, mint_token
from tests.catalogue.conftest import ADMIN, MUNICIPALITY, NEW_PROVIDER_USER
from tests.catalogue.factories import provider_payload
from tests.helpers import problem


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_token_checked_once_is_still_refused_once_it_expires(client):
    """Verified tokens are kept (a client sends the same one with every request), never past their `exp`."""
    token = mint_token(role=Role.ADMIN, subject="short-lived", ttl_seconds=2)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    assert (await client.get("/v1/areas", headers=bearer(token))).status_code == 200
    assert (await client.get("/v1/areas", headers=bearer(token))).status_code == 200  # from what was kept
    await asyncio.sleep(max(0.0, expires - time.time()) + 0.05)
    body = problem(await client.get("/v1/areas", headers=bearer(token)), 401)
    assert "expired" in body["detail"]


async def test_bad_tokens_are_refused_with_401_even_on_public_reads(client):
    settings = auth_settings()
    now = int(time.time())
    base = {"sub": "u", "role": "admin", "iss": settings.issuer, "aud": settings.audience, "iat": now}
    expired = jwt.encode({**base, "exp": now - 10}, settings.signing_key(), algorithm="HS256")
    forged = jwt.encode({**base, "exp": now + 60}, "not-the-key-" * 4, algorithm="HS256")
    wrong_aud = jwt.encode({**base, "exp": now + 60, "aud": "other"}, settings.signing_key(), algorithm="HS256")
    unknown_role = jwt.encode({**base, "exp": now + 60, "role": "mayor"}, settings.signing_key(), algorithm="HS256")
    municipality_without_terc = jwt.encode(
        {**base, "exp": now + 60, "role": "municipality"}, settings.signing_key(), algorithm="HS256"
    )

    def signed(**claims: object) -> str:
        return jwt.encode({**base, "exp": now + 60, **claims}, settings.signing_key(), algorithm="HS256")

    cases = [
        (bearer(expired), "expired"),
        (bearer(forged), "signature does not verify"),
        (bearer(wrong_aud), "another audience"),
        (bearer("abc.def.ghi"), "not a valid JWT"),
        (bearer(unknown_role), "`role`"),
        (bearer(municipality_without_terc), "TERC"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "Bearer"),
        # signed, but with claims no principal can be made of
        (bearer(signed(role="municipality", terc=2611011)), "`terc`"),
        (bearer(signed(role="municipality", terc=["2611011"])), "`terc`"),
        (bearer(signed(role="regional", voivodeship={"code": "26"})), "`voivodeship`"),
        (bearer(signed(sub="")), "`sub`"),
        (bearer(signed(sub="x" * 256)), "`sub`"),
        (bearer(signed(role="provider", provider_id=12)), "`provider_id`"),
    ]
    for headers, reason in cases:
        body = problem(await client.get("/v1/areas", headers=headers), 401)
        assert reason in body["detail"], body
        assert "jwt" not in body["detail"].lower() or reason == "not a valid JWT", body  # our words, not the library's
        response = await client.post("/v1/providers", json=provider_payload(), headers=headers)
        assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")


async def test_service_types_are_managed_by_admins_only(client):
    body = {
        "code": "sensory-integration",
        "area_code": "disability",
        "name_pl": "terapia integracji sensorycznej",
        "name_en": "sensory integration therapy",
        "unit": "session",
        "target_groups": ["children-youth"],
    }
    problem(await client.post("/v1/service-types", json=body), 401)
    problem(await client.post("/v1/service-types", json=body, headers=MUNICIPALITY), 403)
    problem(await client.post("/v1/service-types", json=body, headers=NEW_PROVIDER_USER), 403)
    problem(await client.post("/v1/service-types", json={**body, "area_code": "space"}, headers=ADMIN), 422)
    problem(await client.post("/v1/service-types", json={**body, "unit": "week"}, headers=ADMIN), 422)
    problem(await client.post("/v1/service-types", json={**body, "code": "Not A Code"}, headers=ADMIN), 422)
    created = await client.post("/v1/service-types", json=body, headers=ADMIN)
    assert created.status_code == 201
    problem(await client.post("/v1/service-types", json=body, headers=ADMIN), 409)
    url = f"/v1/service-types/{created.json()['id']}"
    problem(await client.patch(url, json={"name_en": "SI therapy"}, headers={**ADMIN, "If-Match": '"7"'}), 412)
    changed = await client.patch(url, json={"name_en": "SI therapy"}, headers={**ADMIN, "If-Match": '"1"'})
    assert changed.json()["name_en"] == "SI therapy" and changed.headers["etag"] == '"2"'
    listed = (await client.get("/v1/service-types", params={"area": "disability", "per_page": 100})).json()
    assert "terapia integracji sensorycznej" in {t["name_pl"] for t in listed["items"]}


async def test_taxonomy_has_the_statute_and_a_starting_set(client):
    areas = (await client.get("/v1/areas")).json()
    assert [a["name_pl"] for a in areas][:3] == [
        "polityka prorodzinna",
        "wspieranie rodziny",
        "system pieczy zastępczej",
    ]
    types = (await client.get("/v1/service-types", params={"per_page": 100})).json()
    assert types["total"] >= 25
    assert {t["unit"] for t in types["items"]} == {"hour", "visit", "session", "day", "place-month"}
    assert len({t["area_code"] for t in types["items"]}) == 14
    found = (await client.get("/v1/service-types", params={"q": "uslugi opiekuncze"})).json()
    assert "usługi opiekuńcze" in {t["name_pl"] for t in found["items"]}


async def test_health_readiness_metrics_and_request_ids(client):
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    traced = await client.get("/v1/areas", headers={"X-Request-ID": "trace-123"})
    assert traced.headers["x-request-id"] == "trace-123"
    assert len((await client.get("/v1/areas")).headers["x-request-id"]) == 32
    metrics = (await client.get("/metrics")).text
    assert 'http_requests_total{method="GET",route="/v1/areas",service="catalogue",status="200"}' in metrics
    missing = await client.get("/v1/nothing-here")
    assert problem(missing, 404)["type"] == "urn:cus:problem:not-found"
    problem(await client.put("/v1/areas"), 405)


async def test_openapi_is_a_product(client):
    spec = (await client.get("/openapi.json")).json()
    ids = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert "providers-register-provider" in ids and "offerings-search-offerings" in ids
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            assert op.get("summary"), f"{method} {path} has no summary"
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert spec["components"]["schemas"]["ProviderCreate"]["examples"]


async def test_every_error_answer_is_a_typed_problem_and_public_reads_need_no_client_token(client):
    """What generated SDKs rely on: every 4xx is a problem+json `Problem` (none schema-less, none FastAPI's own
    `HTTPValidationError`), writes require the bearer token, public reads state no requirement."""
    spec = (await client.get("/openapi.json")).json()
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            for status, answer in op["responses"].items():
                if status.startswith("4"):
                    assert answer["content"] == {
                        "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                    }, f"{method} {path} {status}"
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert spec["paths"]["/v1/providers"]["post"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in spec["paths"]["/v1/offerings"]["get"]
    assert "Public: no token needed" in spec["paths"]["/v1/offerings"]["get"]["description"]
    assert spec["paths"]["/hsds/services"]["get"]["operationId"] == "hsds-services"


async def test_the_docs_work_without_internet(client):
    """Swagger UI and ReDoc load their scripts from the service itself: nothing from a CDN."""
    for page, script in (("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")):
        html = (await client.get(page)).text
        assert f"/docs-assets/{script}" in html and "cdn" not in html.lower() and "googleapis" not in html
        asset = await client.get(f"/docs-assets/{script}")
        assert asset.status_code == 200 and len(asset.content) > 500_000


async def test_demo_data_loads_once_and_is_searchable(client, db):
    first = await demo.load_into(db)
    second = await demo.load_into(db)
    assert first["providers_added"] >= 30 and first["offerings_added"] >= 60
    assert second == {"providers_added": 0, "offerings_added": 0}
    forms = set((await db.scalars(select(Provider.legal_form).distinct())).all())
    assert len(forms) >= 10
    assert await db.scalar(select(func.count()).select_from(Offering)) >= 60
    starachowice = (await client.get("/v1/offerings", params={"q": "uslugi opiekuncze", "place": "2611011"})).json()
    kielce = (await client.get("/v1/offerings", params={"q": "uslugi opiekuncze", "place": "2661011"})).json()
    assert starachowice["total"] >= 3 and kielce["total"] >= 3
    pending = (await client.get("/v1/providers", params={"status": "pending"}, headers=ADMIN)).json()
    assert pending["total"] >= 2


async def test_development_token_cli(capsys):
    from tools.token import main

    assert main(["--role", "municipality", "--terc", "2611011"]) == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, auth_settings().signing_key(), algorithms=["HS256"], audience=auth_settings().audience)
    assert claims["role"] == "municipality" and claims["terc"] == "2611011"
    assert mint_token(role=Role.ADMIN)


async def test_text_postgresql_cannot_store_is_refused_with_its_field(client, db):
    body = {
        "code": "nul-test",
        "area_code": "disability",
        "name_pl": "ab\u0000cd",
        "name_en": "ok name",
        "unit": "session",
        "contacts": [{"name": "x\u0000"}],
    }
    response = await client.post("/v1/service-types", json=body, headers=ADMIN)
    problem_body = problem(response, 422)
    assert {e["field"] for e in problem_body["errors"]} == {"name_pl", "contacts.0.name"}
    assert all("NUL" in e["reason"] for e in problem_body["errors"])
    query = problem(await client.get("/v1/offerings", params={"area": "dis\u0000"}), 422)
    assert query["errors"][0] == {"field": "area", "location": "query", "reason": query["errors"][0]["reason"]}
    empty_group = await client.get("/v1/offerings", params={"target_group": "", "area": ""})
    assert empty_group.status_code == 200  # empty filters are no filters


async def test_a_subject_as_long_as_oidc_allows_registers_a_provider(client):
    from tests.catalogue.conftest import auth

    long_subject = auth(Role.PROVIDER, subject="u" * 255)
    created = await client.post("/v1/providers", json=provider_payload(), headers=long_subject)
    assert created.status_code == 201, created.text


async def test_an_unknown_query_parameter_is_refused_not_ignored(client):
    """`?staus=verified` would otherwise list every provider: a typo is a 422 naming the parameter (under /v1;
    HSDS keeps the standard's conventions)."""
    typo = problem(await client.get("/v1/providers", params={"staus": "verified", "q": "razem"}), 422)
    assert [(e["field"], e["location"]) for e in typo["errors"]] == [("staus", "query")]
    assert "status" in typo["errors"][0]["reason"] and "per_page" in typo["errors"][0]["reason"]
    polish = problem(
        await client.get("/v1/offerings", params={"sortuj": "price"}, headers={"Accept-Language": "pl"}), 422
    )
    assert polish["errors"][0]["reason"].startswith("to nie jest parametr tej operacji")
    assert (await client.get("/v1/offerings", params={"sort": "price", "per_page": 5})).status_code == 200
    assert (await client.get("/hsds/services", params={"x_vendor": "1"})).status_code == 200


async def test_vocabularies_answer_304_when_nothing_changed(client):
    """The statutory areas and target groups carry a strong ETag and Cache-Control; sending the ETag back gets a
    304 without a body."""
    for path in ("/v1/areas", "/v1/target-groups"):
        first = await client.get(path)
        etag = first.headers["etag"]
        assert first.status_code == 200 and etag.startswith('"') and "max-age" in first.headers["cache-control"]
        again = await client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        other = await client.get(path, headers={"If-None-Match": '"something-else"'})
        assert other.status_code == 200 and other.json() == first.json()
