"""GET /v1/catalogue-events: the catalogue's change feed (commissioning's is GET /v1/events)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from services.catalogue.models.outbox import EventType
from services.catalogue.outbox import service
from shared.auth import OptionalPrincipal
from shared.db import ReadSessionDep
from shared.errors import ValidationProblem, problem_responses
from shared.events import TYPE_PREFIX, Cursor, EventPage
from shared.i18n import polish_of

router = APIRouter(prefix="/v1/catalogue-events", tags=["events"])


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
    after: Annotated[str | None, Query(max_length=40, description="`next_cursor` of the previous page.")] = None,
    type_: Annotated[
        list[EventType] | None, Query(alias="type", description="Only these types (repeat the parameter).")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="Events per page (1 to 500).")] = 100,
) -> EventPage:
    try:
        cursor = Cursor.parse(after)
    except ValueError as exc:
        raise ValidationProblem.field("after", str(exc), pl=polish_of(exc), location="query") from None
    types = [TYPE_PREFIX + t.value for t in type_ or []]
    return await service.page(session, principal=principal, after=cursor, types=types, limit=limit)
