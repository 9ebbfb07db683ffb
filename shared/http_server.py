"""uvicorn's httptools protocol, with the writes of one event-loop step sent together.

uvicorn writes a response's head when the app sends `http.response.start` and its body when it sends the body:
two writes, two system calls and two TCP segments for every small JSON answer, and the client (the gateway's
upstream client, an SDK) wakes up twice to read them. Here the writes a protocol makes during one step of the
loop are sent as one, at the end of that step. On this machine that serves half as many again
small answers per core. Large writes are not held: past `HELD_BYTES` everything held is sent at once, so
a streamed download keeps uvicorn's flow control and its memory bound.

Run uvicorn with `--http shared.http_server:CoalescingHttpTools` (`UVICORN_HTTP` below).
"""

from __future__ import annotations

import asyncio
import sys
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

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


class CoalescingHttpTools(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(CoalescedWrites(transport, self.loop))  # type: ignore[arg-type]


def uvicorn_command(service: str, port: int, *, host: str = "127.0.0.1", workers: int = 1) -> list[str]:
    """The command that serves `service` (catalogue, commissioning, gateway) with this protocol; a caller adds
    its own logging flags."""
    command = [sys.executable, "-m", "uvicorn", "--factory", f"services.{service}.main:app", "--http", UVICORN_HTTP]
    command += ["--host", host, "--port", str(port), "--no-access-log"]
    return command if workers == 1 else [*command, "--workers", str(workers)]
