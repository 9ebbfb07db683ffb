"""Providers' standing as of now, for the services that decide who may bid (commissioning asks when its copy of
a standing is older than its freshness bound): the same facts the provider events tell, at the catalogue's
version of each provider."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from services.catalogue.providers import repository
from services.catalogue.providers.schemas import ProviderSummary
from shared.auth import CurrentPrincipal, Role, require_role
from shared.db import ReadSessionDep
from shared.errors import problem_responses
from shared.schemas import Schema

MAX_IDS = 200

router = APIRouter(prefix="/v1/provider-standings", tags=["providers"])


class StandingOut(ProviderSummary):
    """A provider as its summary shows it, with what deciding who may bid also needs."""

    version: int = Field(description="The catalogue's version of the provider: one more on every change of it.")
    nip: str = Field(description="NIP.")
    excluded_share: float | None = Field(description="Share of employees from socially excluded groups (0..1).")


class StandingsOut(Schema):
    items: list[StandingOut] = Field(description="The providers asked for that exist, in no particular order.")


IDS = Query(alias="id", min_length=1, max_length=MAX_IDS, description="Provider ids (1 to 200).")


@router.get("", summary="Providers' standing as of now (service accounts)", responses=problem_responses(401, 403, 422))
async def provider_standings(
    session: ReadSessionDep, principal: CurrentPrincipal, provider_id: Annotated[list[uuid.UUID], IDS]
) -> StandingsOut:
    """The status and eligibility facts of the providers named, read as committed now, each with the catalogue's
    version of the provider. For services deciding who may bid; providers that do not exist are left out."""
    require_role(principal, Role.ADMIN)
    rows = await repository.by_ids(session, set(provider_id))
    return StandingsOut(items=[StandingOut.model_validate(row, from_attributes=True) for row in rows])
