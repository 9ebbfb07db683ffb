"""What the routes of a service share: a write's session and caller in one dependency (with If-Match, for a change
of a versioned resource), handed to the service function the route names; the answer carries the ETag of what it
read or wrote.

    async def amend_contract(contract_id: uuid.UUID, data: AmendmentIn, change: ChangeDep) -> ContractOut:
        return ContractOut.model_validate(await change(service.amend_contract, contract_id=contract_id, data=data))

calls `service.amend_contract(session, principal=..., contract_id=..., data=..., if_match=...)` and sets the
ETag of the contract it returns. A service adds what its functions also take from the request (`Write.named`:
commissioning's time now) with dependencies of its own made the same way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Annotated, Any, Protocol, TypeVar

from fastapi import Depends, Response
from pydantic import BaseModel

from shared.auth import CurrentPrincipal, Principal
from shared.concurrency import IfMatchHeader, set_etag
from shared.db import SessionDep, WriteSession
from shared.idempotency import IdempotencyColumns, idempotent


class Versioned(Protocol):
    @property
    def version(self) -> int: ...


T = TypeVar("T")
V = TypeVar("V", bound=Versioned)


def tagged(response: Response, row: V) -> V:
    """The row, with its version as the answer's ETag (for If-Match)."""
    set_etag(response, row.version)
    return row


@dataclass(frozen=True)
class Write:
    """A write's session and caller, and what else every service function of it takes (`named`)."""

    session: WriteSession
    principal: Principal
    response: Response
    named: Mapping[str, Any] = field(default_factory=dict)

    async def __call__(self, function: Callable[..., Awaitable[T]], /, **args: Any) -> T:
        """function(session, principal=..., **named, **args)."""
        return await function(self.session, principal=self.principal, **self.named, **args)

    def tagged(self, row: V) -> V:
        return tagged(self.response, row)


@dataclass(frozen=True)
class Change:
    """A write to a versioned resource: If-Match goes to the service function, the new version's ETag back."""

    write: Write
    if_match: str | None

    async def __call__(self, function: Callable[..., Awaitable[V]], /, **args: Any) -> V:
        """function(session, principal=..., **named, if_match=..., **args), its result's version the ETag."""
        return self.write.tagged(await self.run(function, **args))

    async def run(self, function: Callable[..., Awaitable[T]], /, **args: Any) -> T:
        """The same call, its result as it is (no ETag set)."""
        return await self.write(function, if_match=self.if_match, **args)

    def by(self, principal: Principal) -> Change:
        """The same change, made by another principal (the caller acting for a provider, say)."""
        return Change(replace(self.write, principal=principal), self.if_match)


M = TypeVar("M", bound=BaseModel)


async def created_once(
    write: Write,
    key: str | None,
    data: BaseModel,
    create: Callable[[], Awaitable[M]],
    *,
    out: type[M],
    record: type[IdempotencyColumns],
    route: str,
) -> M:
    """What `create()` answers (201), kept under the request's Idempotency-Key (shared.idempotency): a retry with
    the key gets that answer again, read as `out`. Check who may create first: a retry is not checked again."""
    session, principal, response = write.session, write.principal, write.response
    async with idempotent(session, principal, key, data, response, record=record, route=route) as replay:
        if replay.response is not None:
            return out.model_validate(replay.response)
        created = await create()
        replay.remember(201, created.model_dump(mode="json"))
        return created


async def write_of(session: SessionDep, principal: CurrentPrincipal, response: Response) -> Write:
    return Write(session, principal, response)


WriteDep = Annotated[Write, Depends(write_of)]


async def change_of(write: WriteDep, if_match: IfMatchHeader = None) -> Change:
    return Change(write, if_match)


ChangeDep = Annotated[Change, Depends(change_of)]
