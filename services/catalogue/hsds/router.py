"""Open Referral HSDS 3.0 read API: public catalogue data in the standard's shapes and paging envelope."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.dependencies import settings_of
from services.catalogue.hsds import mapping, service
from services.catalogue.hsds.schemas import (
    HsdsOrganization,
    HsdsPage,
    HsdsRoot,
    HsdsService,
    HsdsServiceAtLocation,
    HsdsTaxonomy,
    HsdsTaxonomyTerm,
)
from services.catalogue.models.public import PUBLIC_LISTS
from services.catalogue.places import repository as places
from services.catalogue.providers import repository as providers_repo
from shared.cache import cached_json
from shared.db import ReadSessionDep
from shared.errors import NotFound, problem_responses
from shared.responses import json_response
from shared.schemas import Timestamp

router = APIRouter(prefix="/hsds", tags=["hsds"])

Search = Annotated[str | None, Query(max_length=200, description="Full text search (diacritics ignored).")]
PageNo = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
PerPage = Annotated[int, Query(ge=1, le=100, description="Results per page (1 to 100).")]
ModifiedAfter = Annotated[Timestamp | None, Query(description="Only results modified on or after (ISO 8601).")]
OrganizationId = Annotated[uuid.UUID | None, Query(description="Only services of this organization.")]
TermId = Annotated[uuid.UUID | None, Query(description="Only services with this taxonomy term.")]
Json = dict[str, Any]


@dataclass(frozen=True)
class ServiceQuery:
    """The HSDS filters of the service and service-at-location listings."""

    search: str | None
    taxonomy_term_id: uuid.UUID | None
    organization_id: uuid.UUID | None
    modified_after: datetime | None
    page: int
    per_page: int

    async def run(self, session: AsyncSession) -> tuple[list[Any], int]:
        return await service.search_offerings(
            session,
            search=self.search,
            taxonomy_term_id=self.taxonomy_term_id,
            organization_id=self.organization_id,
            modified_after=self.modified_after,
            page=self.page,
            per_page=self.per_page,
        )


async def service_query(
    search: Search = None,
    taxonomy_term_id: TermId = None,
    organization_id: OrganizationId = None,
    modified_after: ModifiedAfter = None,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> ServiceQuery:
    return ServiceQuery(search, taxonomy_term_id, organization_id, modified_after, page, per_page)


ServiceQueryDep = Annotated[ServiceQuery, Depends(service_query)]


def pages_of(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """The answers of a listing: pages of the model (HSDS's envelope), or 422 for a bad filter."""
    return {200: {"model": HsdsPage[model]}, **problem_responses(422)}  # type: ignore[valid-type]


def one(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """The answers of one item's read: the model, or 404."""
    return {200: {"model": model}, **problem_responses(404)}


def _page_of(items: list[Json], page: int, per_page: int) -> Response:
    """A page of a list read whole (the taxonomies and their terms are few)."""
    start = (page - 1) * per_page
    chosen = items[start : start + per_page]
    return json_response(mapping.page(chosen, total=len(items), page_number=page, per_page=per_page))


def base_url(request: Request) -> str:
    return str(settings_of(request.app).public_base_url).rstrip("/")


@router.get(
    "/",
    summary="HSDS API meta information",
    responses={200: {"model": HsdsRoot}},
    description="HSDS 3.0 meta information: version, profile and the `x_` extensions this catalogue adds.",
)
async def hsds_root(request: Request) -> Response:
    base = base_url(request)
    return json_response(
        {
            "version": mapping.HSDS_VERSION,
            "profile": f"{base}/docs#/hsds",
            "openapi_url": f"{base}/openapi.json",
            "x_extensions": {
                "organization": "x_nip, x_regon, x_krs, x_legal_form, x_is_pes, x_social_enterprise, x_public_benefit, "
                "x_employees, x_excluded_share, x_terc, x_operating_areas_terc",
                "service": "x_service_type_code, x_area_code, x_unit, x_unit_price_grosze, x_capacity_per_month, "
                "x_free_capacity, x_delivery_areas_terc, x_accessibility",
            },
        }
    )


@router.get(
    "/services",
    summary="HSDS services (our offerings)",
    responses=pages_of(HsdsService),
    description=(
        "HSDS services (offerings of verified providers), paged as the standard says; `search`, "
        "`taxonomy_term_id`, `organization_id` and `modified_after` filter."
    ),
)
async def hsds_services(
    request: Request,
    session: ReadSessionDep,
    query: ServiceQueryDep,
) -> Response:
    async def build() -> dict[str, Any]:
        rows, total = await query.run(session)
        base = base_url(request)
        contents = [mapping.service_list_item(r, base_url=base) for r in rows]
        return mapping.page(contents, total=total, page_number=query.page, per_page=query.per_page)

    return await cached_json(request, PUBLIC_LISTS, build, max_age=0)  # the same for everyone: kept until a write


@router.get(
    "/services/{service_id}",
    summary="One HSDS service, fully nested",
    responses=one(HsdsService),
    description=(
        "One HSDS service with its organization, attributes (areas, service types, target groups), service "
        "areas (TERC), schedules, cost options and languages."
    ),
)
async def hsds_service(request: Request, session: ReadSessionDep, service_id: uuid.UUID) -> Response:
    row = await service.public_offering(session, service_id)
    provider = await service.public_provider(session, row.provider_id)
    names = service.area_names(await service.all_terms(session))
    return json_response(
        mapping.service_full(
            row,
            provider,
            area_name=names[row.area_code],
            place_names=await places.names(session, row.delivery_areas),
            base_url=base_url(request),
        )
    )


@router.get(
    "/organizations",
    summary="HSDS organizations (verified providers)",
    responses=pages_of(HsdsOrganization),
    description="HSDS organizations (verified providers), paged as the standard says.",
)
async def hsds_organizations(
    request: Request,
    session: ReadSessionDep,
    search: Search = None,
    modified_after: ModifiedAfter = None,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> Response:
    async def build() -> dict[str, Any]:
        rows, total = await providers_repo.search(
            session,
            principal=None,
            filters=providers_repo.ProviderFilters(text=search, modified_after=modified_after),
            sort="name",
            offset=(page - 1) * per_page,
            limit=per_page,
        )
        base = base_url(request)
        contents = [mapping.organization(p, full=False, base_url=base) for p in rows]
        return mapping.page(contents, total=total, page_number=page, per_page=per_page)

    return await cached_json(request, PUBLIC_LISTS, build, max_age=0)


@router.get(
    "/organizations/{organization_id}",
    summary="One HSDS organization",
    responses=one(HsdsOrganization),
    description=(
        "One HSDS organization with identifiers (NIP, REGON, KRS), phones, contacts, its location and services."
    ),
)
async def hsds_organization(request: Request, session: ReadSessionDep, organization_id: uuid.UUID) -> Response:
    provider = await service.public_provider(session, organization_id)
    base = base_url(request)
    org = mapping.organization(provider, full=True, base_url=base)
    rows, _ = await service.search_offerings(
        session,
        search=None,
        taxonomy_term_id=None,
        organization_id=organization_id,
        modified_after=None,
        page=1,
        per_page=100,
    )
    org["services"] = [mapping.service_list_item(r, base_url=base) for r in rows]
    return json_response(org)


@router.get(
    "/taxonomies",
    summary="HSDS taxonomies",
    responses=pages_of(HsdsTaxonomy),
    description="The taxonomies: statutory areas, service types, target groups.",
)
async def hsds_taxonomies(request: Request, page: PageNo = 1, per_page: PerPage = 20) -> Response:
    return _page_of([mapping.taxonomy(key, base_url(request)) for key in mapping.TAXONOMIES], page, per_page)


@router.get(
    "/taxonomies/{taxonomy_id}",
    summary="One HSDS taxonomy",
    responses=one(HsdsTaxonomy),
    description="One taxonomy: the statutory areas, the service types or the target groups.",
)
async def hsds_taxonomy(request: Request, taxonomy_id: Annotated[uuid.UUID, Path()]) -> Response:
    for key in mapping.TAXONOMIES:
        if mapping.taxonomy_id(key) == str(taxonomy_id):
            return json_response(mapping.taxonomy(key, base_url(request)))
    raise NotFound(f"Taxonomy {taxonomy_id} does not exist.", pl=f"Taksonomia {taxonomy_id} nie istnieje.")


@router.get(
    "/taxonomy_terms",
    summary="HSDS taxonomy terms",
    responses=pages_of(HsdsTaxonomyTerm),
    description="Taxonomy terms, by taxonomy or parent.",
)
async def hsds_taxonomy_terms(
    session: ReadSessionDep,
    search: Search = None,
    taxonomy_id: Annotated[uuid.UUID | None, Query(description="Only terms of this taxonomy.")] = None,
    parent_id: Annotated[uuid.UUID | None, Query(description="Only children of this term.")] = None,
    top_only: Annotated[bool, Query(description="Only terms without a parent.")] = False,
    page: PageNo = 1,
    per_page: PerPage = 20,
) -> Response:
    terms = [t.body for t in await service.all_terms(session)]
    if taxonomy_id:
        terms = [t for t in terms if t["taxonomy_id"] == str(taxonomy_id)]
    if parent_id:
        terms = [t for t in terms if t.get("parent_id") == str(parent_id)]
    if top_only:
        terms = [t for t in terms if "parent_id" not in t]
    if search:
        needle = search.casefold()
        terms = [t for t in terms if needle in t["name"].casefold() or needle in t["code"]]
    return _page_of(terms, page, per_page)


@router.get(
    "/taxonomy_terms/{term_id}",
    summary="One HSDS taxonomy term",
    responses=one(HsdsTaxonomyTerm),
    description="One taxonomy term: an area, a service type or a target group, with its parent.",
)
async def hsds_taxonomy_term(session: ReadSessionDep, term_id: uuid.UUID) -> Response:
    for t in await service.all_terms(session):
        if t.body["id"] == str(term_id):
            return json_response(t.body)
    raise NotFound(f"Taxonomy term {term_id} does not exist.", pl=f"Termin taksonomii {term_id} nie istnieje.")


@router.get(
    "/service_at_locations",
    summary="HSDS services at locations",
    responses=pages_of(HsdsServiceAtLocation),
    description="Services at their providers' locations.",
)
async def hsds_service_at_locations(
    request: Request,
    session: ReadSessionDep,
    query: ServiceQueryDep,
) -> Response:
    async def build() -> dict[str, Any]:
        rows, total = await query.run(session)
        providers = await service.providers_by_id(session, {r.provider_id for r in rows})
        base = base_url(request)
        contents = [mapping.service_at_location(r, providers[r.provider_id], base_url=base) for r in rows]
        return mapping.page(contents, total=total, page_number=query.page, per_page=query.per_page)

    return await cached_json(request, PUBLIC_LISTS, build, max_age=0)


@router.get(
    "/service_at_locations/{service_at_location_id}",
    summary="One HSDS service at location",
    responses=one(HsdsServiceAtLocation),
    description="One service at location, with the location and the service.",
)
async def hsds_service_at_location(
    request: Request, session: ReadSessionDep, service_at_location_id: uuid.UUID
) -> Response:
    # Each offering is delivered from its provider's one location, so the pair shares the offering's id.
    row = await service.public_offering(session, service_at_location_id)
    provider = await service.public_provider(session, row.provider_id)
    return json_response(mapping.service_at_location(row, provider, base_url=base_url(request)))
