"""Upstream services over HTTP (aiohttp, faster than httpx for proxying: docs/performance.md), with timeouts,
retries for idempotent reads, several replicas per upstream taken in turn, and a circuit breaker per replica."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field

import aiohttp
from prometheus_client import CollectorRegistry, Histogram

from shared.errors import ProblemError


class UpstreamUnavailable(ProblemError):
    status, slug, title = 503, "upstream-unavailable", "A service behind the gateway is unavailable"

    def __init__(self, upstream: str, detail: str, *, pl: str, retry_after: int = 5) -> None:
        super().__init__(detail, pl=pl, headers={"Retry-After": str(retry_after)}, upstream=upstream)


@dataclass
class Breaker:
    """Opens after `failures` consecutive transport failures (no connection, no answer in time); while open, calls
    fail at once; after `reset_seconds` one call, and one only, probes whether the upstream is back (half-open).

    An upstream's own answers, 5xx included, are not failures: the upstream is there and said something, which
    the client is told as it was (a burst of bad requests must not cut everyone off)."""

    failures: int
    reset_seconds: float
    consecutive: int = 0
    opened_at: float | None = None
    probing: bool = False

    def allow(self) -> bool:
        """May a call go now? When open and due, the first caller becomes the probe."""
        if self.opened_at is None:
            return True
        if self.probing or time.monotonic() - self.opened_at < self.reset_seconds:
            return False
        self.probing = True
        return True

    def success(self) -> None:
        self.consecutive, self.opened_at, self.probing = 0, None, False

    def failure(self) -> None:
        self.consecutive += 1
        if self.probing or self.consecutive >= self.failures:
            self.opened_at, self.probing = time.monotonic(), False

    def abandon(self) -> None:
        """A call ended without a verdict (cancelled): let the next one probe."""
        self.probing = False

    def retry_after(self) -> int:
        if self.opened_at is None:
            return 1
        return max(1, int(self.reset_seconds - (time.monotonic() - self.opened_at)) + 1)


@dataclass
class UpstreamResponse:
    """An upstream's answer: its body read whole, or (`stream=True` calls) still to be read from `chunks`."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    chunks: AsyncIterator[bytes] | None = None


STREAM_CHUNK = 64 * 1024


async def _chunks_of(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    """A streamed body as it comes; the connection goes back to the pool (or is closed) however the reading ends."""
    try:
        async for chunk in response.content.iter_chunked(STREAM_CHUNK):
            yield chunk
    finally:
        response.release()


@dataclass
class Replica:
    """One address of an upstream service, with its own breaker: one dead replica never cuts off the others."""

    base_url: str
    breaker: Breaker


class Failed(Exception):
    """A replica's transport failure, and whether the call may go to another replica (it provably never left,
    or it was a read)."""

    def __init__(self, error: BaseException, *, may_retry: bool) -> None:
        super().__init__(str(error))
        self.error, self.may_retry = error, may_retry


@dataclass
class Upstream:
    """A service behind the gateway at one or several addresses (replicas), taken in turn; a replica whose
    breaker is open is skipped, and a call that could not reach one goes to the next when that is safe."""

    name: str
    replicas: list[Replica]
    session: aiohttp.ClientSession
    timeout: float
    read_retries: int
    latency: Histogram | None = field(default=None)
    turn: int = 0

    @property
    def base_url(self) -> str:
        return self.replicas[0].base_url

    @base_url.setter
    def base_url(self, url: str) -> None:  # one address from now on (tests move an upstream)
        self.replicas = [Replica(url, self.replicas[0].breaker)]

    @property
    def breaker(self) -> Breaker:
        return self.replicas[0].breaker

    def _in_turn(self) -> list[Replica]:
        self.turn = (self.turn + 1) % len(self.replicas)
        return self.replicas[self.turn :] + self.replicas[: self.turn]

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        time_limit: float | None = None,
        route: str = "proxy",
        stream: bool = False,
    ) -> UpstreamResponse:
        """One call, replicas in turn. With `stream`, the answer's body is left to be read from `chunks` (a bulk
        file of any length): the time limit then bounds the connection and each wait for data, not the whole."""
        reads = method in ("GET", "HEAD", "OPTIONS")
        tries = max(len(self.replicas), 1 + self.read_retries) if reads else len(self.replicas)
        order = self._in_turn()
        failure: Failed | None = None
        for replica in (order * tries)[:tries]:
            if not replica.breaker.allow():
                continue
            probe = replica.breaker.probing  # allow() just made this call the half-open probe
            try:
                return await self._send(replica, method, path, query, headers, body, time_limit, route, stream)
            except Failed as failed:
                failure = failed
                if not failed.may_retry:
                    break
                await asyncio.sleep(0.05 if len(self.replicas) == 1 else 0)
            finally:
                if probe:
                    replica.breaker.abandon()  # a probe that ended without success() or failure() (cancelled)
        if failure is None:
            raise UpstreamUnavailable(
                self.name,
                f"The {self.name} service is failing; the gateway is not calling it for a while.",
                pl=f"Usługa {self.name} zawodzi; brama przez pewien czas jej nie wywołuje.",
                retry_after=min(r.breaker.retry_after() for r in self.replicas),
            )
        timed_out = isinstance(failure.error, TimeoutError)
        raise UpstreamUnavailable(
            self.name,
            f"The {self.name} service {'did not answer in time' if timed_out else 'cannot be reached'}.",
            pl=f"Usługa {self.name} {'nie odpowiedziała na czas' if timed_out else 'jest nieosiągalna'}.",
        ) from failure.error

    async def _send(
        self,
        replica: Replica,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str] | None,
        body: bytes | None,
        time_limit: float | None,
        route: str,
        stream: bool = False,
    ) -> UpstreamResponse:
        url = f"{replica.base_url}{path}" + (f"?{query}" if query else "")
        limit = time_limit or self.timeout
        timeout = (
            aiohttp.ClientTimeout(total=None, sock_connect=limit, sock_read=limit)
            if stream
            else aiohttp.ClientTimeout(total=limit)
        )
        started = time.perf_counter()
        try:
            response = await self.session.request(
                method, url, headers=dict(headers or {}), data=body, timeout=timeout, allow_redirects=False
            )
            if stream:
                result = UpstreamResponse(response.status, list(response.headers.items()), b"", _chunks_of(response))
            else:
                async with response:
                    result = UpstreamResponse(response.status, list(response.headers.items()), await response.read())
        except (TimeoutError, aiohttp.ClientError) as exc:
            replica.breaker.failure()
            # A write goes again only when it provably never left: the connection could not be made.
            reads = method in ("GET", "HEAD", "OPTIONS")
            may_retry = isinstance(exc, aiohttp.ClientConnectorError) or (
                reads and isinstance(exc, aiohttp.ClientConnectionError)
            )
            raise Failed(exc, may_retry=may_retry) from exc
        finally:
            if self.latency is not None:
                self.latency.labels(self.name, route).observe(time.perf_counter() - started)
        replica.breaker.success()  # it answered: whatever it said is its answer, passed on as it is
        return result


def latency_histogram(registry: CollectorRegistry) -> Histogram:
    return Histogram(
        "gateway_upstream_duration_seconds",
        "Latency of calls to upstream services",
        ["upstream", "route"],
        buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        registry=registry,
    )
