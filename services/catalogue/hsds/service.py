"""HSDS reads: resolve taxonomy terms to our filters, gather rows, map them (public data only: anonymous view)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.hsds import mapping
from services.catalogue.offerings import repository as offerings_repo
from services.catalogue.providers import repository as providers_repo
from services.catalogue.taxonomy import repository as taxonomy_repo
from shared.errors import ValidationProblem, found


@dataclass
class Term:
    taxonomy: str
    code: str
    body: dict[str, Any]
    service_type_id: uuid.UUID | None = None


async def all_terms(session: AsyncSession) -> list[Term]:
    areas = await taxonomy_repo.list_areas(session)
    groups = await taxonomy_repo.list_target_groups(session)
    types, _ = await taxonomy_repo.search_service_types(session, area=None, text=None, offset=0, limit=10_000)
    terms = [
        Term("cus-areas", a.code, mapping.term("cus-areas", a.code, a.name_pl, f"{a.name_pl} ({a.name_en})"))
        for a in areas
    ]
    terms += [
        Term(
            "cus-service-types",
            t.code,
            mapping.term(
                "cus-service-types",
                t.code,
                t.name_pl,
                t.description or f"{t.name_pl} ({t.name_en})",
                parent_code=t.area_code,
            ),
            service_type_id=t.id,
        )
        for t in types
    ]
    terms += [
        Term("cus-target-groups", g.code, mapping.term("cus-target-groups", g.code, g.name_pl, g.name_en))
        for g in groups
    ]
    return terms


def area_names(terms: list[Term]) -> dict[str, str]:
    return {t.code: t.body["name"] for t in terms if t.taxonomy == "cus-areas"}


@dataclass
class ServiceFilters:
    area: str | None = None
    service_type_id: uuid.UUID | None = None
    target_group: str | None = None


async def filters_for_term(session: AsyncSession, taxonomy_term_id: uuid.UUID | None) -> ServiceFilters:
    if taxonomy_term_id is None:
        return ServiceFilters()
    for t in await all_terms(session):
        if t.body["id"] == str(taxonomy_term_id):
            if t.taxonomy == "cus-areas":
                return ServiceFilters(area=t.code)
            if t.taxonomy == "cus-service-types":
                return ServiceFilters(service_type_id=t.service_type_id)
            return ServiceFilters(target_group=t.code)
    raise ValidationProblem.field(
        "taxonomy_term_id",
        "unknown taxonomy term (see /hsds/taxonomy_terms)",
        pl="nieznany termin taksonomii (zob. /hsds/taxonomy_terms)",
        location="query",
    )


async def search_offerings(
    session: AsyncSession,
    *,
    search: str | None,
    taxonomy_term_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    modified_after: datetime | None,
    page: int,
    per_page: int,
) -> tuple[list[Any], int]:
    filters = await filters_for_term(session, taxonomy_term_id)
    rows, total = await offerings_repo.search(
        session,
        principal=None,
        filters=offerings_repo.OfferingFilters(
            text=search,
            area=filters.area,
            service_type_id=filters.service_type_id,
            target_group=filters.target_group,
            provider_id=organization_id,
            modified_after=modified_after,
        ),
        sort="-updated_at" if not search else None,
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    return list(rows), total


async def public_offering(session: AsyncSession, offering_id: uuid.UUID) -> Any:
    return found(
        await offerings_repo.get_row(session, offering_id, None),
        f"Service {offering_id} does not exist or is not public.",
        pl=f"Usługa {offering_id} nie istnieje lub nie jest publiczna.",
    )


async def public_provider(session: AsyncSession, provider_id: uuid.UUID) -> Any:
    return found(
        await providers_repo.get_visible(session, provider_id, None),
        f"Organization {provider_id} does not exist or is not public (unverified).",
        pl=f"Organizacja {provider_id} nie istnieje lub nie jest publiczna (niezweryfikowana).",
    )


async def providers_by_id(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
    return {p.id: p for p in await providers_repo.get_many(session, ids)}
