"""Revisions first: most of the burst at a deadline is `PUT /v1/offers/{id}` from a provider revising its offer, and
most of those are one statement (`service.revise_at_once`). FastAPI's routing, dependencies and exception middleware
cost more than that statement; this middleware, innermost, settles such a revision before them and leaves every
other request, and every revision it cannot settle, to the router, which then does exactly what it always does (the
body is handed on as it came). Nothing is refused here: a bad token, a bad body, a stale If-Match, a late revision
all go the full way and are refused there, in the caller's language."""

from __future__ import annotations

import re
import uuid

import orjson
from fastapi import FastAPI, Request, Response
from pydantic import ValidationError
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.commissioning.dependencies import state_of
from services.commissioning.offers import service
from services.commissioning.offers.known import known_offers_of
from services.commissioning.offers.schemas import OfferContent, OfferOut, offer_out
from shared.auth import Principal, Role, optional_principal
from shared.concurrency import etag_for
from shared.db import database_of
from shared.errors import ProblemError

REVISION = re.compile(r"^/v1/offers/([0-9a-fA-F-]{36})$")
JSON = re.compile(rb"^application/json\s*(;|$)", re.IGNORECASE)


class RevisionsFirst:
    def __init__(self, app: ASGIApp, *, route: BaseRoute) -> None:
        self.app, self.route = app, route  # the revision's route: the metrics' and logs' label

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = _revision(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        body = await request.body()
        revised = await _revised_at_once(request, found, body)
        if revised is None:
            await self.app(scope, _again(body, receive), send)
            return
        scope["route"] = self.route
        headers = {"ETag": etag_for(revised.version)}
        await Response(revised.model_dump_json(), media_type="application/json", headers=headers)(scope, receive, send)


def _revision(scope: Scope) -> uuid.UUID | None:
    """The offer a plain revision names: PUT, no query (the router refuses any), JSON, a token and an If-Match."""
    if scope["type"] != "http" or scope["method"] != "PUT" or scope["query_string"]:
        return None
    matched = REVISION.match(scope["path"])
    if matched is None:
        return None
    headers = dict(scope["headers"])
    if (
        b"if-match" not in headers
        or b"authorization" not in headers
        or not JSON.match(headers.get(b"content-type", b""))
    ):
        return None
    try:
        return uuid.UUID(matched.group(1))
    except ValueError:
        return None


async def _revised_at_once(request: Request, offer_id: uuid.UUID, body: bytes) -> OfferOut | None:
    """The revised offer as the route answers it, or None: the route is to decide."""
    app: FastAPI = request.app
    try:
        principal: Principal | None = await optional_principal(request, None)
        data = OfferContent.model_validate(orjson.loads(body))
    except (ProblemError, ValidationError, orjson.JSONDecodeError):
        return None
    if principal is None or principal.role is not Role.PROVIDER:
        return None
    revised = await service.revise_at_once(
        database_of(app),
        known_offers_of(app),
        principal=principal,
        now_of=state_of(app).clock.now,
        offer_id=offer_id,
        data=data,
        if_match=request.headers["if-match"],
    )
    return None if revised is None else offer_out(revised)


def _again(body: bytes, receive: Receive) -> Receive:
    """The request's body, read here, handed on to the router as it came (then what the client sends next)."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return again
