"""A municipality's public commissioning picture in one answer (the gateway's overview takes it as one part)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter

from services.commissioning.calls import repository as calls_repo
from services.commissioning.calls.models import CallStatus
from services.commissioning.calls.router import call_out
from services.commissioning.contracts.schemas import ContractOut
from services.commissioning.dependencies import ClockDep
from services.commissioning.monitoring.repository import indicators
from services.commissioning.municipalities import repository as municipalities
from services.commissioning.municipalities.schemas import MunicipalityOut
from services.commissioning.planning import repository as planning_repo
from services.commissioning.planning.router import programme_out
from shared.auth import OptionalPrincipal
from shared.db import ReadSessionDep
from shared.errors import NotFound, problem_responses
from shared.identifiers import GminaTercStr

router = APIRouter(prefix="/v1/municipalities", tags=["municipalities"])


@router.get(
    "/{terc}/summary",
    summary="A municipality's programmes, open calls, active contracts and this year's indicators (public)",
    responses=problem_responses(404, 422),
)
async def municipality_summary(
    terc: GminaTercStr, session: ReadSessionDep, principal: OptionalPrincipal, clock: ClockDep
) -> dict[str, Any]:
    municipality = await municipalities.get(session, terc)
    if municipality is None:
        raise NotFound(f"Municipality {terc} is not registered.")
    now: datetime = clock.now()
    programmes = list(await planning_repo.programmes_of(session, terc))
    lines = list(await planning_repo.lines_of(session, [p.id for p in programmes]))
    calls, total = await calls_repo.search(
        session, principal=None, now=now, status=CallStatus.OPEN, mode=None, municipality=terc, offset=0, limit=100
    )
    lots = list(await calls_repo.lots_of(session, [c.id for c in calls]))
    contracts = await municipalities.active_contracts(session, terc)
    return {
        "municipality": MunicipalityOut.model_validate(municipality).model_dump(mode="json"),
        "programmes": [programme_out(p, lines).model_dump(mode="json") for p in programmes],
        "open_calls": {
            "total": total,
            "items": [call_out(c, lots, now, principal).model_dump(mode="json") for c in calls],
        },
        "active_contracts": [ContractOut.model_validate(c).model_dump(mode="json") for c in contracts],
        "indicators": await indicators(
            session, municipality=terc, voivodeship=None, start=date(now.year, 1, 1), end=date(now.year, 12, 31)
        ),
    }
