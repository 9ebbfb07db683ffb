"""A real webhook receiver for tests: an HTTP endpoint on loopback that records what it is sent and answers
with what the test says."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest
from aiohttp import web


@dataclass
class Receiver:
    """A real HTTP endpoint on loopback: records what it is sent, answers with what the test says."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # statuses to answer in turn; then 204
    queries: list[str] = field(default_factory=list)
    redirect_to: str | None = None

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        self.queries.append(request.query_string)
        if self.redirect_to:
            raise web.HTTPFound(self.redirect_to)
        return web.Response(status=self.answers.pop(0) if self.answers else 204, text="noted")

    def ids(self) -> list[str]:
        return [headers["webhook-id"] for headers, _ in self.received]


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    target = Receiver()
    app = web.Application()
    app.router.add_post("/hook", target.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    target.url = f"http://127.0.0.1:{port}/hook"
    yield target
    await runner.cleanup()
