"""Conditional GETs for every JSON answer: a client that has an answer asks again with `If-None-Match` and gets
`304 Not Modified` without the body when nothing changed.

Every `200` JSON answer to a `GET` that sets no ETag of its own gets a strong one, a hash of its bytes (so it
changes exactly when the answer does, whatever changed it: a write on any replica, the worker at a deadline, the
clock), and a `Cache-Control` if the route set none: `no-cache` (kept, but asked again each time) or, for a caller
with a token, `private, no-cache` (never kept by a shared cache). Answers that set their own ETag are left as they
are: a resource's version (the If-Match of its writes), or the read cache's (shared.cache). A streamed answer (a
bulk download) passes as it is, unread.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.responses import etag_of

NOT_MODIFIED_DROPS = (b"content-length", b"content-type")


def _json_without_etag(start: Message) -> bool:
    headers = dict(start.get("headers", []))
    kind = headers.get(b"content-type", b"")
    return start["status"] == 200 and kind.startswith(b"application/json") and b"etag" not in headers


def matches(if_none_match: str, etag: str) -> bool:
    sent = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in sent or "*" in sent


class ConditionalGets:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        asked = dict(scope["headers"])
        if_none_match = asked.get(b"if-none-match", b"").decode("latin-1")
        cache_control = b"private, no-cache" if b"authorization" in asked else b"no-cache"
        held: Message | None = None
        passing = False

        async def conditional(message: Message) -> None:
            nonlocal held, passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                if _json_without_etag(message):
                    held = message  # until the body is known
                else:
                    passing = True
                    await send(message)
            elif held is None or message.get("more_body", False):
                passing = True  # streamed: as it is
                if held is not None:
                    await send(held)
                await send(message)
            else:
                await self._answer(held, message, if_none_match, cache_control, send)

        await self.app(scope, receive, conditional)

    @staticmethod
    async def _answer(start: Message, body: Message, if_none_match: str, cache_control: bytes, send: Send) -> None:
        etag = etag_of(body.get("body", b""))
        headers = [(name, value) for name, value in start["headers"] if name != b"etag"]
        headers.append((b"etag", etag.encode()))
        if not any(name == b"cache-control" for name, _ in headers):
            headers.append((b"cache-control", cache_control))
        if if_none_match and matches(if_none_match, etag):
            headers = [(name, value) for name, value in headers if name not in NOT_MODIFIED_DROPS]
            await send({**start, "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({**start, "headers": headers})
        await send(body)
