"""uvicorn's httptools protocol, with the writes of one event-loop step sent together.

uvicorn writes a response's head when the app sends `http.response.start` and its body when it sends the body:
two writes, two system calls and two TCP segments for every small JSON answer, and the client (the gateway's
upstream client, an SDK) wakes up twice to read them. Here the writes a protocol makes during one step of the
loop are sent as one, at the end of that step. On this machine that serves half as many again
small answers per core. Large writes are not held: past `HELD_BYTES` everything held is sent at once, so
a streamed download keeps uvicorn's flow control and its memory bound.

It also bounds the time a client may take to send a request (uvicorn bounds only the idle time between requests):
the head and the body together must arrive within `HTTP_REQUEST_TIMEOUT_SECONDS` (30 s), extended by a second for
every `HTTP_REQUEST_MIN_BYTES_PER_SECOND` (500) bytes received, as Apache's mod_reqtimeout does. A slow client that
sends a few bytes and then holds the connection (slowloris) is answered 408 and closed; an upload that keeps
arriving at a modest rate is never cut off, however large (the body limit bounds it). A total bound alone would
cut off a large upload on a slow line; a bound on silence alone would let a byte every few seconds hold a connection
for hours. The timer is one loop handle, armed only while a request is incomplete at the end of a read: a request
that arrives in one read costs none (a check after each read, nothing more).

Run uvicorn with `--http shared.http_server:CoalescingHttpTools` (`UVICORN_HTTP` below).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import orjson
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shared.i18n import preferred

UVICORN_HTTP = "shared.http_server:CoalescingHttpTools"
HELD_BYTES = 64 * 1024


class CoalescedWrites:
    """A transport that holds the writes of the current loop step and sends them together when the step ends (or
    at once past `HELD_BYTES`, or before it closes); everything else is the transport's own."""

    __slots__ = ("_held", "_held_bytes", "_loop", "_transport")

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._held_bytes = 0

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._held:
            self._loop.call_soon(self.flush)
        self._held.append(data)
        self._held_bytes += len(data)
        if self._held_bytes >= HELD_BYTES:
            self.flush()

    def writelines(self, parts: Any) -> None:
        for data in parts:
            self.write(data)

    def flush(self) -> None:
        if not self._held:
            return
        held, self._held, self._held_bytes = self._held, [], 0
        if self._transport.is_closing():
            return  # the peer went away: uvicorn's connection_lost says so
        # joined: fewer than HELD_BYTES, and one write costs less than uvloop's writelines here
        self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def write_eof(self) -> None:
        self.flush()
        self._transport.write_eof()

    def get_write_buffer_size(self) -> int:
        return self._held_bytes + self._transport.get_write_buffer_size()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class RequestReadSettings(BaseSettings):
    """How long a client may take to send a request (env prefix HTTP_), on every service."""

    model_config = SettingsConfigDict(env_prefix="HTTP_", extra="ignore")

    request_timeout_seconds: float = Field(
        default=30.0, gt=0, description="Time to send a request's head and body (408 after), from its first byte."
    )
    request_min_bytes_per_second: float = Field(
        default=500.0, gt=0, description="Each this many bytes received extends that time by a second."
    )


def _timeout_answer(language: str) -> bytes:
    english = "The request did not arrive in time; the connection is closed. Send it again."
    polish = "Żądanie nie dotarło na czas; połączenie zostało zamknięte. Wyślij je ponownie."
    body = orjson.dumps(
        {
            "type": "urn:cus:problem:request-timeout",
            "title": "Przekroczono czas na przesłanie żądania" if language == "pl" else "Request timeout",
            "status": 408,
            "detail": polish if language == "pl" else english,
            "detail_en": english,
            "detail_pl": polish,
        }
    )
    head = f"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/problem+json\r\ncontent-length: {len(body)}\r\n"
    return head.encode() + b"connection: close\r\n\r\n" + body


TIMEOUT_ANSWERS = {language: _timeout_answer(language) for language in ("en", "pl")}
READING = RequestReadSettings()


class CoalescingHttpTools(HttpToolsProtocol):
    request_timeout = READING.request_timeout_seconds
    min_bytes_per_second = READING.request_min_bytes_per_second

    _reading: asyncio.TimerHandle | None = None  # armed while a request is incomplete
    _read_since = 0.0
    _read_bytes = 0
    _read_scope: Any = None  # the request it is armed for

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(CoalescedWrites(transport, self.loop))  # type: ignore[arg-type]
        self._arm()  # a connection that never sends its first request is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        if self._reading is not None:
            self._reading.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self._read_bytes += len(data)
        HttpToolsProtocol.data_received(self, data)
        # has all of the last request begun come? (uvicorn's cycle of it says so; one answered before its body
        # came waits for the rest, and is closed if it never comes)
        cycle = self.cycle
        if cycle is not None and cycle.scope is self.scope and not cycle.more_body:
            if self._reading is not None:
                self._reading.cancel()
                self._reading = None
        elif self._reading is None or self._read_scope is not self.scope:  # none armed, or for an earlier request
            if self._reading is not None:
                self._reading.cancel()
            self._arm()

    def _arm(self) -> None:
        self._read_since, self._read_bytes, self._read_scope = self.loop.time(), 0, self.scope
        self._reading = self.loop.call_later(self.request_timeout, self._read_timed_out)

    def _read_timed_out(self) -> None:
        allowed = self._read_since + self.request_timeout + self._read_bytes / self.min_bytes_per_second
        if self.flow.read_paused:  # the app is not reading yet: not the client's delay
            allowed = max(allowed, self.loop.time() + 1)
        if self.loop.time() < allowed:  # it keeps coming
            self._reading = self.loop.call_at(allowed, self._read_timed_out)
            return
        self._reading = None
        if self.transport.is_closing():
            return
        cycle = self.cycle if self.cycle is not None and self.cycle.scope is self.scope else None  # its head came
        if cycle is None or not cycle.response_started:  # nobody answered yet: the client is told why
            if cycle is not None:  # the app waiting for the rest of the body is told the client is gone
                cycle.disconnected = True
                cycle.message_event.set()
            headers = dict(self.headers or [])
            language = preferred(headers.get(b"accept-language", b"").decode("latin-1"))
            self.transport.write(TIMEOUT_ANSWERS[language])
        self.transport.close()


def uvicorn_command(service: str, port: int, *, host: str = "127.0.0.1", workers: int = 1) -> list[str]:
    """The command that serves `service` (catalogue, commissioning, gateway) with this protocol; a caller adds
    its own logging flags."""
    command = [sys.executable, "-m", "uvicorn", "--factory", f"services.{service}.main:app", "--http", UVICORN_HTTP]
    command += ["--host", host, "--port", str(port), "--no-access-log"]
    return command if workers == 1 else [*command, "--workers", str(workers)]
