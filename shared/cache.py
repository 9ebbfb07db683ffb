"""An in-process cache of public answers that rarely change (vocabularies, service types, rules), kept right by
the service's own writes on every replica.

A write to what a cached answer is made of calls `invalidate(session, topic)`: the local entries of that topic are
dropped at once, and a NOTIFY on the channel `read_cache`, sent when the write's transaction commits, drops them on
every replica listening to the same database (the same one-connection listener as the outbox's). A read that
began before an invalidation does not store what it read (generations), and entries live at most `ttl` seconds in
any case, so a replica whose listener was down a moment cannot serve a stale answer for long.

Answers carry a strong ETag of their bytes; `If-None-Match` with it is a 304 without a body. `TopicMemo` keeps
other values read from the database (not answers) under the same invalidation.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import FastAPI, Request, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import Message, Receive, Scope, Send

from shared.middleware import HttpMiddleware
from shared.responses import etag_of, json_bytes, revalidated

CHANNEL = "read_cache"


@dataclass
class Entry:
    topic: str
    body: bytes
    etag: str
    max_age: int
    expires: float
    route: Any = None  # the route that made it, for the metrics of answers served before routing


def cache_key(scope: Scope) -> str:
    return f"{scope['path']}?{scope.get('query_string', b'').decode('latin-1')}"


@dataclass
class ReadCache:
    ttl: float = 60.0
    max_entries: int = 1024
    entries: dict[str, Entry] = field(default_factory=dict)
    generations: dict[str, int] = field(default_factory=dict)
    resets: int = 0  # drops of everything (a listener that reconnected may have missed invalidations)
    # topics that every write of this service drops (a table trigger's NOTIFY drops them on the other replicas,
    # at the commit): here at once, when the write answers, so the writer reads what it wrote
    dropped_by_writes: set[str] = field(default_factory=set)
    hits: int = 0
    misses: int = 0

    def get(self, key: str) -> Entry | None:
        entry = self.entries.get(key)
        if entry is None or entry.expires < time.monotonic():
            self.misses += 1
            return None
        self.hits += 1
        return entry

    def generation(self, topic: str) -> int:
        """Grows on every drop of the topic, or of everything."""
        return self.generations.get(topic, 0) + self.resets

    def put(
        self, topic: str, key: str, body: bytes, generation: int, *, max_age: int, route: Any, fresh_for: float = 0
    ) -> Entry:
        """Kept `ttl` seconds at most, or `fresh_for` if fewer (an answer that time itself changes)."""
        kept_for = min(self.ttl, fresh_for) if fresh_for > 0 else self.ttl
        entry = Entry(topic, body, etag_of(body), max_age, time.monotonic() + kept_for, route)
        if generation == self.generation(topic):  # nothing was invalidated while it was being read
            if len(self.entries) >= self.max_entries:
                self.entries.clear()
            self.entries[key] = entry
        return entry

    def drop(self, topic: str | None = None) -> None:
        """Forget a topic (None: everything)."""
        if topic is None:
            self.resets += 1
            self.entries = {}
            return
        self.generations[topic] = self.generations.get(topic, 0) + 1
        self.entries = {k: e for k, e in self.entries.items() if e.topic != topic}

    def listener(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        """asyncpg's LISTEN callback: another transaction (of any replica) changed `payload`'s topic."""
        self.drop(payload or None)


K = TypeVar("K")
V = TypeVar("V")


@dataclass
class TopicMemo(Generic[K, V]):
    """Values read from the database, kept per key until `topic` is invalidated (by a write on any replica, as for
    answers) or for `ttl` seconds at most."""

    cache: ReadCache
    topic: str
    ttl: float = 30.0
    max_entries: int = 10_000
    values: dict[K, tuple[V, int, float]] = field(default_factory=dict)  # key -> (value, generation, expires)

    async def get(self, key: K, load: Callable[[], Awaitable[V]]) -> V:
        generation = self.cache.generation(self.topic)
        kept = self.values.get(key)
        if kept is not None and kept[1] == generation and kept[2] > time.monotonic():
            return kept[0]
        value = await load()
        if generation == self.cache.generation(self.topic):  # nothing was invalidated while it was being read
            if len(self.values) >= self.max_entries:
                self.values.clear()
            self.values[key] = (value, generation, time.monotonic() + self.ttl)
        return value


def cache_of(app: Any) -> ReadCache:
    cache: ReadCache | None = getattr(app.state, "read_cache", None)
    if cache is None:
        cache = app.state.read_cache = ReadCache()
    return cache


async def invalidate(session: AsyncSession, request_app: FastAPI | None, topic: str) -> None:
    """Call in the transaction of a write to `topic`: local entries go now, every replica's at the commit."""
    await session.execute(text("SELECT pg_notify(:channel, :topic)"), {"channel": CHANNEL, "topic": topic})
    if request_app is not None:
        cache_of(request_app).drop(topic)


async def cached_json(
    request: Request, topic: str, build: Callable[[], Awaitable[Any]], *, max_age: int, fresh_for: float = 0
) -> Response:
    """The cached answer for this path and query, or `build()`'s, stored (for `fresh_for` seconds at most, when
    time itself changes it); 304 when the client has it. Only for answers that are the same for every caller,
    anonymous or not: they are served to anyone who asks."""
    cache = cache_of(request.app)
    key = cache_key(request.scope)
    entry = cache.get(key)
    if entry is None:
        generation = cache.generation(topic)
        body = json_bytes(await build())
        route = request.scope.get("route")
        entry = cache.put(topic, key, body, generation, max_age=max_age, route=route, fresh_for=fresh_for)
    return revalidated(request, entry.body, entry.etag, max_age=max_age)


class CachedReadsMiddleware(HttpMiddleware):
    """Answers an anonymous GET that is in the cache before routing: no dependency runs, since the same path and
    query were routed, checked and answered before (a token, which must be verified, always takes the full way)."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, _dropping_on_success(cache_of(scope["app"]), send))
            return
        if scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        accept = headers.get(b"accept", b"*/*")
        wants_json = b"json" in accept or b"*/*" in accept  # else a spreadsheet, say: the route decides
        entry = None if b"authorization" in headers or not wants_json else cache_of(scope["app"]).get(cache_key(scope))
        if entry is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = entry.route
        sent = {t.strip().removeprefix("W/") for t in headers.get(b"if-none-match", b"").decode("latin-1").split(",")}
        not_modified = entry.etag in sent or "*" in sent
        response = Response(
            b"" if not_modified else entry.body,
            status_code=304 if not_modified else 200,
            headers={"ETag": entry.etag, "Cache-Control": f"public, max-age={entry.max_age}"},
            media_type=None if not_modified else "application/json",
        )
        await response(scope, receive, send)


def _dropping_on_success(cache: ReadCache, send: Send) -> Send:
    """A write's answer, once it is known to have succeeded (its unit of work committed before it), first drops
    the topics every write drops."""

    async def dropping(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] < 400:
            for topic in cache.dropped_by_writes:
                cache.drop(topic)
        await send(message)

    return dropping if cache.dropped_by_writes else send
