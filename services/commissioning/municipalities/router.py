"""Municipalities: admins register them; a municipality keeps its own CUS details."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from services.commissioning.municipalities import repository, service
from services.commissioning.municipalities.schemas import (
    BudgetIn,
    BudgetOut,
    MunicipalityCreate,
    MunicipalityFields,
    MunicipalityOut,
)
from shared.db import ReadSessionDep
from shared.errors import problem_responses
from shared.identifiers import GminaTercStr
from shared.pagination import Page, PageParamsDep, page_of
from shared.routes import ChangeDep, WriteDep, tagged

router = APIRouter(prefix="/v1/municipalities", tags=["municipalities"])


@router.get(
    "",
    summary="List municipalities (public)",
    description="The municipalities (gminy) registered in commissioning, with their CUS.",
)
async def list_municipalities(session: ReadSessionDep, paging: PageParamsDep) -> Page[MunicipalityOut]:
    return page_of([MunicipalityOut.model_validate(m) for m in await repository.all_municipalities(session)], paging)


@router.get(
    "/{terc}",
    summary="Read a municipality (public)",
    responses=problem_responses(404, 422),
    description="One municipality; its ETag for If-Match.",
)
async def get_municipality(terc: GminaTercStr, session: ReadSessionDep, response: Response) -> MunicipalityOut:
    return MunicipalityOut.model_validate(tagged(response, await service.get(session, terc)))


@router.post(
    "",
    summary="Register a municipality (admin)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
    description="Register a gmina and its centre for social services (administrators).",
)
async def create_municipality(data: MunicipalityCreate, write: WriteDep) -> MunicipalityOut:
    municipality = write.tagged(await write(service.register, data=data))
    write.response.headers["Location"] = f"/v1/municipalities/{municipality.terc}"
    return MunicipalityOut.model_validate(municipality)


@router.put(
    "/{terc}",
    summary="Change a municipality's CUS details (the municipality itself or an admin; If-Match)",
    responses=problem_responses(401, 403, 404, 412, 422, 428),
    description="The municipality (or an administrator) changes its details (If-Match).",
)
async def update_municipality(terc: GminaTercStr, data: MunicipalityFields, change: ChangeDep) -> MunicipalityOut:
    return MunicipalityOut.model_validate(await change(service.update, terc=terc, data=data))


@router.put(
    "/{terc}/budgets/{year}",
    summary="Record what the year's budget plans for grants to NGOs (caps small grants at 20 %, UDPP art. 19a)",
    responses=problem_responses(401, 403, 404, 422),
    description=(
        "Record the year's funds planned for NGO grants (the annual cooperation programme): small grants in "
        "that year then stop at 20 % of it (UDPP art. 19a)."
    ),
)
async def set_budget(
    terc: GminaTercStr,
    year: Annotated[int, Path(ge=2000, le=2100, description="Budget year.")],
    data: BudgetIn,
    write: WriteDep,
) -> BudgetOut:
    return BudgetOut.model_validate(await write(service.set_budget, terc=terc, year=year, data=data))


@router.get(
    "/{terc}/budgets",
    summary="The NGO grants a municipality's budgets plan (public)",
    description="The recorded yearly budgets (public).",
)
async def list_budgets(terc: GminaTercStr, session: ReadSessionDep, paging: PageParamsDep) -> Page[BudgetOut]:
    return page_of([BudgetOut.model_validate(b) for b in await repository.budgets(session, terc)], paging)
