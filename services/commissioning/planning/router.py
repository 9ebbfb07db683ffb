"""Programmes (public, adopted by council resolution) and needs (the municipality's own planning)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from services.commissioning.access import acts_for_municipality
from services.commissioning.clock import WARSAW
from services.commissioning.dependencies import CatalogueDep, ClockDep
from services.commissioning.planning import repository, service
from services.commissioning.planning.schemas import (
    NeedAdviceOut,
    NeedCreate,
    NeedOut,
    ProgrammeCreate,
    ProgrammeOut,
    programme_out,
)
from shared.auth import CurrentPrincipal, OptionalPrincipal
from shared.db import ReadSessionDep
from shared.errors import Forbidden, problem_responses
from shared.identifiers import GminaTercStr
from shared.pagination import Page, PageParamsDep, page_of
from shared.routes import WriteDep

router = APIRouter(prefix="/v1", tags=["planning"])


@router.post(
    "/municipalities/{terc}/programmes",
    summary="Adopt a social-services programme (program usług społecznych)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 422),
    description=(
        "The municipality records its social-services programme (program usług społecznych, by council "
        "resolution) with its lines: service types, quantities, budgets."
    ),
)
async def create_programme(
    terc: GminaTercStr, data: ProgrammeCreate, write: WriteDep, catalogue: CatalogueDep
) -> ProgrammeOut:
    programme = await write(service.create_programme, catalogue=catalogue, terc=terc, data=data)
    write.response.headers["Location"] = f"/v1/programmes/{programme.id}"
    return programme_out(programme, list(await repository.lines_of(write.session, [programme.id])))


@router.get(
    "/municipalities/{terc}/programmes",
    summary="A municipality's programmes (public: adopted by council resolution)",
    responses=problem_responses(422),
    description="The municipality's programmes (public).",
)
async def list_programmes(terc: GminaTercStr, session: ReadSessionDep, paging: PageParamsDep) -> Page[ProgrammeOut]:
    programmes = list(await repository.programmes_of(session, terc))
    lines = list(await repository.lines_of(session, [p.id for p in programmes]))
    return page_of([programme_out(p, lines) for p in programmes], paging)


@router.get(
    "/programmes/{programme_id}",
    summary="Read a programme (public)",
    responses=problem_responses(404),
    description="One programme with its lines (public).",
)
async def get_programme(programme_id: uuid.UUID, session: ReadSessionDep) -> ProgrammeOut:
    programme = await service.programme(session, programme_id)
    return programme_out(programme, list(await repository.lines_of(session, [programme.id])))


@router.post(
    "/municipalities/{terc}/needs",
    summary="Record a need to commission",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 422, 503),
    description=(
        "The municipality records a need: a service type, quantity, value (gross, with its VAT rate) and "
        "period; from a programme line or on its own. Needs are the municipality's own planning, not public."
    ),
)
async def create_need(terc: GminaTercStr, data: NeedCreate, write: WriteDep, catalogue: CatalogueDep) -> NeedOut:
    need = await write(service.create_need, catalogue=catalogue, terc=terc, data=data)
    write.response.headers["Location"] = f"/v1/needs/{need.id}"
    return NeedOut.model_validate(need)


@router.get(
    "/municipalities/{terc}/needs",
    summary="A municipality's needs (the municipality itself)",
    responses=problem_responses(401, 403, 422),
    description="The municipality's needs (the municipality and administrators only).",
)
async def list_needs(
    terc: GminaTercStr, session: ReadSessionDep, principal: OptionalPrincipal, paging: PageParamsDep
) -> Page[NeedOut]:
    if not acts_for_municipality(principal, terc):
        raise Forbidden(
            "Needs are a municipality's own planning: only it and admins read them.",
            pl="Potrzeby to własne planowanie gminy: czytają je tylko ona i administratorzy.",
        )
    return page_of([NeedOut.model_validate(n) for n in await repository.needs_of(session, terc)], paging)


@router.get(
    "/needs/{need_id}",
    summary="Read a need (its municipality)",
    responses=problem_responses(401, 404),
    description="One need with its value, VAT rate, quantity and period (its municipality and administrators).",
)
async def get_need(need_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal) -> NeedOut:
    return NeedOut.model_validate(await service.need_for(session, principal, need_id))


@router.get(
    "/needs/{need_id}/mode-advice",
    summary="Mode advisor: allowed, recommended and forbidden commissioning modes for a need, with reasons",
    responses=problem_responses(401, 404, 503),
    description=(
        "Every commissioning mode for the need with its verdict (recommended, allowed, forbidden, not a call)"
        " and the reasons, each with its legal basis and the figures compared (values net for Pzp, gross for "
        "grants), by the rule set in force today and the verified PES offering the service in the area."
    ),
)
async def get_mode_advice(
    need_id: uuid.UUID,
    session: ReadSessionDep,
    principal: CurrentPrincipal,
    catalogue: CatalogueDep,
    clock: ClockDep,
) -> NeedAdviceOut:
    today = clock.now().astimezone(WARSAW).date()
    advice = await service.mode_advice(session, catalogue, principal=principal, need_id=need_id, today=today)
    return NeedAdviceOut.model_validate(advice)
