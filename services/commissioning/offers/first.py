"""Offers first: the burst at a deadline is providers submitting offers (`POST /v1/calls/{id}/offers`) and revising
them (`PUT /v1/offers/{id}`), and most of those are settled by a statement (`service.submit_at_once`,
`service.revise_at_once`). FastAPI's routing, dependencies and exception middleware cost more than that; this
middleware, innermost, settles such a request before them, matched by the routes' own paths and methods, and
answers with the route's own status. It decides with the same functions as the routes (`offers.decisions`); what it
cannot settle (a bad token or body, facts it does not hold, a refusal it would have to answer with an
Idempotency-Key, which the route may replay instead) goes to the route, with the body as it came."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.commissioning.dependencies import state_of
from services.commissioning.models.idempotency import IdempotencyRecord
from services.commissioning.models.offers import OfferRow
from services.commissioning.offers import service
from services.commissioning.offers.known import known_offers_of
from services.commissioning.offers.schemas import OfferContent, OfferIn, offer_out
from shared.auth import Principal, Role, optional_principal
from shared.concurrency import etag_for
from shared.db import database_of
from shared.errors import ProblemError, problem_of
from shared.idempotency import KeyedWrite, acceptable_key

JSON = re.compile(rb"^application/json\s*(;|$)", re.IGNORECASE)


@dataclass(frozen=True)
class _Settled:
    """What a route does, done at once: None when it cannot be (the route then decides)."""

    needs: tuple[bytes, ...]  # headers it cannot do without
    body: type[BaseModel]
    settle: Callable[[Request, uuid.UUID, Any, Principal], Awaitable[OfferRow | None]]
    headers: Callable[[OfferRow], dict[str, str]]  # the route's answer headers
    keyed: bool = False  # an Idempotency-Key may make the route replay an answer instead of refusing


async def _submitted(request: Request, call_id: uuid.UUID, data: OfferIn, principal: Principal) -> OfferRow | None:
    key = request.headers.get("idempotency-key")
    if key is not None and not acceptable_key(key):
        return None  # the route says why
    keyed = KeyedWrite(IdempotencyRecord, principal, service.submission_route(call_id), key, data) if key else None
    app: FastAPI = request.app
    return await service.submit_at_once(
        database_of(app),
        known_offers_of(app),
        keyed,
        standings=state_of(app).standings,
        principal=principal,
        now_of=state_of(app).clock.now,
        call_id=call_id,
        data=data,
    )


async def _revised(request: Request, offer_id: uuid.UUID, data: OfferContent, principal: Principal) -> OfferRow | None:
    app: FastAPI = request.app
    return await service.revise_at_once(
        database_of(app),
        known_offers_of(app),
        standings=state_of(app).standings,
        principal=principal,
        now_of=state_of(app).clock.now,
        offer_id=offer_id,
        data=data,
        if_match=request.headers["if-match"],
    )


def _version(offer: OfferRow) -> dict[str, str]:
    return {"ETag": etag_for(offer.version)}


SETTLED = {
    "submit_offer": _Settled((), OfferIn, _submitted, service.offer_headers, keyed=True),
    "revise_offer": _Settled((b"if-match",), OfferContent, _revised, _version),
}


class OffersFirst:
    def __init__(self, app: ASGIApp, *, routes: dict[str, BaseRoute]) -> None:
        self.app = app
        self.settled = [(SETTLED[name], route) for name, route in routes.items() if isinstance(route, APIRoute)]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._plain(scope)
        if found is None:
            await self.app(scope, receive, send)
            return
        settled, route, named = found
        request = Request(scope, receive)
        body = await request.body()
        try:
            offer = await _at_once(request, settled, named, body)
        except ProblemError as exc:
            answer: Response = problem_of(exc, scope["path"])
        else:
            if offer is None:
                await self.app(scope, _again(body, receive), send)
                return
            answer = Response(
                offer_out(offer).model_dump_json(),
                status_code=route.status_code or 200,
                media_type="application/json",
                headers=settled.headers(offer),
            )
        scope["route"] = route  # the metrics' and logs' label
        await answer(scope, receive, send)

    def _plain(self, scope: Scope) -> tuple[_Settled, APIRoute, uuid.UUID] | None:
        """A plain offer request: the route's method and path, no query (the router refuses any), a JSON body, a
        token, and the headers the route cannot do without."""
        if scope["type"] != "http" or scope["query_string"]:
            return None
        for settled, route in self.settled:
            matched, child = route.matches(scope)
            if matched is not Match.FULL:
                continue
            headers = dict(scope["headers"])
            if not JSON.match(headers.get(b"content-type", b"")) or b"authorization" not in headers:
                return None
            if any(name not in headers for name in settled.needs):
                return None
            (named,) = child["path_params"].values()
            try:
                return settled, route, uuid.UUID(named)
            except ValueError:
                return None
        return None


async def _at_once(request: Request, settled: _Settled, named: uuid.UUID, body: bytes) -> OfferRow | None:
    """The offer written, or None for the route to decide; a refusal decided on facts read afresh is raised
    (when the request carries no Idempotency-Key: with one, the route may have an answer to replay)."""
    try:
        principal = await optional_principal(request, None)
        data = settled.body.model_validate(orjson.loads(body))
    except (ProblemError, ValidationError, orjson.JSONDecodeError):
        return None
    if principal is None or principal.role is not Role.PROVIDER:
        return None
    try:
        return await settled.settle(request, named, data, principal)
    except ProblemError:
        if settled.keyed and "idempotency-key" in request.headers:
            return None
        raise


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
