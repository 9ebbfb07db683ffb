"""360Giving 1.4 publication of the UDPP grants (open competitions and small grants): a paged package and each
grant. Public: only awards of published calls, which exist once a lot is decided."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request, Response

from services.commissioning.dependencies import ClockDep, SettingsDep
from services.commissioning.giving import mapping, repository
from services.commissioning.giving.schemas import GivingGrant, GivingPackage
from shared.db import ReadSessionDep, database_of
from shared.errors import found, problem_responses
from shared.responses import json_response

router = APIRouter(prefix="/360giving", tags=["360giving"])


@router.get(
    "/grants",
    summary="360Giving package of the UDPP grants (paged, in award order)",
    responses={200: {"model": GivingPackage}, **problem_responses(422)},
    description=(
        "360Giving 1.4 grants: every award of a published open competition or small grant, with its contract's"
        " period and payments once made. The next page, when there is one, is in the `Link` header"
        ' (`rel="next"`); the package itself has only the standard\'s fields.'
    ),
)
async def grant_package(
    request: Request,
    settings: SettingsDep,
    clock: ClockDep,
    page: Annotated[int, Query(ge=1, le=100_000, description="Page, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=500, description="Grants per page.")] = 100,
) -> Response:
    now, base = clock.now(), str(settings.public_base_url).rstrip("/")
    async with database_of(request.app).snapshot() as session:  # the awards and their calls as of one moment
        awards = await repository.grant_awards(session, limit=per_page + 1, offset=(page - 1) * per_page)
        wanted = awards[:per_page]
        calls = await repository.calls_of(session, wanted, now)
    grants = [mapping.grant(calls[award.call_id], award, base) for award in wanted]
    uri = f"{base}/360giving/grants?{urlencode({'page': page, 'per_page': per_page})}"
    headers = {}
    if len(awards) > per_page:
        headers["Link"] = f'<{base}/360giving/grants?{urlencode({"page": page + 1, "per_page": per_page})}>; rel="next"'
    return json_response(mapping.package(grants, base, uri, now), headers=headers)


@router.get(
    "/grants/{grant_id}",
    summary="A UDPP grant as 360Giving",
    responses={200: {"model": GivingGrant}, **problem_responses(404)},
    description="One grant of the package, by its id.",
)
async def one_grant(grant_id: str, session: ReadSessionDep, settings: SettingsDep, clock: ClockDep) -> Response:
    award_id = mapping.award_id_of(grant_id)
    award = found(
        await repository.grant_award(session, award_id) if award_id else None,
        f"No published grant has the id {grant_id}.",
        pl=f"Żadna opublikowana dotacja nie ma identyfikatora {grant_id}.",
    )
    calls = await repository.calls_of(session, [award], clock.now())
    return json_response(mapping.grant(calls[award.call_id], award, str(settings.public_base_url).rstrip("/")))
