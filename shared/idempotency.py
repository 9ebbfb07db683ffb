"""Idempotency-Key for creating POSTs: a retry with the same key gets the first answer, not a second resource.

The record is written in the same transaction as what the request created, so a request that failed (a 503 when
the catalogue is down, say) leaves no record, and its retry with the same key runs again.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

import orjson
from fastapi import Header, Response
from pydantic import BaseModel
from sqlalchemy import DateTime, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.auth import Principal
from shared.errors import ProblemError

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="A unique key per intended creation (e.g. a UUID). A retry with the same key and body "
        "returns the first answer; the same key with another body is refused.",
    ),
]

REPLAYED_HEADERS = ("location", "etag")


class IdempotencyKeyReused(ProblemError):
    status, slug, title = 422, "idempotency-key-reused", "The Idempotency-Key was used for another request"


@dataclass
class Replay:
    response: dict[str, Any] | None = None
    pending: tuple[int, dict[str, Any]] | None = field(default=None)

    def remember(self, status_code: int, body: dict[str, Any]) -> None:
        self.pending = (status_code, body)


def _hash(scope: str, payload: BaseModel) -> str:
    body = orjson.dumps(payload.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(scope.encode() + b"\n" + body).hexdigest()


class IdempotencyColumns:
    """The columns of a service's idempotency table (each service keeps its own, in its own database)."""

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@asynccontextmanager
async def idempotent(
    session: AsyncSession,
    principal: Principal,
    key: str | None,
    payload: BaseModel,
    response: Response,
    *,
    record: type[IdempotencyColumns],
    scope: str = "",
) -> AsyncIterator[Replay]:
    """Replay the stored answer for a known key, or run the block and store its answer (`Replay.remember`) in the
    same transaction as what it created, in the service's own `record` table."""
    if key is None:
        yield Replay()
        return
    request_hash = _hash(scope or type(payload).__name__, payload)
    stored = await session.get(record, (principal.subject, key))
    if stored is not None:
        if stored.request_hash != request_hash:
            raise IdempotencyKeyReused("This Idempotency-Key was already used with a different request body.")
        response.status_code = stored.status_code
        for name, value in stored.headers.items():
            response.headers[name] = value
        response.headers["Idempotent-Replayed"] = "true"
        yield Replay(response=stored.body)
        return
    replay = Replay()
    yield replay
    if replay.pending is not None:
        status_code, body = replay.pending
        stored = record()
        stored.subject, stored.key, stored.request_hash = principal.subject, key, request_hash
        stored.status_code, stored.body, stored.created_at = status_code, body, datetime.now(UTC)
        stored.headers = {k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}
        session.add(stored)
        await session.flush()
