"""Places: the TERC register's voivodeships, powiats and gminas, for pickers and readable area names."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import Field

from services.catalogue.places import repository
from shared.db import ReadSessionDep
from shared.errors import problem_responses
from shared.pagination import Page, PageParamsDep
from shared.schemas import Schema

router = APIRouter(prefix="/v1/places", tags=["taxonomy"])

LEVELS = {"voivodeship": 2, "powiat": 4, "gmina": 7}


class PlaceOut(Schema):
    code: str = Field(description="TERC code (2, 4 or 7 digits).", examples=["2611011"])
    name: str = Field(description="Name.", examples=["Starachowice"])
    kind: str = Field(description="Kind, as GUS names it.", examples=["gmina miejska"])


@router.get(
    "",
    summary="Search the TERC register (diacritics ignored)",
    responses=problem_responses(422),
    description=(
        "Voivodeships, powiats and gminas of GUS's TERC register by name (diacritics ignored), inside a unit "
        "(`parent`) or at a level."
    ),
)
async def search_places(
    session: ReadSessionDep,
    paging: PageParamsDep,
    q: Annotated[str | None, Query(max_length=100, description="Part of the name.")] = None,
    parent: Annotated[str | None, Query(pattern=r"^\d{2}(\d{2})?$", description="Units inside this code.")] = None,
    level: Annotated[Literal["voivodeship", "powiat", "gmina"] | None, Query(description="Only this level.")] = None,
) -> Page[PlaceOut]:
    units, total = await repository.search(
        session,
        text=q,
        parent=parent,
        level=LEVELS[level] if level else None,
        offset=paging.offset,
        limit=paging.per_page,
    )
    return Page.build([PlaceOut.model_validate(u) for u in units], total, paging)
