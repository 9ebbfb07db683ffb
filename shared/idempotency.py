"""Idempotency-Key for creating POSTs: a retry with the same key gets the first answer, not a second resource.

A record belongs to the whole principal (role, subject and tenancy claims) and the route: another caller, or the
same key on another route, never gets it. It is written in the same transaction as what the request created, so a
request that failed (a 503 when the catalogue is down, say) leaves no record and its retry runs again. Concurrent
first uses of one key wait for each other (a transaction-level advisory lock): the first runs, the others replay
its answer.
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
from sqlalchemy import DateTime, Integer, String, Text, text
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

    principal: Mapped[str] = mapped_column(Text, primary_key=True)
    route: Mapped[str] = mapped_column(Text, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def principal_scope(principal: Principal) -> str:
    """Everything that makes a caller who it is: two principals differing in any claim never share a record."""
    return "|".join(
        [
            principal.role.value,
            principal.subject,
            f"terc={principal.terc or ''}",
            f"provider={principal.provider_id or ''}",
            f"voivodeship={principal.voivodeship or ''}",
        ]
    )


@asynccontextmanager
async def idempotent(
    session: AsyncSession,
    principal: Principal,
    key: str | None,
    payload: BaseModel,
    response: Response,
    *,
    record: type[IdempotencyColumns],
    route: str,
) -> AsyncIterator[Replay]:
    """Replay the stored answer for a known key, or run the block and store its answer (`Replay.remember`) in the
    same transaction as what it created, in the service's own `record` table. `route` names the operation
    (`POST /v1/calls`). Check who may do the operation before entering: a replay does not check again."""
    if key is None:
        yield Replay()
        return
    owner = principal_scope(principal)
    request_hash = _hash(type(payload).__name__, payload)
    # The same key's first uses, concurrent: the first holds this lock until it commits; the others then replay.
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:id, 0))"), {"id": f"{owner}\n{route}\n{key}"}
    )
    stored = await session.get(record, (owner, route, key))
    if stored is not None:
        if stored.request_hash != request_hash:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was already used with a different request body.",
                pl="Ten Idempotency-Key użyto już z inną treścią żądania.",
            )
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
        stored.principal, stored.route, stored.key, stored.request_hash = owner, route, key, request_hash
        stored.status_code, stored.body, stored.created_at = status_code, body, datetime.now(UTC)
        stored.headers = {k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}
        session.add(stored)
        await session.flush()
