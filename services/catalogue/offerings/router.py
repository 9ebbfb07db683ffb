"""Offering endpoints: a provider's offers, and the catalogue search."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.filters import SearchQueryDep
from services.catalogue.models.idempotency import IdempotencyRecord
from services.catalogue.models.public import PUBLIC_LISTS
from services.catalogue.offerings import repository, service
from services.catalogue.offerings.repository import OfferingFilters
from services.catalogue.offerings.schemas import (
    MAX_PRICE_GROSZE,
    OfferingCreate,
    OfferingOut,
    OfferingUpdate,
    offering_json,
)
from services.catalogue.providers import service as providers
from shared.auth import CurrentPrincipal, OptionalPrincipal
from shared.cache import cached_json
from shared.concurrency import etag_for
from shared.db import ReadSessionDep, SessionDep
from shared.errors import problem_responses
from shared.idempotency import IdempotencyKeyHeader, idempotent
from shared.pagination import Page, PageParamsDep, page_json
from shared.responses import json_response
from shared.routes import ChangeDep

router = APIRouter(prefix="/v1", tags=["offerings"])

OfferingSort = Literal["relevance", "price", "-price", "free_capacity", "-free_capacity", "title", "-updated_at"]


async def _respond(
    session: AsyncSession,
    offering_id: uuid.UUID,
    principal: OptionalPrincipal,
    *,
    status_code: int = 200,
    location: bool = False,
) -> Response:
    row = await service.get_visible_row(session, offering_id, principal)
    headers = {"ETag": etag_for(row.version)}
    if location:
        headers["Location"] = f"/v1/offerings/{offering_id}"
    return json_response(offering_json(row), status_code=status_code, headers=headers)


@router.get(
    "/offerings",
    summary="Search offerings",
    response_model=Page[OfferingOut],
    responses=problem_responses(401, 422),
    description=(
        "Social services on offer: full-text search without diacritics, by place (a gmina finds what is "
        "delivered in it, its powiat or voivodeship), statutory area, service type, target group, PES only, "
        "free capacity and unit price; sorted by relevance, price, free capacity or title. Public: active "
        "offerings of verified providers."
    ),
)
async def search_offerings(
    request: Request,
    session: ReadSessionDep,
    principal: OptionalPrincipal,
    paging: PageParamsDep,
    query: SearchQueryDep,
    min_free_capacity: Annotated[
        int | None, Query(ge=0, le=1_000_000, description="At least this much free monthly capacity.")
    ] = None,
    max_unit_price_grosze: Annotated[
        int | None, Query(ge=0, le=MAX_PRICE_GROSZE, description="Price cap per unit.")
    ] = None,
    provider_id: Annotated[uuid.UUID | None, Query(description="Only this provider's offerings.")] = None,
    sort: Annotated[OfferingSort | None, Query(description="Sort order; default relevance with q, else title.")] = None,
) -> Response:
    async def page() -> dict[str, Any]:
        shared = await query.validated(session)
        filters = OfferingFilters(
            **vars(shared),
            min_free_capacity=min_free_capacity,
            max_unit_price_grosze=max_unit_price_grosze,
            provider_id=provider_id,
        )
        rows, total = await repository.search(
            session, principal=principal, filters=filters, sort=sort, offset=paging.offset, limit=paging.per_page
        )
        return page_json([offering_json(r) for r in rows], total, paging)

    if principal is None:  # the public's search, the same for everyone: kept until the next write
        return await cached_json(request, PUBLIC_LISTS, page, max_age=0)
    return json_response(await page())


@router.get(
    "/providers/{provider_id}/offerings",
    summary="A provider's offerings (its own users and admins also see inactive ones)",
    response_model=Page[OfferingOut],
    responses=problem_responses(401, 404),
    description="A provider's offerings; its members also see inactive ones.",
)
async def list_provider_offerings(
    provider_id: uuid.UUID, session: ReadSessionDep, principal: OptionalPrincipal, paging: PageParamsDep
) -> Response:
    principal = await providers.acting_for(session, principal, provider_id) if principal else None
    await providers.get_visible(session, provider_id, principal)
    rows, total = await repository.search(
        session,
        principal=principal,
        filters=OfferingFilters(provider_id=provider_id, active_only=False),
        sort="title",
        offset=paging.offset,
        limit=paging.per_page,
    )
    return json_response(page_json([offering_json(r) for r in rows], total, paging))


@router.post(
    "/providers/{provider_id}/offerings",
    summary="Add an offering (the provider's own users or an admin)",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferingOut,
    responses=problem_responses(400, 401, 403, 404, 422),
    description=(
        "A member adds what its provider offers: a service type, where (TERC areas), monthly capacity, unit "
        "price, schedule. Idempotency-Key accepted."
    ),
)
async def create_offering(
    provider_id: uuid.UUID,
    data: OfferingCreate,
    session: SessionDep,
    principal: CurrentPrincipal,
    response: Response,
    idempotency_key: IdempotencyKeyHeader = None,
) -> Response:
    await service.require_may_add(session, principal, provider_id)
    route = f"POST /v1/providers/{provider_id}/offerings"
    async with idempotent(
        session, principal, idempotency_key, data, response, record=IdempotencyRecord, route=route
    ) as replay:
        if replay.response is not None:  # the first answer again, with its status and headers
            return json_response(replay.response, status_code=response.status_code, headers=dict(response.headers))
        offering = await service.create(session, principal=principal, provider_id=provider_id, data=data)
        created = await _respond(session, offering.id, principal, status_code=201, location=True)
        for name in ("location", "etag"):  # kept with the stored answer
            response.headers[name] = created.headers[name]
        replay.remember(201, orjson.loads(created.body))
        return created


@router.get(
    "/offerings/{offering_id}",
    summary="Read an offering",
    response_model=OfferingOut,
    responses=problem_responses(401, 404),
    description=(
        "One offering, with its free capacity (capacity less what the provider declares committed and what "
        "signed contracts commit)."
    ),
)
async def get_offering(offering_id: uuid.UUID, session: ReadSessionDep, principal: OptionalPrincipal) -> Response:
    return await _respond(session, offering_id, principal)


@router.patch(
    "/offerings/{offering_id}",
    summary="Change an offering (its provider's users or an admin; If-Match)",
    response_model=OfferingOut,
    responses=problem_responses(400, 401, 403, 404, 412, 422, 428),
    description="A member changes an offering (If-Match).",
)
async def update_offering(offering_id: uuid.UUID, data: OfferingUpdate, change: ChangeDep) -> Response:
    await change.run(service.update, offering_id=offering_id, data=data)
    return await _respond(change.write.session, offering_id, change.write.principal)


@router.delete(
    "/offerings/{offering_id}",
    summary="Remove an offering (its provider's users or an admin; If-Match)",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404, 412, 428),
    description="A member removes an offering (If-Match).",
)
async def delete_offering(offering_id: uuid.UUID, change: ChangeDep) -> Response:
    await change.run(service.delete, offering_id=offering_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
