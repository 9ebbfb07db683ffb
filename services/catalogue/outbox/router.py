"""GET /v1/catalogue-events: the catalogue's change feed (commissioning's is GET /v1/events)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from services.catalogue.models.outbox import EventType
from services.catalogue.outbox import schemas, service
from shared.auth import OptionalPrincipal
from shared.db import ReadSessionDep
from shared.errors import problem_responses
from shared.events import CursorDep, EventPage, FeedLimit, FeedTypes

router = APIRouter(prefix="/v1/catalogue-events", tags=["events"])


@router.get(
    "/asyncapi",
    summary="The catalogue's feed described as an AsyncAPI 3.0 document, with a JSON Schema for each event type",
    description="One message per event type: a CloudEvent whose `data` has the type's schema; private types are "
    "marked with who reads them.",
)
async def catalogue_asyncapi_document(request: Request) -> dict[str, Any]:
    return schemas.asyncapi(request.app.state.settings.public_base_url)


@router.get(
    "",
    summary="Read the catalogue's change feed after a cursor: providers verified, suspended, reinstated; members",
    description="The same feed as commissioning's `GET /v1/events`, for the catalogue's events: read below the "
    "oldest transaction still running, so no reader misses one committed late; deduplicate by `id`. Verified, "
    "suspended and reinstated providers are public; a registration, a rejection and membership changes are read "
    "by the provider's members (and administrators) only.",
    responses=problem_responses(401, 422),
)
async def read_catalogue_events(
    session: ReadSessionDep,
    principal: OptionalPrincipal,
    cursor: CursorDep,
    type_: FeedTypes[EventType] = None,
    limit: FeedLimit = 100,
) -> EventPage:
    return await service.page(session, principal=principal, after=cursor, types=type_, limit=limit)
