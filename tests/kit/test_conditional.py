"""Conditional GETs on every service: a JSON answer that sets no ETag gets one made of its bytes, `If-None-Match`
with it is a 304 without a body, a changed answer a 200 with another ETag; answers with their own ETag (a version)
and streamed answers pass as they are."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from shared.conditional import ConditionalGets
from shared.responses import etag_of

CALLS = {"items": [{"title": "Konkurs: usługi opiekuńcze"}]}


async def calls(_: Request) -> Response:
    return JSONResponse(CALLS)


async def versioned(_: Request) -> Response:
    return JSONResponse({"version": 3}, headers={"ETag": '"3"'})


async def missing(_: Request) -> Response:
    return JSONResponse({"title": "Nie znaleziono"}, status_code=404)


async def streamed(_: Request) -> Response:
    async def lines() -> AsyncIterator[bytes]:
        yield b'{"a": 1}\n'
        yield b'{"a": 2}\n'

    return StreamingResponse(lines(), media_type="application/json")


async def created(_: Request) -> Response:
    return JSONResponse({"id": 1}, status_code=201)


APP = ConditionalGets(
    Starlette(
        routes=[
            Route("/v1/calls", calls, methods=["GET", "POST"]),
            Route("/v1/offers/1", versioned),
            Route("/v1/missing", missing),
            Route("/bulk", streamed),
            Route("/v1/made", created, methods=["POST"]),
        ]
    )
)


def client() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=APP), base_url="http://test")


async def test_an_answer_unchanged_is_a_304_and_a_changed_one_a_200_with_another_etag() -> None:
    async with client() as http:
        first = await http.get("/v1/calls")
        assert first.json() == CALLS
        assert first.headers["etag"] == etag_of(first.content) and first.headers["cache-control"] == "no-cache"
        again = await http.get("/v1/calls", headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b"" and "content-type" not in again.headers
        assert again.headers["etag"] == first.headers["etag"]
        CALLS["items"].append({"title": "Konkurs: asystencja osobista"})
        try:
            changed = await http.get("/v1/calls", headers={"If-None-Match": first.headers["etag"]})
        finally:
            CALLS["items"].pop()
        assert changed.status_code == 200 and len(changed.json()["items"]) == 2
        assert changed.headers["etag"] != first.headers["etag"]


async def test_a_callers_own_answer_is_private() -> None:
    async with client() as http:
        mine = await http.get("/v1/calls", headers={"Authorization": "Bearer x"})
        assert mine.headers["cache-control"] == "private, no-cache"


async def test_what_is_left_as_it_is() -> None:
    async with client() as http:
        versioned_ = await http.get("/v1/offers/1", headers={"If-None-Match": '"3"'})
        assert versioned_.status_code == 200 and versioned_.headers["etag"] == '"3"'  # the route's own ETag
        problem = await http.get("/v1/missing")
        assert problem.status_code == 404 and "etag" not in problem.headers
        bulk = await http.get("/bulk")
        assert bulk.content == b'{"a": 1}\n{"a": 2}\n' and "etag" not in bulk.headers
        made = await http.post("/v1/made")
        assert made.status_code == 201 and "etag" not in made.headers
