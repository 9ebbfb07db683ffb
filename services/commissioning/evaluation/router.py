"""The committee: members, bidders, declarations, formal checks, score sheets, rankings."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response, status

from services.commissioning.dependencies import ClockDep
from services.commissioning.evaluation import service
from services.commissioning.evaluation.schemas import (
    Bidder,
    DeclarationIn,
    DeclarationOut,
    FormalCheckIn,
    FormalCheckOut,
    MemberIn,
    MemberOut,
    ScoresIn,
    SheetOut,
)
from shared.auth import CurrentPrincipal
from shared.concurrency import IfMatchHeader, set_etag
from shared.db import ReadSessionDep, SessionDep
from shared.errors import problem_responses

router = APIRouter(prefix="/v1", tags=["evaluation"])


@router.post(
    "/calls/{call_id}/committee",
    summary="Appoint an evaluator to the call's committee (the municipality)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def add_committee_member(
    call_id: uuid.UUID, data: MemberIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> MemberOut:
    member = await service.add_member(session, principal=principal, now=clock.now(), call_id=call_id, data=data)
    return MemberOut.model_validate(member)


@router.get(
    "/calls/{call_id}/committee",
    summary="The committee (the municipality and members)",
    responses=problem_responses(401, 403, 404),
)
async def list_committee(call_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal) -> list[MemberOut]:
    return [MemberOut.model_validate(m) for m in await service.committee(session, principal, call_id)]


@router.get(
    "/calls/{call_id}/bidders",
    summary="Who bid (after the deadline; for declarations)",
    responses=problem_responses(401, 403, 404),
)
async def list_bidders(
    call_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> list[Bidder]:
    await service.evaluation_access(session, principal, call_id, clock.now())
    return [Bidder(**b) for b in await service.bidders(session, call_id)]


@router.post(
    "/calls/{call_id}/declarations",
    summary="Declare, per bidder, whether you have a conflict of interest (members, before seeing offers)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def declare(
    call_id: uuid.UUID, data: DeclarationIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> DeclarationOut:
    made = await service.declare(session, principal=principal, now=clock.now(), call_id=call_id, data=data)
    return DeclarationOut.model_validate(made)


@router.put(
    "/offers/{offer_id}/formal-check",
    summary="Record an offer's formal check (the municipality; If-Match to change it)",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def put_formal_check(
    offer_id: uuid.UUID,
    data: FormalCheckIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> FormalCheckOut:
    check = await service.formal_check(
        session, principal=principal, now=clock.now(), offer_id=offer_id, data=data, if_match=if_match
    )
    set_etag(response, check.version)
    return FormalCheckOut.model_validate(check)


@router.put(
    "/offers/{offer_id}/scores",
    summary="Save your merit scores for an offer (members; If-Match to change your sheet)",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def put_scores(
    offer_id: uuid.UUID,
    data: ScoresIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> SheetOut:
    sheet, created = await service.save_scores(
        session, principal=principal, now=clock.now(), offer_id=offer_id, data=data, if_match=if_match
    )
    set_etag(response, sheet.version)
    if created:
        response.status_code = status.HTTP_201_CREATED
    return SheetOut.model_validate(sheet)


@router.get(
    "/offers/{offer_id}/scores",
    summary="Score sheets (the municipality: all; a member: their own)",
    responses=problem_responses(401, 403, 404),
)
async def get_scores(
    offer_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> list[SheetOut]:
    return [SheetOut.model_validate(s) for s in await service.sheets_for(session, principal, offer_id, clock.now())]


@router.get(
    "/calls/{call_id}/lots/{lot_id}/ranking",
    summary="The lot's ranking: price points from prices, merit averaged, ties as ties",
    responses=problem_responses(401, 403, 404),
)
async def get_ranking(
    call_id: uuid.UUID, lot_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> list[dict[str, Any]]:
    ranked = await service.ranking_for(session, principal, call_id=call_id, lot_id=lot_id, now=clock.now())
    return [r.as_dict() for r in ranked]
