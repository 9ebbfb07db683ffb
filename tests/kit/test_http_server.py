"""Every service's HTTP protocol sends a response's head and body together: answers arrive whole and in order on a
real uvicorn server (small, streamed, HEAD, closed after, several on one connection), and the writes of one loop
step leave as one."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from shared.http_server import (
    HELD_BYTES,
    CoalescedWrites,
    CoalescingHttpTools,
    RequestReadSettings,
    uvicorn_command,
)
from tests.conftest import served
from tests.helpers import SLOW_BODY, until_closed

CHUNK = b"0123456789abcdef" * 1024  # 16 KiB
CHUNKS = 64  # 1 MiB in all


async def small(_: Request) -> Response:
    return JSONResponse({"miasto": "Starachowice", "status": "złożona"}, headers={"ETag": '"3"'})


async def streamed(_: Request) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        for _ in range(CHUNKS):
            yield CHUNK  # no await between parts: nothing yields to the loop

    return StreamingResponse(parts(), media_type="application/octet-stream")


APP = Starlette(routes=[Route("/small", small, methods=["GET", "HEAD"]), Route("/streamed", streamed)])


class Recording:
    """A transport that records what is written to it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(bytes(data))

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_write_buffer_size(self) -> int:
        return 0


async def test_the_writes_of_one_step_leave_as_one() -> None:
    recording = Recording()
    writes = CoalescedWrites(recording, asyncio.get_running_loop())  # type: ignore[arg-type]
    writes.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    writes.write(b"{}")
    assert recording.writes == []  # held until the step ends
    assert writes.get_write_buffer_size() == 40
    await asyncio.sleep(0)
    assert recording.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]


async def test_large_writes_are_not_held_and_close_sends_what_is_held() -> None:
    recording = Recording()
    writes = CoalescedWrites(recording, asyncio.get_running_loop())  # type: ignore[arg-type]
    writes.write(b"head")
    writes.write(b"x" * HELD_BYTES)
    assert recording.writes == [b"head" + b"x" * HELD_BYTES]  # at once: memory and flow control stay bounded
    writes.write(b"last")
    writes.close()
    assert recording.writes[-1] == b"last" and recording.closed
    await asyncio.sleep(0)
    assert len(recording.writes) == 2  # the step's end finds nothing more to send


async def test_nothing_is_written_to_a_closing_transport() -> None:
    recording = Recording()
    writes = CoalescedWrites(recording, asyncio.get_running_loop())  # type: ignore[arg-type]
    writes.write(b"late")
    recording.closed = True  # the peer went away before the step ended
    await asyncio.sleep(0)
    assert recording.writes == []


async def test_answers_arrive_whole_on_a_real_server() -> None:
    async with served(APP) as base, httpx.AsyncClient(base_url=base) as http:
        for _ in range(3):  # one keep-alive connection, answer after answer
            answer = await http.get("/small")
            assert answer.status_code == 200
            assert answer.json() == {"miasto": "Starachowice", "status": "złożona"}
            assert answer.headers["etag"] == '"3"'
        head = await http.head("/small")
        assert head.status_code == 200 and head.content == b"" and head.headers["etag"] == '"3"'
        download = await http.get("/streamed")
        assert download.content == CHUNK * CHUNKS
        closing = await http.get("/small", headers={"Connection": "close"})
        assert closing.json()["miasto"] == "Starachowice" and closing.headers["connection"] == "close"


async def test_a_small_answer_comes_in_one_read() -> None:
    async with served(APP) as base:
        host, port = base.removeprefix("http://").split(":")

        def first_read() -> bytes:
            with socket.create_connection((host, int(port))) as raw:
                raw.sendall(b"GET /small HTTP/1.1\r\nHost: test\r\n\r\n")
                return raw.recv(65536)

        data = await asyncio.to_thread(first_read)
        head, _, body = data.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200")
        assert body.decode() == '{"miasto":"Starachowice","status":"złożona"}'


def test_every_launcher_serves_with_the_protocol() -> None:
    command = uvicorn_command("gateway", 8000, workers=2)
    assert command[command.index("--http") + 1] == "shared.http_server:CoalescingHttpTools"
    assert command[-2:] == ["--workers", "2"]


async def test_a_request_that_does_not_arrive_in_time_is_a_408_problem_but_one_that_keeps_coming_is_not(monkeypatch):
    from tests.helpers import probe_app

    monkeypatch.setattr(CoalescingHttpTools, "request_timeout", 0.5)
    monkeypatch.setattr(CoalescingHttpTools, "min_bytes_per_second", 100)  # 100 bytes more: a second more
    async with served(probe_app()) as url:
        port = int(url.rsplit(":", 1)[1])
        cases = {
            "a body that stops": [SLOW_BODY + b"\r\n" + b"0123456789"],
            "a head that never ends": [b"GET /fine HTTP/1.1\r\nHost: test\r\nX-Still-Typing: "],
            "nothing at all": [],
        }
        for case, parts in cases.items():
            data, took = await asyncio.to_thread(until_closed, port, parts)
            head, _, body = data.partition(b"\r\n\r\n")
            assert head.startswith(b"HTTP/1.1 408"), (case, data)
            assert b"connection: close" in head and b"content-type: application/problem+json" in head, case
            assert json.loads(body)["status"] == 408 and 0.5 <= took < 3, (case, took)
        polish, _ = await asyncio.to_thread(until_closed, port, [SLOW_BODY + b"Accept-Language: pl\r\n\r\n0"])
        assert json.loads(polish.partition(b"\r\n\r\n")[2])["title"] == "Przekroczono czas na przesłanie żądania"
        # an upload that keeps arriving, for three times the bound: the route's own answer, after all of it
        parts = [SLOW_BODY + b"Connection: close\r\n\r\n", *[b"[" + b" " * 98 + b"]"] * 10]
        data, took = await asyncio.to_thread(until_closed, port, parts, 0.15)
        assert took > 1.5 and data.startswith(b"HTTP/1.1 405"), data


def test_the_bound_is_set_by_the_environment(monkeypatch):
    monkeypatch.setenv("HTTP_REQUEST_TIMEOUT_SECONDS", "12.5")
    monkeypatch.setenv("HTTP_REQUEST_MIN_BYTES_PER_SECOND", "2000")
    settings = RequestReadSettings()
    assert (settings.request_timeout_seconds, settings.request_min_bytes_per_second) == (12.5, 2000)
    assert (
        RequestReadSettings.model_fields["request_timeout_seconds"].default,
        CoalescingHttpTools.request_timeout,
    ) == (30, 30)
