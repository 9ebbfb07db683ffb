"""GET /v1/events: the change feed."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.commissioning.dependencies import SettingsDep
from services.commissioning.models.outbox import EventType
from services.commissioning.outbox import schemas, service
from shared.auth import OptionalPrincipal
from shared.db import ReadSessionDep
from shared.errors import problem_responses
from shared.events import CursorDep, EventPage, FeedLimit, FeedTypes
from shared.identifiers import GminaTercStr

router = APIRouter(prefix="/v1/events", tags=["events"])


@router.get(
    "/asyncapi",
    summary="The feed described as an AsyncAPI 3.0 document, with a JSON Schema for each event type's data",
    description="One message per event type: a CloudEvent whose `data` has the type's schema; private types (report "
    "reviews, payments) are marked as read by their municipality and provider only.",
)
async def asyncapi_document(settings: SettingsDep) -> dict[str, Any]:
    return schemas.asyncapi(settings.public_base_url)


@router.get(
    "",
    summary="Read the change feed after a cursor (public events; a party's own too)",
    description="Events in an order no reader can miss: an event committed late by a slow transaction never "
    "appears behind a cursor already handed out. Start without `after`, then pass each page's `next_cursor`. "
    "Consumers deduplicate by the event `id` (delivery is at least once). Anonymous readers get public events; "
    "a municipality also its own private ones (report reviews, payments), a provider's members theirs.",
    responses=problem_responses(401, 422),
)
async def read_events(
    session: ReadSessionDep,
    principal: OptionalPrincipal,
    cursor: CursorDep,
    type_: FeedTypes[EventType] = None,
    municipality: Annotated[GminaTercStr | None, Query(description="Only events of this municipality.")] = None,
    limit: FeedLimit = 100,
) -> EventPage:
    return await service.FEED.page(
        session, principal=principal, after=cursor, types=type_, limit=limit, municipality=municipality
    )
