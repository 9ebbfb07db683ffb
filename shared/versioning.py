"""Announcing that an operation or behaviour of /v1 will go: `Deprecation` (RFC 9745, since when) and `Sunset`
(RFC 8594, until when) on every answer, `deprecated: true` in the OpenAPI document, and a `Link` to what replaces
it. Use on the route: `@router.get(..., deprecated=True, dependencies=[Depends(sunset(...))])`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from email.utils import format_datetime

from fastapi import Response


def sunset(*, since: date, until: date, successor: str | None = None) -> Callable[[Response], Awaitable[None]]:
    deprecated_at = int(datetime.combine(since, time.min, UTC).timestamp())
    gone_at = format_datetime(datetime.combine(until, time.min, UTC), usegmt=True)

    async def announce(response: Response) -> None:
        response.headers["Deprecation"] = f"@{deprecated_at}"
        response.headers["Sunset"] = gone_at
        if successor:
            response.headers["Link"] = f'<{successor}>; rel="successor-version"'

    return announce
