"""Rate limiting per client (the bearer token, else the address): 429 with Retry-After.

Counters live in memory (one gateway process), or in Redis when `GATEWAY_REDIS_URL` is set, so that every
replica and worker shares them. The `limits` library keeps them (a sliding window per minute) and expires them.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

import orjson
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.i18n import preferred

EXEMPT = {"/healthz", "/readyz", "/metrics"}
logger = logging.getLogger(__name__)


def client_key(scope: Scope) -> str:
    """One key per client however it writes its header (`bearer`, `Bearer`, extra spaces): the token's hash;
    without a usable bearer token, the address."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").strip().partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return "t:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]
    client = scope.get("client")
    return f"a:{client[0] if client else 'unknown'}"


def limiter_storage(redis_url: str | None) -> Storage:
    if not redis_url:
        return MemoryStorage()
    return RedisStorage(redis_url.removeprefix("async+"), key_prefix="cus-gateway")


class RateLimitMiddleware:
    def __init__(self, app: ASGIApp, *, per_minute: int, storage: Storage | None = None) -> None:
        self.app = app
        self.per_minute = per_minute
        self.item = RateLimitItemPerMinute(max(per_minute, 1))
        self.limiter = SlidingWindowCounterRateLimiter(storage or MemoryStorage())

    async def _retry_after(self, key: str) -> float | None:
        """None when allowed, else seconds to wait. A counter store that does not answer lets requests through
        (and says so in the log): a Redis outage must not take the API down."""
        try:
            if await self.limiter.hit(self.item, "gateway", key):
                return None
            stats = await self.limiter.get_window_stats(self.item, "gateway", key)
        except Exception:  # the store is down: fail open
            logger.warning("rate-limit store unavailable; request let through", exc_info=True)
            return None
        return max(stats.reset_time - time.time(), 1.0)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.per_minute <= 0 or scope["path"] in EXEMPT:
            await self.app(scope, receive, send)
            return
        wait = await self._retry_after(client_key(scope))
        if wait is None:
            await self.app(scope, receive, send)
            return
        retry_after = str(max(1, math.ceil(wait)))
        english = f"Limited to {self.per_minute} requests a minute per client; retry after {retry_after} s."
        polish = f"Limit to {self.per_minute} żądań na minutę na klienta; ponów za {retry_after} s."
        in_polish = preferred(dict(scope["headers"]).get(b"accept-language", b"").decode("latin-1")) == "pl"
        body = orjson.dumps(
            {
                "type": "urn:cus:problem:rate-limited",
                "title": "Zbyt wiele żądań" if in_polish else "Too many requests",
                "status": 429,
                "detail": polish if in_polish else english,
                "detail_en": english,
                "detail_pl": polish,
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
