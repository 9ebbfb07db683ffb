"""GET /v1/events through the gateway: both services' change feeds as one. The cursor holds each feed's own
(`<commissioning>|<catalogue>`), so each keeps its order that no reader can miss; a feed that cannot be read
keeps its cursor where it was (listed in `missing`), and nothing is skipped when it answers again."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import APIRouter, Query, Request, Response

from services.gateway.proxy.state import state_of
from services.gateway.proxy.upstreams import UpstreamUnavailable
from services.gateway.views.schemas import answer
from shared.errors import PROBLEM_MEDIA_TYPE, ValidationProblem, problem_responses
from shared.identifiers import GminaTercStr
from shared.observability import request_id_var
from shared.responses import json_response

router = APIRouter(prefix="/v1", tags=["events"])

FEEDS = {"commissioning": "/v1/events", "catalogue": "/v1/catalogue-events"}
# the catalogue's event types; every other type is commissioning's
CATALOGUE_KINDS = ("provider.", "offering.", "member.")
BOTH_KINDS = ("webhook.",)  # each service tells of its own webhook subscriptions
# each service's cursor: a position (a reader of every event), or the id of the last event the reader may read
ONE_CURSOR = r"(\d{1,19}-\d{1,19}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?"
CURSOR = re.compile(rf"^{ONE_CURSOR}\|{ONE_CURSOR}$", re.IGNORECASE)


def _cursors(after: str | None) -> dict[str, str | None]:
    if not after:
        return dict.fromkeys(FEEDS)
    match = CURSOR.match(after)
    if match is None:
        raise ValidationProblem.field(
            "after",
            "not a cursor of this feed (take `next_cursor` from the previous page)",
            pl="to nie jest kursor tego strumienia (weź `next_cursor` z poprzedniej strony)",
            location="query",
        )
    return {"commissioning": match[1], "catalogue": match[2]}


def _asked(types: list[str], municipality: str | None) -> dict[str, list[str]]:
    """Which feed is asked for which types (an empty list: every type of that feed)."""
    theirs = {
        "catalogue": [t for t in types if t.startswith(CATALOGUE_KINDS + BOTH_KINDS)],
        "commissioning": [t for t in types if not t.startswith(CATALOGUE_KINDS)],
    }
    asked = {name: wanted for name, wanted in theirs.items() if not types or wanted}
    if municipality:  # the catalogue's events are about providers, not municipalities
        asked.pop("catalogue", None)
    return asked


@router.get(
    "/events",
    summary="Read the change feed after a cursor: both services' events (public events; a party's own too)",
    description="Commissioning's events (calls, awards, contracts, reports, payments) and the catalogue's "
    "(providers verified, suspended, reinstated; members) in one feed. Each service's events come in an order no "
    "reader can miss; the cursor holds both services' cursors. Start without `after`, then pass each page's "
    "`next_cursor`; deduplicate by `id`. A service that cannot be read now is listed in `missing` and its events "
    "come on a later page: none is skipped.",
    responses={**answer("GatewayEventPage"), **problem_responses(401, 422)},
)
async def read_events(
    request: Request,
    after: Annotated[str | None, Query(max_length=82, description="`next_cursor` of the previous page.")] = None,
    type_: Annotated[
        list[str] | None,
        Query(
            alias="type", max_length=20, description="Only these types (repeat the parameter), e.g. contract.signed."
        ),
    ] = None,
    municipality: Annotated[GminaTercStr | None, Query(description="Only events of this municipality.")] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Events per service and page (1 to 500).")] = 100,
) -> Response:
    cursors = _cursors(after)
    asked = _asked(type_ or [], municipality)
    state = state_of(request.app)
    headers = {"x-request-id": request_id_var.get() or ""}
    if request.headers.get("authorization"):
        headers["authorization"] = request.headers["authorization"]

    async def page(name: str, types: list[str]) -> tuple[str, Any, str | None]:
        params: list[tuple[str, str]] = [("type", t) for t in types] + [("limit", str(limit))]
        position = cursors[name]
        params += [("after", position)] if position else []
        params += [("municipality", municipality)] if municipality else []
        try:
            result = await state.upstreams[name].request(
                "GET", FEEDS[name], query=urlencode(params), headers=headers, route=f"events:{name}"
            )
        except UpstreamUnavailable as exc:
            return name, None, exc.detail
        if result.status in (401, 422):  # the caller's mistake: answered as the service answered it
            return name, Response(result.body, status_code=result.status, media_type=PROBLEM_MEDIA_TYPE), None
        if result.status != 200:
            return name, None, f"{name} answered {result.status}"
        return name, orjson.loads(result.body), None

    pages = await asyncio.gather(*(page(name, types) for name, types in asked.items()))
    refused = next((body for _, body, _ in pages if isinstance(body, Response)), None)
    if refused is not None:
        return refused
    items: list[Any] = []
    missing = []
    for name, body, why in pages:
        if body is None:
            missing.append({"part": name, "reason": why or "unavailable"})
            continue
        items += body["items"]
        cursors[name] = body["next_cursor"]
    next_cursor = f"{cursors['commissioning'] or ''}|{cursors['catalogue'] or ''}"
    return json_response({"items": items, "next_cursor": next_cursor, "missing": missing})
