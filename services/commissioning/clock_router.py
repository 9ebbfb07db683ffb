"""The service's clock, readable: deadlines, standstill periods and openings are kept by it, so a countdown shown
anywhere (the public pages, a provider's client) is counted from it rather than from the reader's own clock."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from services.commissioning.clock import warsaw_date
from services.commissioning.dependencies import ClockDep
from shared.responses import json_response


class ClockOut(BaseModel):
    now: str = Field(description="The service's time now (ISO 8601, UTC): the one deadlines are kept by.")
    legal_date: str = Field(description="Today's date in Europe/Warsaw, by which legal periods are counted.")


router = APIRouter(prefix="/v1", tags=["rules"])


@router.get(
    "/clock",
    summary="The time deadlines are kept by",
    response_model=ClockOut,
    description="The commissioning service's clock: an offer is on time when it arrives before a deadline by it.",
)
async def read_clock(clock: ClockDep) -> Response:
    now = clock.now()
    response = json_response({"now": now.isoformat().replace("+00:00", "Z"), "legal_date": warsaw_date(now)})
    response.headers["Cache-Control"] = "no-store"
    return response
