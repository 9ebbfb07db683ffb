"""Offering queries: the search behind the catalogue, and keeping the text-search vectors fresh."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, func, literal, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.offerings.models import Offering
from services.catalogue.providers.models import Provider
from services.catalogue.providers.repository import provider_visibility
from services.catalogue.taxonomy.models import Area, ServiceType
from services.catalogue.text_search import tsquery, weighted_vector
from shared.auth import Principal, Role

OFFERING_COLUMNS = (
    *Offering.__table__.c,
    Provider.name.label("provider_name"),
    Provider.legal_form,
    Provider.is_pes,
    Provider.social_enterprise,
    Provider.voivodeship,
    Provider.city,
    Provider.status.label("provider_status"),
    ServiceType.code.label("st_code"),
    ServiceType.name_pl.label("st_name_pl"),
    ServiceType.name_en.label("st_name_en"),
    ServiceType.area_code,
    ServiceType.unit,
)

FREE_CAPACITY = Offering.capacity_per_month - Offering.capacity_committed

OFFERING_SORTS: dict[str, tuple[Any, ...]] = {
    "price": (Offering.price_grosze.asc(), Offering.id.asc()),
    "-price": (Offering.price_grosze.desc(), Offering.id.asc()),
    "free_capacity": (FREE_CAPACITY.asc(), Offering.id.asc()),
    "-free_capacity": (FREE_CAPACITY.desc(), Offering.id.asc()),
    "title": (Offering.title.asc(), Offering.id.asc()),
    "-updated_at": (Offering.updated_at.desc(), Offering.id.asc()),
}


def parent_codes(areas: list[str]) -> list[str]:
    """Codes of the units strictly containing each area: 2611011 -> 26, 2611."""
    return sorted({area[:n] for area in areas for n in (2, 4) if n < len(area)})


def offering_visibility(principal: Principal | None) -> ColumnElement[bool]:
    """Public: active offerings of verified providers. Owners and admins also see inactive ones."""
    public = and_(provider_visibility(None), Offering.active.is_(True))
    if principal is None:
        return public
    if principal.role is Role.ADMIN:
        return true()
    if principal.role is Role.PROVIDER and principal.provider_id:
        return or_(public, Offering.provider_id == principal.provider_id)
    if principal.role is Role.REGIONAL:
        return or_(public, Provider.voivodeship == principal.voivodeship)
    return public


def _base_query() -> Any:
    return (
        select(*OFFERING_COLUMNS)
        .join(Provider, Provider.id == Offering.provider_id)
        .join(ServiceType, ServiceType.id == Offering.service_type_id)
    )


async def get_row(session: AsyncSession, offering_id: uuid.UUID, principal: Principal | None) -> Row[Any] | None:
    query = _base_query().where(Offering.id == offering_id, offering_visibility(principal))
    return (await session.execute(query)).one_or_none()


async def get(session: AsyncSession, offering_id: uuid.UUID, *, lock: bool = False) -> Offering | None:
    query = select(Offering).where(Offering.id == offering_id)
    if lock:
        query = query.with_for_update()
    return (await session.scalars(query)).one_or_none()


@dataclass(frozen=True)
class OfferingFilters:
    """Search filters; they combine with AND. `place` is (the code and its enclosing units, the code)."""

    text: str | None = None
    area: str | None = None
    service_type_id: uuid.UUID | None = None
    target_group: str | None = None
    place: tuple[list[str], str] | None = None
    legal_forms: list[str] = field(default_factory=list)
    pes_only: bool = False
    social_enterprise_only: bool = False
    min_free_capacity: int | None = None
    max_price_grosze: int | None = None
    provider_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    active_only: bool = True


def _conditions(principal: Principal | None, f: OfferingFilters) -> tuple[list[ColumnElement[bool]], Any]:
    conditions: list[ColumnElement[bool]] = [offering_visibility(principal)]
    rank: Any = literal(None)
    if f.active_only:
        conditions.append(Offering.active.is_(True))
    if f.text and (ts_query := tsquery(f.text)) is not None:
        conditions.append(Offering.search_vector.op("@@")(ts_query))
        rank = func.ts_rank(Offering.search_vector, ts_query)
    if f.area:
        conditions.append(ServiceType.area_code == f.area)
    if f.service_type_id:
        conditions.append(Offering.service_type_id == f.service_type_id)
    if f.target_group:
        conditions.append(Offering.target_groups.op("@>")([f.target_group]))
    if f.place:
        enclosing, code = f.place
        # delivered in the place or in a unit containing it; for a powiat or voivodeship, also inside it
        conditions.append(
            or_(Offering.delivery_areas.op("&&")(enclosing), Offering.delivery_area_parents.op("@>")([code]))
        )
    if f.legal_forms:
        conditions.append(Provider.legal_form.in_(f.legal_forms))
    if f.pes_only:
        conditions.append(Provider.is_pes.is_(True))
    if f.social_enterprise_only:
        conditions.append(Provider.social_enterprise.is_(True))
    if f.min_free_capacity is not None:
        conditions.append(f.min_free_capacity <= FREE_CAPACITY)
    if f.max_price_grosze is not None:
        conditions.append(Offering.price_grosze <= f.max_price_grosze)
    if f.provider_id:
        conditions.append(Offering.provider_id == f.provider_id)
    if f.modified_after:
        conditions.append(Offering.updated_at >= f.modified_after)
    return conditions, rank


def search_statement(
    principal: Principal | None, filters: OfferingFilters, *, sort: str | None, offset: int, limit: int
) -> Any:
    """One query for a page and the total (window count); also what the benchmark runs straight on asyncpg."""
    conditions, rank = _conditions(principal, filters)
    if sort is None or sort == "relevance":
        order: tuple[Any, ...] = (rank.desc(), Offering.id.asc()) if filters.text else OFFERING_SORTS["title"]
    else:
        order = OFFERING_SORTS[sort]
    return (
        _base_query()
        .add_columns(rank.label("rank"), func.count().over().label("total"))
        .where(*conditions)
        .order_by(*order)
        .offset(offset)
        .limit(limit)
    )


async def search(
    session: AsyncSession,
    *,
    principal: Principal | None,
    filters: OfferingFilters,
    sort: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Row[Any]], int]:
    statement = search_statement(principal, filters, sort=sort, offset=offset, limit=limit)
    rows = (await session.execute(statement)).all()
    if rows:
        return rows, int(rows[0].total)
    if offset == 0:
        return rows, 0
    # past the last page the window count is not there: count separately
    conditions, _ = _conditions(principal, filters)
    count_query = (
        select(func.count())
        .select_from(Offering)
        .join(Provider, Provider.id == Offering.provider_id)
        .join(ServiceType, ServiceType.id == Offering.service_type_id)
        .where(*conditions)
    )
    return rows, int(await session.scalar(count_query) or 0)


def search_document() -> Any:
    """The weighted text of an offering: title and service type (A), provider (B), description and area (C)."""
    return (
        weighted_vector(func.concat_ws(" ", Offering.title, ServiceType.name_pl, ServiceType.name_en), "A")
        .op("||")(weighted_vector(func.concat_ws(" ", Provider.name, Provider.short_name), "B"))
        .op("||")(weighted_vector(func.concat_ws(" ", Offering.description, Area.name_pl, Area.name_en), "C"))
    )


async def refresh_search_vectors(
    session: AsyncSession,
    *,
    offering_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
    service_type_id: uuid.UUID | None = None,
) -> None:
    """Recompute stored search vectors after a change to an offering, its provider or its service type."""
    statement = (
        update(Offering)
        .values(search_vector=search_document())
        .where(
            ServiceType.id == Offering.service_type_id,
            Area.code == ServiceType.area_code,
            Provider.id == Offering.provider_id,
        )
        .execution_options(synchronize_session=False)
    )
    if offering_id:
        statement = statement.where(Offering.id == offering_id)
    if provider_id:
        statement = statement.where(Offering.provider_id == provider_id)
    if service_type_id:
        statement = statement.where(Offering.service_type_id == service_type_id)
    await session.execute(statement)
