"""Providers' standing as of now, for the services that decide who may bid (commissioning asks when its copy of
a standing is older than its freshness bound): the same facts the provider events tell, at the catalogue's
version of each provider."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import Field

from services.catalogue.models.providers import LegalForm, ProviderStatus
from services.catalogue.outbox.service import standing_of
from services.catalogue.providers import repository
from shared.auth import CurrentPrincipal, Role, require_role
from shared.db import ReadSessionDep
from shared.errors import problem_responses
from shared.schemas import Schema

MAX_IDS = 200

router = APIRouter(prefix="/v1/provider-standings", tags=["providers"])


class StandingOut(Schema):
    provider_id: uuid.UUID = Field(description="Provider id.")
    version: int = Field(description="The catalogue's version of the provider: one more on every change of it.")
    status: ProviderStatus = Field(description="Verification status.")
    name: str = Field(description="Name.")
    nip: str = Field(description="NIP.")
    legal_form: LegalForm = Field(description="Legal form.")
    is_pes: bool = Field(description="A PES under the 2022 Act.")
    social_enterprise: bool = Field(description="Holds the social-enterprise (PS) status.")
    excluded_share: float | None = Field(description="Share of employees from socially excluded groups (0..1).")


class StandingsOut(Schema):
    items: list[StandingOut] = Field(description="The providers asked for that exist, in no particular order.")


@router.get(
    "",
    summary="Providers' standing as of now (service accounts and administrators)",
    responses=problem_responses(401, 403, 422),
    description=(
        "The status and eligibility facts of the providers named, read as committed now, each with the catalogue's"
        " version of the provider. For services deciding who may bid; providers that do not exist are left out."
    ),
)
async def provider_standings(
    session: ReadSessionDep,
    principal: CurrentPrincipal,
    provider_id: Annotated[
        list[uuid.UUID], Query(alias="id", min_length=1, max_length=MAX_IDS, description="Provider ids (1 to 200).")
    ],
) -> StandingsOut:
    require_role(principal, Role.ADMIN)
    rows = await repository.by_ids(session, set(provider_id))
    return StandingsOut(items=[StandingOut.model_validate(standing_of(row)) for row in rows])
