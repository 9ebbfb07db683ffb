"""Fast JSON answers for hot read paths.

FastAPI validates a returned model against the response model again before serialising it; for large lists that
doubles the work. Routes that build their model from trusted rows return it through `model_response` instead and
declare `response_model=` so the OpenAPI description stays the same.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from fastapi import Response
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
