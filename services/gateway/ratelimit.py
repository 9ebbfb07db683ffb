"""Rate limiting per client (a token bucket per bearer token, else per address): 429 with Retry-After."""

from __future__ import annotations

import hashlib
import math
import time

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

EXEMPT = {"/healthz", "/readyz", "/metrics"}


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, per_minute: int) -> None:
        self.app = app
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last refill)

    def _key(self, scope: Scope) -> str:
        for name, value in scope["headers"]:
            if name == b"authorization":
                return "t:" + hashlib.sha256(value).hexdigest()[:32]
        client = scope.get("client")
        return f"a:{client[0] if client else 'unknown'}"

    def _take(self, key: str) -> float:
        """0 when allowed, else seconds until a token is available."""
        now = time.monotonic()
        tokens, last = self.buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self.buckets[key] = (tokens - 1, now)
            return 0.0
        self.buckets[key] = (tokens, now)
        return (1 - tokens) / self.rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.capacity <= 0 or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        wait = self._take(self._key(scope))
        if not wait:
            await self.app(scope, receive, send)
            return
        retry_after = str(max(1, math.ceil(wait)))
        body = orjson.dumps(
            {
                "type": "urn:cus:problem:rate-limited",
                "title": "Too many requests",
                "status": 429,
                "detail": f"Limited to {int(self.capacity)} requests a minute per client; retry after {retry_after} s.",
                "instance": scope["path"],
            }
        )
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"retry-after", retry_after.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
