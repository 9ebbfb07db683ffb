"""Idempotency-Key for creating POSTs: a retry with the same key gets the first answer, not a second resource.

A record belongs to the whole principal (role, subject and tenancy claims) and the route: another caller, or the
same key on another route, never gets it. It is written in the same transaction as what the request created, so a
request that failed (a 503 when the catalogue is down, say) leaves no record and its retry runs again. Concurrent
first uses of one key wait for each other (on the record's unique key, claimed first): the first runs, the others
replay its answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any, cast

import orjson
from fastapi import Header, Response
from pydantic import BaseModel
from sqlalchemy import DateTime, Integer, String, Table, Text, and_, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, class_mapper, mapped_column

from shared.auth import Principal
from shared.db import Prepared
from shared.errors import ProblemError

KEY_LENGTHS = (8, 200)  # an Idempotency-Key's shortest and longest

IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=KEY_LENGTHS[0],
        max_length=KEY_LENGTHS[1],
        description="A unique key per intended creation (e.g. a UUID). A retry with the same key and body "
        "returns the first answer; the same key with another body is refused.",
    ),
]

REPLAYED_HEADERS = ("location", "etag")


def acceptable_key(key: str) -> bool:
    """Is it an Idempotency-Key the header accepts (by its length)?"""
    return KEY_LENGTHS[0] <= len(key) <= KEY_LENGTHS[1]


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
    key: Mapped[str] = mapped_column(String(KEY_LENGTHS[1]), primary_key=True)
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
    request_hash = _hash(type(payload).__name__, payload)
    statements = _statements_for(record)
    identity = _identity(principal, route, key)
    # The key is claimed by inserting its record first, answered at the end in the same transaction. A concurrent
    # first use of the key waits on its unique index until this one commits (and then replays it) or rolls back
    # (and then claims it): one statement where an advisory lock and a read took two.
    claimed = await statements.claim.one_or_none_in(
        session, {**identity, "the_request_hash": request_hash, "the_time": datetime.now(UTC)}
    )
    if claimed is None:
        stored = (await session.execute(statements.read, identity)).scalar_one()
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
    if replay.pending is None:  # nothing to answer again: the key is free for another try
        await session.execute(statements.release, identity)
        return
    status_code, body = replay.pending
    headers = {k: v for k, v in response.headers.items() if k.lower() in REPLAYED_HEADERS}
    await statements.answer.one_or_none_in(
        session, {**identity, "the_status_code": status_code, "the_body": body, "the_headers": headers}
    )


def _identity(principal: Principal, route: str, key: str) -> dict[str, str]:
    return {"the_principal": principal_scope(principal), "the_route": route, "the_key": key}


@dataclass(frozen=True)
class KeyedWrite:
    """The same record for a write made in one statement with `Prepared` (no session): the key's record goes in
    already answered, from the statement's own written rows (`answered_record`, with `record_parameters`), or
    the statement fails on the record's unique key. A key used before, or by a concurrent request that has now
    committed, so fails the write, and is left to `idempotent`, which replays it or says it was reused."""

    record: type[IdempotencyColumns]
    principal: Principal
    route: str
    key: str
    payload: BaseModel

    def record_parameters(self, status_code: int, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        """The parameters of `answered_record`: the key, its request and its answer."""
        replayed = {name.lower(): value for name, value in headers.items() if name.lower() in REPLAYED_HEADERS}
        return {
            **_identity(self.principal, self.route, self.key),
            "the_request_hash": _hash(type(self.payload).__name__, self.payload),
            "the_time": datetime.now(UTC),
            "the_status_code": status_code,
            "the_body": body,
            "the_headers": replayed,
        }


def answered_record(record: type[IdempotencyColumns], written: Any) -> Any:
    """A key's record inserted with its answer, once for each row of `written` (a CTE of what the statement
    wrote: none, no record). No ON CONFLICT: a key that has a record fails the whole statement (a unique
    violation), and nothing the statement wrote is kept."""
    table = cast(Table, class_mapper(record).local_table)
    values = select(
        bindparam("the_principal", type_=Text),
        bindparam("the_route", type_=Text),
        bindparam("the_key", type_=String),
        bindparam("the_request_hash", type_=String),
        bindparam("the_status_code", type_=Integer),
        bindparam("the_body", type_=JSONB),
        bindparam("the_headers", type_=JSONB),
        bindparam("the_time", type_=DateTime(timezone=True)),
    ).select_from(written)
    columns = ["principal", "route", "key", "request_hash", "status_code", "body", "headers", "created_at"]
    return insert(table).from_select(columns, values).returning(table.c.key)


@dataclass(frozen=True)
class _Statements:
    claim: Prepared
    read: Any
    answer: Prepared
    release: Any


_STATEMENTS: dict[type[IdempotencyColumns], _Statements] = {}


def _statements_for(record: type[IdempotencyColumns]) -> _Statements:
    """A record table's statements, made once with bound parameters (none built per request)."""
    made = _STATEMENTS.get(record)
    if made is None:
        made = _STATEMENTS[record] = _statements(record)
    return made


def _statements(record: type[IdempotencyColumns]) -> _Statements:
    table = cast(Table, class_mapper(record).local_table)
    identity = and_(
        table.c.principal == bindparam("the_principal"),
        table.c.route == bindparam("the_route"),
        table.c.key == bindparam("the_key"),
    )
    claim = (
        pg_insert(table)
        .values(
            principal=bindparam("the_principal"),
            route=bindparam("the_route"),
            key=bindparam("the_key"),
            request_hash=bindparam("the_request_hash"),
            status_code=0,  # never seen by another transaction: answered, or deleted, before this one commits
            body={},
            headers={},
            created_at=bindparam("the_time", type_=DateTime(timezone=True)),
        )
        .on_conflict_do_nothing(index_elements=[table.c.principal, table.c.route, table.c.key])
        .returning(table.c.key)
    )
    answer = (
        update(table)
        .where(identity)
        .values(
            status_code=bindparam("the_status_code"),
            body=bindparam("the_body", type_=JSONB),
            headers=bindparam("the_headers", type_=JSONB),
        )
        .returning(table.c.key)
    )
    read, release = select(record).where(identity), delete(table).where(identity)
    return _Statements(Prepared(claim), read, Prepared(answer), release)
