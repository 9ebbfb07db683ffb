"""Which upstream serves a path: learnt from the services' own OpenAPI documents, so the gateway routes exactly
what they publish and cannot drift from them. Fetched at start-up, refreshed every few minutes, and at once (at
most every few seconds) when a path matches nothing while a document is missing."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import orjson

from services.gateway.proxy.upstreams import Upstream, UpstreamUnavailable

logger = logging.getLogger(__name__)

INTERNAL = {"/healthz", "/readyz", "/metrics"}  # each service's own, never proxied
REFRESH_SECONDS = 300.0
RETRY_SECONDS = 1.0


def path_pattern(template: str) -> re.Pattern[str]:
    """`/v1/calls/{call_id}/offers` -> a pattern matching one segment per parameter."""
    parts = re.split(r"(\{[^}/]+\})", template)
    return re.compile("^" + "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + "$")


@dataclass
class RouteTable:
    upstreams: dict[str, Upstream]
    routes: dict[str, list[re.Pattern[str]]] = field(default_factory=dict)  # upstream -> its paths
    loaded_at: float = 0.0
    tried_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def complete(self) -> bool:
        return all(name in self.routes for name in self.upstreams)

    async def document(self, upstream: Upstream) -> dict[str, Any]:
        result = await upstream.request("GET", "/openapi.json", route="openapi")
        if result.status != 200:
            raise UpstreamUnavailable(
                upstream.name,
                f"The {upstream.name} service did not give its OpenAPI document.",
                pl=f"Usługa {upstream.name} nie udostępniła swojego dokumentu OpenAPI.",
            )
        document: dict[str, Any] = orjson.loads(result.body)
        return document

    async def refresh(self) -> None:
        """Learn every upstream's paths; an upstream that does not answer keeps what was learnt before."""
        async with self.lock:
            self.tried_at = time.monotonic()
            for name, upstream in self.upstreams.items():
                try:
                    paths = (await self.document(upstream)).get("paths", {})
                except UpstreamUnavailable as exc:
                    logger.warning("routes of an upstream not refreshed", extra={"upstream": name, "why": exc.detail})
                    continue
                self.routes[name] = [path_pattern(p) for p in paths if p not in INTERNAL]
            if self.complete:
                self.loaded_at = time.monotonic()

    async def upstream_for(self, path: str) -> Upstream | None:
        """The upstream publishing this path; None when none does. While a document is missing, an unknown path
        may be that upstream's: 503, not 404."""
        found = self._match(path)
        if found is None and not self.complete and time.monotonic() - self.tried_at > RETRY_SECONDS:
            await self.refresh()
            found = self._match(path)
        if found is None and not self.complete:
            missing = ", ".join(sorted(set(self.upstreams) - set(self.routes)))
            raise UpstreamUnavailable(
                missing,
                f"The gateway cannot tell where {path} goes: {missing} not reachable.",
                pl=f"Brama nie wie, dokąd kierować {path}: usługa {missing} jest nieosiągalna.",
            )
        return found

    async def keep_fresh(self) -> None:
        """Background: learn the routes until every upstream has answered, then refresh now and then."""
        while True:
            await asyncio.sleep(RETRY_SECONDS if not self.complete else REFRESH_SECONDS)
            try:
                await self.refresh()
            except asyncio.CancelledError:
                raise
            except Exception:  # the next round tries again
                logger.exception("refreshing the routes failed")

    def _match(self, path: str) -> Upstream | None:
        for name, patterns in self.routes.items():
            if any(p.match(path) for p in patterns):
                return self.upstreams[name]
        return None
