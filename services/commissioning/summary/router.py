"""A municipality's public commissioning picture in one request."""

from __future__ import annotations

from fastapi import APIRouter

from services.commissioning.dependencies import ClockDep
from services.commissioning.summary import service
from services.commissioning.summary.schemas import SummaryOut
from shared.auth import OptionalPrincipal
from shared.db import ReadSessionDep
from shared.errors import problem_responses
from shared.identifiers import GminaTercStr

router = APIRouter(prefix="/v1/municipalities", tags=["municipalities"])


@router.get(
    "/{terc}/summary",
    summary="A municipality's programmes, open calls, active contracts and this year's indicators (public)",
    responses=problem_responses(404, 422),
    description=(
        "Programmes, open calls, active contracts and this year's indicators in one answer (public); the "
        "gateway's overview builds on it."
    ),
)
async def municipality_summary(
    terc: GminaTercStr, session: ReadSessionDep, principal: OptionalPrincipal, clock: ClockDep
) -> SummaryOut:
    summary = await service.municipality_summary(session, terc=terc, principal=principal, now=clock.now())
    return SummaryOut.model_validate(summary)
