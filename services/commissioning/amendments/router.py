"""Amendments of published calls (zmiana ogłoszenia)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.commissioning.amendments import service
from services.commissioning.calls.schemas import AmendmentIn, AmendmentOut
from services.commissioning.dependencies import TimedWriteDep
from shared.errors import problem_responses

router = APIRouter(prefix="/v1/calls", tags=["calls"])


@router.post(
    "/{call_id}/amendments",
    summary="Amend a published call before its deadline (offers must be confirmed again)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
    description=(
        "The municipality amends its published call before the deadline: deadline later, criteria, "
        "eligibility, documents. Submitted offers must be confirmed again; a deadline too close to the change"
        " moves to leave the minimum."
    ),
)
async def amend_call(call_id: uuid.UUID, data: AmendmentIn, write: TimedWriteDep) -> AmendmentOut:
    return AmendmentOut.model_validate(await write(service.amend, call_id=call_id, data=data))
