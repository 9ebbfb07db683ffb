"""Taxonomy endpoints: areas, target groups, service types."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.taxonomy import repository, service
from services.catalogue.taxonomy.schemas import (
    AreaOut,
    ServiceTypeCreate,
    ServiceTypeOut,
    ServiceTypeUpdate,
    TargetGroupOut,
)
from shared.cache import cached_json, invalidate
from shared.db import ReadSessionDep, database_of
from shared.errors import problem_responses
from shared.pagination import Page, PageParamsDep
from shared.routes import ChangeDep, WriteDep, tagged

VOCABULARY_MAX_AGE = 3600  # the statutory areas and target groups change with a migration, not a request
SERVICE_TYPES_MAX_AGE = 300  # administrators add and change service types
TAXONOMY = "taxonomy"  # the cache topic of these answers (shared.cache): a service type's change drops it

router = APIRouter(prefix="/v1", tags=["taxonomy"])


async def _vocabulary(
    request: Request, rows: Callable[[AsyncSession], Awaitable[Sequence[Any]]], out: type[BaseModel]
) -> Response:
    """A vocabulary the migrations keep (areas, target groups), answered from the cache while it is fresh."""

    async def build() -> list[Any]:
        async with database_of(request.app).read() as session:
            return [out.model_validate(row).model_dump(mode="json") for row in await rows(session)]

    return await cached_json(request, TAXONOMY, build, max_age=VOCABULARY_MAX_AGE)


@router.get(
    "/areas",
    summary="The 14 statutory areas of social services",
    response_model=list[AreaOut],
    description=(
        "The 14 statutory areas of social services (art. 2 ust. 1 ustawy o realizowaniu usług społecznych "
        "przez CUS), in Polish and English."
    ),
)
async def list_areas(request: Request) -> Response:
    return await _vocabulary(request, repository.list_areas, AreaOut)


@router.get(
    "/target-groups",
    summary="Target groups (open vocabulary)",
    response_model=list[TargetGroupOut],
    description=(
        "The open vocabulary of target groups (seniors, people with disabilities, families...) used by "
        "offerings and reports."
    ),
)
async def list_target_groups(request: Request) -> Response:
    return await _vocabulary(request, repository.list_target_groups, TargetGroupOut)


@router.get(
    "/service-types",
    summary="List service types",
    response_model=Page[ServiceTypeOut],
    responses=problem_responses(422),
    description=(
        "Service types under the statutory areas, each with its unit (hour, visit, place-month...); `q` "
        "searches names without diacritics."
    ),
)
async def list_service_types(
    request: Request,
    paging: PageParamsDep,
    area: Annotated[str | None, Query(max_length=32, description="Only this statutory area.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the name, diacritics ignored.")] = None,
) -> Response:
    async def build() -> dict[str, Any]:
        async with database_of(request.app).read() as session:
            if area:
                await service.check_area(session, area, field="area")
            rows, total = await repository.search_service_types(
                session, area=area, text=q, offset=paging.offset, limit=paging.per_page
            )
            page = Page.build([ServiceTypeOut.model_validate(r) for r in rows], total, paging)
            return page.model_dump(mode="json")

    return await cached_json(request, TAXONOMY, build, max_age=SERVICE_TYPES_MAX_AGE)


@router.get(
    "/service-types/{service_type_id}",
    summary="Read a service type",
    responses=problem_responses(404),
    description="One service type; its ETag is the version a change must name in If-Match.",
)
async def get_service_type(service_type_id: uuid.UUID, session: ReadSessionDep, response: Response) -> ServiceTypeOut:
    return ServiceTypeOut.model_validate(tagged(response, await service.get_service_type(session, service_type_id)))


@router.post(
    "/service-types",
    summary="Create a service type (admin)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
    description="Add a service type under a statutory area (administrators).",
)
async def create_service_type(request: Request, data: ServiceTypeCreate, write: WriteDep) -> ServiceTypeOut:
    created = write.tagged(await write(service.create_service_type, data=data))
    await invalidate(write.session, request.app, TAXONOMY)
    write.response.headers["Location"] = f"/v1/service-types/{created.id}"
    return ServiceTypeOut.model_validate(created)


@router.patch(
    "/service-types/{service_type_id}",
    summary="Change a service type (admin, If-Match)",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
    description="Change a service type (administrators; If-Match).",
)
async def update_service_type(
    request: Request, service_type_id: uuid.UUID, data: ServiceTypeUpdate, change: ChangeDep
) -> ServiceTypeOut:
    updated = await change(service.update_service_type, service_type_id=service_type_id, data=data)
    await invalidate(change.write.session, request.app, TAXONOMY)
    return ServiceTypeOut.model_validate(updated)
