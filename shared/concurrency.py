"""Optimistic concurrency with ETag / If-Match over an integer version column."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header, Response

from shared.errors import PreconditionFailed, PreconditionRequired


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


def _tags(if_match: str) -> list[str]:
    return [t.strip().removeprefix("W/") for t in if_match.split(",")]


def versions_named(if_match: str) -> frozenset[int] | None:
    """The versions an If-Match names, for a write that checks them in its own statement; None for `*` (any)."""
    tags = _tags(if_match)
    if "*" in tags:
        return None
    return frozenset(int(found.group(1)) for tag in tags if (found := _VERSION_TAG.fullmatch(tag)))


_VERSION_TAG = re.compile(r'"(0|[1-9][0-9]{0,8})"')  # as etag_for writes them; within a 32-bit version column
