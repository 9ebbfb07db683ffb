"""Fast JSON answers for hot read paths.

FastAPI validates a returned model against the response model again before serialising it; for large lists that
doubles the work. Routes that build their model from trusted rows return it through `model_response` instead and
declare `response_model=` so the OpenAPI description stays the same.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import orjson
from fastapi import Request, Response
from pydantic import BaseModel


def model_response(model: BaseModel, *, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(model.model_dump_json(), status_code=status_code, headers=headers, media_type="application/json")


def _default(value: Any) -> str:
    # asyncpg returns its own UUID subclass, which orjson serialises only when it is exactly uuid.UUID
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_response(data: Any, *, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Plain data (dicts, lists, str, numbers) as JSON, UTF-8 with diacritics kept as they are."""
    return Response(
        orjson.dumps(data, default=_default, option=orjson.OPT_UTC_Z),
        status_code=status_code,
        headers=headers,
        media_type="application/json",
    )


def json_bytes(data: Any) -> bytes:
    return orjson.dumps(data, default=_default, option=orjson.OPT_UTC_Z)


def etag_of(body: bytes) -> str:
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def revalidated(request: Request, body: bytes, etag: str, *, max_age: int) -> Response:
    """`body` with its ETag and `Cache-Control`, or `304 Not Modified` and no body when the client (or the
    gateway's client) sent that ETag back in `If-None-Match`."""
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}"}
    sent = {tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in sent or "*" in sent:
        return Response(status_code=304, headers=headers)
    return Response(body, headers=headers, media_type="application/json")
