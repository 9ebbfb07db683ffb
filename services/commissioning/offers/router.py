"""Offers: submission with a receipt, revision, confirmation after amendments, withdrawal, sealed reads."""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from services.commissioning.access import acting_provider
from services.commissioning.dependencies import ClockDep, StandingsDep
from services.commissioning.models.idempotency import IdempotencyRecord
from services.commissioning.models.offers import OfferStatus
from services.commissioning.offers import repository, service
from services.commissioning.offers.schemas import OfferContent, OfferIn, OfferOut, ReceiptCheck, offer_out
from shared.auth import CurrentPrincipal, Role, require_role
from shared.concurrency import IfMatchHeader, set_etag
from shared.db import ReadSessionDep, SessionDep
from shared.errors import Forbidden, problem_responses
from shared.idempotency import IdempotencyKeyHeader, idempotent
from shared.pagination import Page, PageParamsDep, page_of

router = APIRouter(prefix="/v1", tags=["offers"])


@router.post(
    "/calls/{call_id}/offers",
    summary="Submit an offer for a lot (verified, eligible providers; before the deadline)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422, 503),
    description=(
        "A verified, eligible provider submits a sealed offer for a lot before the deadline (the server's "
        "clock decides): the total price for the lot, the quantity and an answer per criterion. The answer is"
        " a receipt with the content's SHA-256. Idempotency-Key accepted: a retry gives the same receipt."
    ),
)
async def submit_offer(
    call_id: uuid.UUID,
    data: OfferIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    standings: StandingsDep,
    clock: ClockDep,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> OfferOut:
    # a plain submission was settled before the routing (offers.first.OffersFirst): this is every other one
    acting_provider(principal, data.provider_id)
    async with idempotent(
        session,
        principal,
        idempotency_key,
        data,
        response,
        record=IdempotencyRecord,
        route=service.submission_route(call_id),
    ) as replay:
        if replay.response is not None:
            return OfferOut.model_validate(replay.response)
        offer = await service.submit(
            session, standings, principal=principal, now_of=clock.now, call_id=call_id, data=data
        )
        response.headers.update(service.offer_headers(offer))
        out = offer_out(offer)
        replay.remember(201, out.model_dump(mode="json"))
        return out


@router.put(
    "/offers/{offer_id}",
    summary="Revise an offer before the deadline (If-Match); a new receipt",
    responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428),
    description="The provider revises its offer before the deadline (If-Match); a new receipt.",
)
async def revise_offer(
    offer_id: uuid.UUID,
    data: OfferContent,
    session: SessionDep,
    standings: StandingsDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> OfferOut:
    # a plain revision was settled before the routing (offers.first.OffersFirst): this is every other one
    offer = await service.revise(
        session, standings, principal=principal, now_of=clock.now, offer_id=offer_id, data=data, if_match=if_match
    )
    set_etag(response, offer.version)
    return offer_out(offer)


@router.post(
    "/offers/{offer_id}/confirmation",
    summary="Confirm an offer after the call was amended",
    responses=problem_responses(401, 403, 404, 409),
    description="After an amendment of the call the provider confirms its offer (or revises it) before the deadline.",
)
async def confirm_offer(
    offer_id: uuid.UUID,
    session: SessionDep,
    standings: StandingsDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    response: Response,
) -> OfferOut:
    offer = await service.confirm(session, standings, principal=principal, now_of=clock.now, offer_id=offer_id)
    set_etag(response, offer.version)
    return offer_out(offer)


@router.delete(
    "/offers/{offer_id}",
    summary="Withdraw an offer before the deadline (If-Match)",
    responses=problem_responses(401, 403, 404, 409, 412, 428),
    description="The provider withdraws its offer before the deadline (If-Match).",
)
async def withdraw_offer(
    offer_id: uuid.UUID,
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    if_match: IfMatchHeader = None,
) -> OfferOut:
    return offer_out(
        await service.withdraw(session, principal=principal, now_of=clock.now, offer_id=offer_id, if_match=if_match)
    )


@router.get(
    "/offers/{offer_id}/receipt-verification",
    summary="Check a receipt: is this the offer's content as the server holds it? (its provider; the municipality "
    "after the deadline)",
    responses=problem_responses(401, 404, 422),
    description=(
        "Is this receipt's hash the offer's content as the server holds it? For its provider, and after the "
        "deadline the municipality: for anyone else it would be an oracle for guessing sealed prices."
    ),
)
async def verify_receipt(
    offer_id: uuid.UUID,
    content_hash: Annotated[
        str, Query(pattern="^[0-9a-f]{64}$", description="The receipt's `content_hash` (64 lowercase hex digits).")
    ],
    session: ReadSessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
) -> ReceiptCheck:
    offer = await service.readable(session, principal, offer_id, clock.now())
    matches = hmac.compare_digest(offer.content_hash, content_hash)
    return ReceiptCheck(
        offer_id=offer.id, matches=matches, submitted_at=offer.submitted_at, status=OfferStatus(offer.status)
    )


@router.get(
    "/offers",
    summary="My offers (providers)",
    responses=problem_responses(401, 403),
    description="The offers of the providers the caller acts for.",
)
async def my_offers(session: ReadSessionDep, principal: CurrentPrincipal, paging: PageParamsDep) -> Page[OfferOut]:
    require_role(principal, Role.PROVIDER)
    if not principal.providers:
        raise Forbidden(
            "This account acts for no provider yet.", pl="To konto nie działa jeszcze w imieniu żadnego podmiotu."
        )
    mine = [offer_out(o) for p in sorted(principal.providers) for o in await repository.of_provider(session, p)]
    return page_of(mine, paging)
