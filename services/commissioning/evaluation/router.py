"""The committee: members, bidders, declarations, formal checks, score sheets, rankings."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from services.commissioning.calls import service as calls_service
from services.commissioning.dependencies import ClockDep, TimedChangeDep, TimedWriteDep
from services.commissioning.evaluation import service
from services.commissioning.evaluation.exports import offer_columns, ranking_columns
from services.commissioning.evaluation.schemas import (
    Bidder,
    CommitteeSeat,
    DeclarationIn,
    DeclarationOut,
    DeclarationsIn,
    FormalCheckIn,
    FormalCheckOut,
    MemberIn,
    MemberOut,
    RankedOut,
    ScoresIn,
    SheetOut,
)
from services.commissioning.grants import service as grants
from services.commissioning.grants.schemas import ReliabilityOut
from services.commissioning.offers.schemas import OfferOut, offer_out
from shared.auth import CurrentPrincipal
from shared.db import ReadSessionDep
from shared.errors import problem_responses
from shared.exports import ExportFormat, ExportFormatQuery, Sheet, export, export_responses, wanted
from shared.pagination import Page, PageParamsDep, page_of
from shared.routes import tagged

router = APIRouter(prefix="/v1", tags=["evaluation"])
# Reading offers: their providers, and after the deadline the municipality and the committee (tag: offers).
offers_router = APIRouter(prefix="/v1", tags=["offers"])


@offers_router.get(
    "/offers/{offer_id}",
    summary="Read an offer (its provider; after the deadline the municipality, and committee members who declared "
    "no conflict with its bidder)",
    responses=problem_responses(401, 403, 404),
    description="One offer: its provider always; after the deadline the municipality and cleared committee members.",
)
async def get_offer(
    offer_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, clock: ClockDep, response: Response
) -> OfferOut:
    return offer_out(tagged(response, await service.readable_offer(session, principal, offer_id, clock.now())))


@offers_router.get(
    "/calls/{call_id}/offers",
    summary="A call's offers: sealed until the deadline (a provider sees its own; after it the municipality all, "
    "a committee member those of the bidders it declared no conflict with)",
    response_model=Page[OfferOut],
    responses={**export_responses(), **problem_responses(401, 403, 404)},
    description=(
        "A call's offers. Before the deadline a provider sees only its own and nobody else anything, not even"
        " their number; after it the municipality reads all, and a committee member those of the bidders it "
        "declared no conflict with. `format=csv|xlsx` gives the committee a spreadsheet with one column per "
        "criterion."
    ),
)
async def list_call_offers(
    call_id: uuid.UUID,
    request: Request,
    session: ReadSessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    paging: PageParamsDep,
    format_: ExportFormatQuery = None,
) -> Page[OfferOut] | Response:  # a spreadsheet is a Response
    offers = [offer_out(o) for o in await service.offers_of_call(session, principal, call_id, clock.now())]
    if (wanted_format := wanted(request, format_)) is not ExportFormat.JSON:
        call = await calls_service.visible(session, principal, call_id)
        sheet = Sheet("Oferty", offer_columns(call.criteria), offers)
        return await export([sheet], wanted_format, f"oferty-{call.ocid}")
    return page_of(offers, paging)


@router.post(
    "/calls/{call_id}/committee",
    summary="Appoint an evaluator to the call's committee (the municipality)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
    description=(
        "The municipality appoints an evaluator (an account with the evaluator role, by its subject) to the "
        "call's committee."
    ),
)
async def add_committee_member(call_id: uuid.UUID, data: MemberIn, write: TimedWriteDep) -> MemberOut:
    return MemberOut.model_validate(await write(service.add_member, call_id=call_id, data=data))


@router.get(
    "/calls/{call_id}/committee",
    summary="The committee (the municipality and members)",
    responses=problem_responses(401, 403, 404),
    description="The committee's members (the municipality and its members).",
)
async def list_committee(
    call_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, paging: PageParamsDep
) -> Page[MemberOut]:
    return page_of([MemberOut.model_validate(m) for m in await service.committee(session, principal, call_id)], paging)


@router.get(
    "/calls/{call_id}/bidders",
    summary="Who bid (after the deadline; for declarations)",
    responses=problem_responses(401, 403, 404),
    description=(
        "After the deadline: who bid, for the members' declarations; a member sees offer ids only of the "
        "bidders it declared no conflict with."
    ),
)
async def list_bidders(
    call_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, clock: ClockDep, paging: PageParamsDep
) -> Page[Bidder]:
    return page_of([Bidder(**b) for b in await service.bidders_for(session, principal, call_id, clock.now())], paging)


@router.post(
    "/calls/{call_id}/declarations",
    summary="Declare, per bidder, whether you have a conflict of interest (members, before seeing offers)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
    description="A member declares, for one bidder, a conflict of interest or none; declarations cannot be changed.",
)
async def declare(call_id: uuid.UUID, data: DeclarationIn, write: TimedWriteDep) -> DeclarationOut:
    return DeclarationOut.model_validate(await write(service.declare, call_id=call_id, data=data))


@router.post(
    "/calls/{call_id}/declarations/batch",
    summary="Declare for every bidder at once (members): all or nothing",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
    description="A member declares for every bidder at once: all or nothing.",
)
async def declare_all(call_id: uuid.UUID, data: DeclarationsIn, write: TimedWriteDep) -> list[DeclarationOut]:
    made = await write(service.declare_all, call_id=call_id, data=data.declarations)
    return [DeclarationOut.model_validate(d) for d in made]


@router.get(
    "/me/committees",
    summary="The committees I sit on (evaluators)",
    responses=problem_responses(401, 403),
    description="The committees the calling evaluator sits on.",
)
async def my_committees(
    session: ReadSessionDep, principal: CurrentPrincipal, paging: PageParamsDep
) -> Page[CommitteeSeat]:
    return page_of(
        [
            CommitteeSeat(
                member_id=member.id,
                call_id=call.id,
                call_title=call.title,
                municipality_terc=call.municipality_terc,
                deadline=call.deadline,
                assigned_at=member.assigned_at,
            )
            for member, call in await service.committees_of(session, principal)
        ],
        paging,
    )


@router.put(
    "/offers/{offer_id}/formal-check",
    summary="Record an offer's formal check (the municipality; If-Match to change it)",
    responses=problem_responses(401, 403, 404, 412, 422),
    description="The municipality records an offer's formal check: passed, or failed with reasons.",
)
async def put_formal_check(offer_id: uuid.UUID, data: FormalCheckIn, change: TimedChangeDep) -> FormalCheckOut:
    return FormalCheckOut.model_validate(await change(service.formal_check, offer_id=offer_id, data=data))


@router.put(
    "/offers/{offer_id}/scores",
    summary="Save your merit scores for an offer (members; If-Match to change your sheet)",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
    description=(
        "A member scores a formally passed offer on the merit criteria (0-100, each justified); If-Match to "
        "change its sheet."
    ),
)
async def put_scores(offer_id: uuid.UUID, data: ScoresIn, change: TimedChangeDep) -> SheetOut:
    sheet, created = await change.run(service.save_scores, offer_id=offer_id, data=data)
    if created:
        change.write.response.status_code = status.HTTP_201_CREATED
    return SheetOut.model_validate(change.write.tagged(sheet))


@router.get(
    "/offers/{offer_id}/scores",
    summary="Score sheets (the municipality: all; a member: their own)",
    responses=problem_responses(401, 403, 404),
    description="The score sheets of an offer: the municipality sees all, a member its own.",
)
async def get_scores(
    offer_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, clock: ClockDep, paging: PageParamsDep
) -> Page[SheetOut]:
    return page_of(
        [SheetOut.model_validate(s) for s in await service.sheets_for(session, principal, offer_id, clock.now())],
        paging,
    )


RELIABILITY = "The offeror's earlier tasks for this municipality, for the committee's sheet (art. 15 ust. 1 pkt 6 UDPP)"


@router.get("/offers/{offer_id}/reliability", summary=RELIABILITY, responses=problem_responses(401, 403, 404))
async def offer_reliability(
    offer_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ReliabilityOut:
    """Counted from the contracts and reports recorded here: the offeror's earlier contracts with the call's
    municipality, how many were completed or terminated, its reports accepted, returned and late. Whoever may read
    the offer: after the deadline the municipality and committee members cleared of conflict."""
    offer = await service.readable_offer(session, principal, offer_id, clock.now())
    call = await service.call_of(session, offer)
    return ReliabilityOut.model_validate(await grants.reliability(session, offer, call))


@router.get(
    "/calls/{call_id}/lots/{lot_id}/ranking",
    summary="The lot's ranking: price points from prices, merit averaged, ties as ties",
    response_model=list[RankedOut],
    responses={**export_responses(), **problem_responses(401, 403, 404)},
    description=(
        "The lot's ranking: price points from the prices, merit points averaged over the members entitled to "
        "score, ties as ties. `format=csv|xlsx` for a spreadsheet."
    ),
)
async def get_ranking(
    call_id: uuid.UUID,
    lot_id: uuid.UUID,
    request: Request,
    session: ReadSessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    format_: ExportFormatQuery = None,
) -> list[RankedOut] | Response:  # a spreadsheet is a Response
    ranked = await service.ranking_for(session, principal, call_id=call_id, lot_id=lot_id, now=clock.now())
    rows = [RankedOut.model_validate(r.as_dict()) for r in ranked]
    if (wanted_format := wanted(request, format_)) is not ExportFormat.JSON:
        call = await calls_service.visible(session, principal, call_id)
        sheet = Sheet("Ranking", ranking_columns(call.criteria), rows)
        return await export([sheet], wanted_format, f"ranking-{call.ocid}")
    return rows
