"""Optimistic concurrency with ETag / If-Match over an integer version column."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from inspect import isawaitable
from typing import Annotated, Any, TypeVar

from fastapi import Header, Response
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db import Versioned
from shared.errors import NotFound, PreconditionFailed, PreconditionRequired

V = TypeVar("V", bound=Versioned)


def etag_for(version: int) -> str:
    return f'"{version}"'


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = etag_for(version)


IfMatchHeader = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag you last read. Required for writes; a stale one is refused with 412.",
        examples=['"1"'],
    ),
]


def check_if_match(if_match: str | None, current_version: int) -> None:
    """428 without If-Match, 412 when it names another version (`*` matches any)."""
    if if_match is None:
        raise PreconditionRequired(
            "Send If-Match with the ETag of the version you are changing.",
            pl="Wyślij nagłówek If-Match z ETagiem zmienianej wersji.",
        )
    tags = _tags(if_match)
    if "*" in tags or etag_for(current_version) in tags:
        return
    raise PreconditionFailed(
        f"The resource is at version {etag_for(current_version)}, not {if_match}: read it again and retry.",
        pl=f"Zasób ma wersję {etag_for(current_version)}, nie {if_match}: odczytaj go ponownie i ponów zmianę.",
        current_etag=etag_for(current_version),
    )


async def load_for_write(
    session: AsyncSession,
    model: type[V],
    key: Any,
    *,
    if_match: str | None,
    missing: NotFound,
    may_write: Callable[[V], bool | Awaitable[bool]] | None = None,
    lock: bool = True,
) -> V:
    """The row to change, read anew under its row lock (`lock`); `missing`, the caller's 404, when there is none or
    `may_write` says the caller may not write it (it raises another refusal itself, a 403, where the row may be
    known to exist); then If-Match against its version (`"*"` for a write that asks for no precondition)."""
    row = await session.get(model, key, with_for_update=lock or None, populate_existing=lock)
    if row is None:
        raise missing
    if may_write is not None:
        allowed = may_write(row)
        if not (await allowed if isawaitable(allowed) else allowed):
            raise missing
    check_if_match(if_match, row.version)
    return row


def _tags(if_match: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in if_match.split(",")]


def versions_named(if_match: str) -> frozenset[int] | None:
    """The versions an If-Match names, for a write that checks them in its own statement; None for `*` (any)."""
    tags = _tags(if_match)
    if "*" in tags:
        return None
    return frozenset(int(found.group(1)) for tag in tags if (found := _VERSION_TAG.fullmatch(tag)))


_VERSION_TAG = re.compile(r'"(0|[1-9][0-9]{0,8})"')  # as etag_for writes them; within a 32-bit version column
