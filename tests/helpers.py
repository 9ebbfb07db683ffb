"""What tests of every part use: reading answers (a problem, a plain JSON answer), waiting for a condition, a
token's subject, the routes of an app, a probe app with a bug, an app in-process, OCDS and 360Giving validation."""

from __future__ import annotations

import copy
import json
import socket
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
import jwt
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from jsonschema import Draft4Validator, Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from shared.app import create_service_app
from shared.errors import ProblemError
from shared.settings import ServiceSettings
from tests.conftest import STANDARDS


def problem(response, status: int) -> dict:
    """The RFC 9457 problem an answer is, with this status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"].startswith("urn:cus:problem:") and body["detail"]
    return body


def ok(response: httpx.Response, status: int = 200) -> Any:
    """The JSON of an answer with this status."""
    assert response.status_code == status, (response.request.method, response.request.url, response.text)
    return response.json()


def wait_until(check: Any, seconds: float = 10) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError("the condition was not met in time")


def subject_of(headers: dict[str, str]) -> str:
    """The subject of the token in these headers."""
    token = headers["Authorization"].removeprefix("Bearer ")
    return str(jwt.decode(token, options={"verify_signature": False})["sub"])


def api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    """An app's routes, those of its included routers too."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router
            yield from api_routes(route.original_router.routes)
        elif hasattr(route, "routes"):
            yield from api_routes(route.routes)


async def always_ready(_: FastAPI) -> str | None:
    return None


def probe_app() -> FastAPI:
    """A service app with a bug in two routes (`/boom`, and a catalogue path for the gateway's tests) and a fine one."""
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> dict[str, str]:
        raise RuntimeError("a bug")

    @router.get("/v1/areas")  # a catalogue path with the same bug, for the gateway's tests
    async def areas() -> dict[str, str]:
        raise RuntimeError("a bug")

    @router.get("/fine")
    async def fine() -> dict[str, str]:
        return {"status": "fine"}

    return create_service_app(
        name="probe",
        title="probe",
        description="",
        settings=ServiceSettings(log_json=False),
        routers=[router],
        uses_database=False,
        readiness=always_ready,
    )


@asynccontextmanager
async def running(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway in-process (its upstreams are real URLs: the stack's services, or nothing)."""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield client


OCDS = STANDARDS / "ocds-1.1.5"
EXTENSIONS = STANDARDS / "ocds-extensions"
RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON Merge Patch, as OCDS extensions are applied."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def release_schema() -> dict[str, Any]:
    schema = json.loads((OCDS / "release-schema.json").read_text())
    for extension in ("lots", "bids"):
        schema = merge_patch(schema, json.loads((EXTENSIONS / extension / "release-schema.json").read_text()))
    return schema


def package_validator(name: str) -> Draft4Validator:
    registry: Registry[Any] = Registry().with_resource(
        RELEASE_URL, Resource.from_contents(release_schema(), default_specification=DRAFT4)
    )
    schema = json.loads((OCDS / name).read_text())
    return Draft4Validator(schema, registry=registry, format_checker=FormatChecker())


def assert_valid(name: str, document: dict[str, Any], validator: Validator | None = None) -> None:
    """The document is valid by the OCDS package schema of this name (the lots and bids extensions merged in), or
    by the validator given."""
    errors = sorted((validator or package_validator(name)).iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:8]]


GIVING = STANDARDS / "360giving-1.4.3"
DATES = FormatChecker()


@DATES.checks("date-time")
def _is_date_time(value: object) -> bool:
    """RFC 3339 date-times (360Giving's dates are `oneOf` a date-time or a day: the format must be checked)."""
    if not isinstance(value, str):
        return True
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return "T" in value and moment.tzinfo is not None


def giving_validator(name: str) -> Draft202012Validator:
    """A validator by the 360Giving 1.4.3 schema of this name (the package's grants resolved to the grant schema)."""
    grant = json.loads((GIVING / "360-giving-schema.json").read_text())
    package = json.loads((GIVING / "360-giving-package-schema.json").read_text())
    resource = DRAFT202012.create_resource(grant)  # its `$schema` lacks the https of the dialect's id
    registry: Registry[Any] = Registry().with_resources(
        [(grant["$id"], resource), (package["properties"]["grants"]["items"]["$ref"], resource)]
    )
    schema = grant if name == "360-giving-schema.json" else package
    return Draft202012Validator(schema, registry=registry, format_checker=DATES)


def until_closed(port: int, parts: list[bytes], pause: float = 0.0) -> tuple[bytes, float]:
    """Sends the parts (a pause between them), then reads until the server closes; what came and when it closed."""
    with socket.create_connection(("127.0.0.1", port)) as raw:
        raw.settimeout(10)
        started = time.monotonic()
        for part in parts:
            raw.sendall(part)
            time.sleep(pause)
        data = b""
        while chunk := raw.recv(65536):
            data += chunk
        return data, time.monotonic() - started


SLOW_BODY = b"POST /fine HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"


# JSON nested 5 000 levels deep with a NUL in it
DEEP_WITH_NUL = ('{"name": "\\u0000", "contacts": ' + "[" * 5000 + "]" * 5000 + "}").encode()


def refusal(exc: ProblemError) -> tuple[Any, ...]:
    """What the caller reads of a refusal."""
    errors = [e.model_dump() for e in exc.errors or []]
    return exc.status, exc.slug, exc.detail, exc.detail_pl, errors, exc.extensions


async def refused(write: Awaitable[Any]) -> tuple[Any, ...] | None:
    try:
        await write
    except ProblemError as exc:
        return refusal(exc)
    return None
