"""A municipality's public commissioning picture in one answer (the gateway's overview takes it as one part)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.calls import repository as calls_repo
from services.commissioning.calls.schemas import call_out
from services.commissioning.contracts import repository as contracts_repo
from services.commissioning.contracts.schemas import ContractOut
from services.commissioning.models.calls import CallStatus
from services.commissioning.monitoring.repository import indicators
from services.commissioning.municipalities import service as municipalities
from services.commissioning.municipalities.schemas import MunicipalityOut
from services.commissioning.planning import repository as planning_repo
from services.commissioning.planning.schemas import programme_out
from shared.auth import Principal


async def municipality_summary(
    session: AsyncSession, *, terc: str, principal: Principal | None, now: datetime
) -> dict[str, Any]:
    municipality = await municipalities.get(session, terc)
    programmes = list(await planning_repo.programmes_of(session, terc))
    lines = list(await planning_repo.lines_of(session, [p.id for p in programmes]))
    calls, total = await calls_repo.search(
        session, principal=None, now=now, status=CallStatus.OPEN, mode=None, municipality=terc, offset=0, limit=100
    )
    lots = list(await calls_repo.lots_of(session, [c.id for c in calls]))
    contracts = await contracts_repo.active_contracts(session, terc)
    return {
        "municipality": MunicipalityOut.model_validate(municipality).model_dump(mode="json"),
        "programmes": [programme_out(p, lines).model_dump(mode="json") for p in programmes],
        "open_calls": {
            "total": total,
            "items": [call_out(c, lots, now, principal).model_dump(mode="json") for c in calls],
        },
        "active_contracts": [ContractOut.model_validate(c).model_dump(mode="json") for c in contracts],
        "indicators": await indicators(
            session,
            municipality=terc,
            voivodeship=None,
            start=date(now.year, 1, 1),
            end=date(now.year, 12, 31),
            now=now,
        ),
    }
