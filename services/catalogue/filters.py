"""The search query the provider and offering searches share: its parameters, validated into plain filters."""

from __future__ import annotations

import inspect
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.providers import LegalForm
from services.catalogue.models.taxonomy import ServiceType
from services.catalogue.search.filters import SearchFilters
from services.catalogue.taxonomy import repository as taxonomy_repo
from services.catalogue.taxonomy import service as taxonomy
from shared.errors import ValidationProblem
from shared.i18n import polish_of
from shared.identifiers import IdentifierError, parse_terc


def parse_place(place: str | None) -> tuple[list[str], str] | None:
    """A TERC code to (the code and its enclosing units, the code)."""
    if not place:
        return None
    try:
        terc = parse_terc(place)
    except IdentifierError as exc:
        raise ValidationProblem.field("place", str(exc), pl=polish_of(exc), location="query") from exc
    return terc.enclosing(), terc.code


async def check_common(
    session: AsyncSession, *, area: str | None, service_type: uuid.UUID | None, target_group: str | None
) -> None:
    if area:
        await taxonomy.check_area(session, area, field="area")
    if target_group and target_group not in await taxonomy_repo.target_group_codes(session):
        raise ValidationProblem.field(
            "target_group",
            f"unknown target group {target_group!r}",
            pl=f"nieznana grupa odbiorców {target_group!r}",
            location="query",
        )
    if service_type and await session.get(ServiceType, service_type) is None:
        raise ValidationProblem.field(
            "service_type",
            f"unknown service type {service_type}",
            pl=f"nieznany rodzaj usługi {service_type}",
            location="query",
        )


@dataclass
class SearchQuery:
    """The query parameters of both searches (a FastAPI dependency)."""

    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Text; diacritics ignored (uslugi = usługi); whole words, the last one also as a prefix.",
        ),
    ] = None
    area: Annotated[str | None, Query(max_length=32, description="Statutory area code of the services.")] = None
    service_type: Annotated[uuid.UUID | None, Query(description="Service type id.")] = None
    target_group: Annotated[str | None, Query(max_length=32, description="Target group code of the services.")] = None
    place: Annotated[
        str | None,
        Query(
            max_length=7,
            description="TERC code. A gmina matches services delivered in it and those covering its powiat or "
            "voivodeship; a powiat or voivodeship also matches services delivered inside it.",
        ),
    ] = None
    legal_form: Annotated[list[LegalForm] | None, Query(description="Provider legal forms (any of).")] = None
    pes_only: Annotated[bool, Query(description="Only social-economy entities (PES).")] = False
    social_enterprise_only: Annotated[bool, Query(description="Only social enterprises (PS).")] = False

    async def validated(self, session: AsyncSession) -> SearchFilters:
        """The filters, every code checked against the taxonomy (422 naming the parameter)."""
        await check_common(session, area=self.area, service_type=self.service_type, target_group=self.target_group)
        return SearchFilters(
            text=self.q,
            area=self.area,
            service_type_id=self.service_type,
            target_group=self.target_group,
            place=parse_place(self.place),
            legal_forms=[f.value for f in self.legal_form or []],
            pes_only=self.pes_only,
            social_enterprise_only=self.social_enterprise_only,
        )


async def search_query(**parameters: Any) -> SearchQuery:
    """SearchQuery's parameters, read by an async dependency: FastAPI runs a class or a plain function in its
    thread pool, which costs a request more than the parsing (docs/performance.md)."""
    return SearchQuery(**parameters)


search_query.__signature__ = inspect.signature(SearchQuery)  # type: ignore[attr-defined]
SearchQueryDep = Annotated[SearchQuery, Depends(search_query)]
