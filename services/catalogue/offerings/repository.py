"""Offering queries: the search behind the catalogue, and keeping the text-search vectors fresh."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    DateTime,
    Integer,
    Row,
    String,
    Uuid,
    and_,
    any_,
    bindparam,
    cast,
    func,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.offerings import Offering
from services.catalogue.models.providers import Provider
from services.catalogue.models.taxonomy import ServiceType
from services.catalogue.providers.repository import provider_visibility
from services.catalogue.search.filters import SearchFilters
from services.catalogue.search.text import search_words, words_tsquery
from shared.auth import Principal, Role

# What a search row carries: the offering (without its search internals), its provider's summary, its type.
OFFERING_COLUMNS = (
    *(c for c in Offering.__table__.c if c.name not in ("search_vector", "delivery_area_parents")),
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

FREE_CAPACITY = Offering.capacity_per_month - Offering.capacity_committed - Offering.capacity_contracted

OFFERING_SORTS: dict[str, tuple[Any, ...]] = {
    "price": (Offering.unit_price_grosze.asc(), Offering.id.asc()),
    "-price": (Offering.unit_price_grosze.desc(), Offering.id.asc()),
    "free_capacity": (FREE_CAPACITY.asc(), Offering.id.asc()),
    "-free_capacity": (FREE_CAPACITY.desc(), Offering.id.asc()),
    "title": (Offering.title.asc(), Offering.id.asc()),
    "-updated_at": (Offering.updated_at.desc(), Offering.id.asc()),
}


def parent_codes(areas: list[str]) -> list[str]:
    """Codes of the units strictly containing each area: 2611011 -> 26, 2611."""
    return sorted({area[:n] for area in areas for n in (2, 4) if n < len(area)})


def _viewer(principal: Principal | None) -> tuple[str, dict[str, Any]]:
    """Who is looking, as far as visibility goes, and the values the visibility condition needs."""
    if principal is None:
        return "public", {}
    if principal.role is Role.ADMIN:
        return "admin", {}
    if principal.role is Role.PROVIDER and principal.provider_id:
        return "provider", {"viewer_provider_id": principal.provider_id}
    if principal.role is Role.REGIONAL:
        return "regional", {"viewer_voivodeship": principal.voivodeship}
    return "public", {}


def _visibility(viewer: str) -> ColumnElement[bool]:
    """Public: active offerings of verified providers. Owners, their regional verifiers and admins see more."""
    public = and_(provider_visibility(None), Offering.active.is_(True))
    if viewer == "admin":
        return true()
    if viewer == "provider":
        return or_(public, Offering.provider_id == bindparam("viewer_provider_id", type_=Uuid))
    if viewer == "regional":
        return or_(public, Provider.voivodeship == bindparam("viewer_voivodeship", type_=String))
    return public


def _base_query() -> Any:
    return (
        select(*OFFERING_COLUMNS)
        .join(Provider, Provider.id == Offering.provider_id)
        .join(ServiceType, ServiceType.id == Offering.service_type_id)
    )


@lru_cache(maxsize=8)
def _get_statement(viewer: str) -> Any:
    return _base_query().where(Offering.id == bindparam("offering_id", type_=Uuid), _visibility(viewer))


async def get_row(session: AsyncSession, offering_id: uuid.UUID, principal: Principal | None) -> Row[Any] | None:
    viewer, params = _viewer(principal)
    connection = await session.connection()
    return (await connection.execute(_get_statement(viewer), {**params, "offering_id": offering_id})).one_or_none()


@dataclass(frozen=True)
class OfferingFilters(SearchFilters):
    """Offering search filters: the shared ones, and the offering's own."""

    min_free_capacity: int | None = None
    max_unit_price_grosze: int | None = None
    provider_id: uuid.UUID | None = None
    active_only: bool = True


@dataclass(frozen=True)
class _Shape:
    """Which filters a search uses (not their values): searches of one shape share one statement object, so
    SQLAlchemy builds it and computes its cache key once, and every request only binds values."""

    viewer: str
    text: bool
    area: bool
    service_type: bool
    target_group: bool
    place: bool
    legal_forms: bool
    pes_only: bool
    social_enterprise_only: bool
    min_free_capacity: bool
    max_price: bool
    provider: bool
    modified_after: bool
    active_only: bool
    sort: str


def _shape_and_params(
    principal: Principal | None, f: OfferingFilters, sort: str | None
) -> tuple[_Shape, dict[str, Any]]:
    viewer, params = _viewer(principal)
    ts_text = search_words(f.text) if f.text else None
    values = {
        "tsquery": ts_text,
        "area": f.area or None,
        "service_type_id": f.service_type_id,
        "target_group": [f.target_group] if f.target_group else None,
        "place_query": place_tsquery_text(*f.place) if f.place else None,
        "legal_forms": f.legal_forms or None,
        "min_free_capacity": f.min_free_capacity,
        "max_unit_price_grosze": f.max_unit_price_grosze,
        "provider_id": f.provider_id,
        "modified_after": f.modified_after,
    }
    params.update({k: v for k, v in values.items() if v is not None})
    if sort is None or sort == "relevance":
        sort = "relevance" if ts_text else "title"
    shape = _Shape(
        viewer=viewer,
        text=ts_text is not None,
        area=bool(f.area),
        service_type=f.service_type_id is not None,
        target_group=bool(f.target_group),
        place=f.place is not None,
        legal_forms=bool(f.legal_forms),
        pes_only=f.pes_only,
        social_enterprise_only=f.social_enterprise_only,
        min_free_capacity=f.min_free_capacity is not None,
        max_price=f.max_unit_price_grosze is not None,
        provider=f.provider_id is not None,
        modified_after=f.modified_after is not None,
        active_only=f.active_only and viewer != "public",  # the public sees active offerings only anyway
        sort=sort,
    )
    return shape, params


def _tsquery() -> Any:
    return words_tsquery(bindparam("tsquery", type_=String))


def _place_tsquery() -> Any:
    return cast(bindparam("place_query", type_=String), TSQUERY)


def place_tsquery_text(enclosing: list[str], code: str) -> str:
    """Offerings delivered in the place or in a unit containing it (`@` lexemes), or, for a powiat or a
    voivodeship, delivered inside it (`<` lexemes): `'@14' | '@1411' | '<1411'`."""
    return " | ".join([*(f"'@{c}'" for c in enclosing), f"'<{code}'"])


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [_visibility(shape.viewer)]
    if shape.active_only:
        conditions.append(Offering.active.is_(True))
    # Text and place are answered by one GIN scan of the search vector, which carries place lexemes: a place's
    # few entries let the index skip most of a common word's postings (several times faster than the text
    # condition and array conditions ANDed from separate indexes).
    if shape.text and shape.place:
        conditions.append(Offering.search_vector.op("@@")(_tsquery().op("&&")(_place_tsquery())))
    elif shape.text:
        conditions.append(Offering.search_vector.op("@@")(_tsquery()))
    elif shape.place:
        conditions.append(Offering.search_vector.op("@@")(_place_tsquery()))
    if shape.area:
        conditions.append(ServiceType.area_code == bindparam("area", type_=String))
    if shape.service_type:
        conditions.append(Offering.service_type_id == bindparam("service_type_id", type_=Uuid))
    if shape.target_group:
        conditions.append(Offering.target_groups.op("@>")(bindparam("target_group", type_=ARRAY(String(32)))))
    if shape.legal_forms:
        conditions.append(Provider.legal_form == any_(bindparam("legal_forms", type_=ARRAY(String(32)))))
    if shape.pes_only:
        conditions.append(Provider.is_pes.is_(True))
    if shape.social_enterprise_only:
        conditions.append(Provider.social_enterprise.is_(True))
    if shape.min_free_capacity:
        conditions.append(FREE_CAPACITY >= bindparam("min_free_capacity", type_=Integer))  # noqa: SIM300
    if shape.max_price:
        conditions.append(Offering.unit_price_grosze <= bindparam("max_unit_price_grosze", type_=Integer))
    if shape.provider:
        conditions.append(Offering.provider_id == bindparam("provider_id", type_=Uuid))
    if shape.modified_after:
        conditions.append(Offering.updated_at >= bindparam("modified_after", type_=DateTime(timezone=True)))
    return conditions


@lru_cache(maxsize=1024)
def _search_statement(shape: _Shape) -> Any:
    rank: Any = func.ts_rank(Offering.search_vector, _tsquery()) if shape.text else null()
    order = (rank.desc(), Offering.id.asc()) if shape.sort == "relevance" else OFFERING_SORTS[shape.sort]
    return (
        _base_query()
        .add_columns(rank.label("rank"), func.count().over().label("total"))
        .where(*_conditions(shape))
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )


@lru_cache(maxsize=1024)
def _count_statement(shape: _Shape) -> Any:
    return (
        select(func.count())
        .select_from(Offering)
        .join(Provider, Provider.id == Offering.provider_id)
        .join(ServiceType, ServiceType.id == Offering.service_type_id)
        .where(*_conditions(shape))
    )


def search_statement(
    principal: Principal | None, filters: OfferingFilters, *, sort: str | None, offset: int, limit: int
) -> tuple[Any, dict[str, Any]]:
    """The statement for a page with its total (a window count) and its parameters; the benchmark runs the
    same pair straight on asyncpg."""
    shape, params = _shape_and_params(principal, filters, sort)
    return _search_statement(shape), {**params, "limit": limit, "offset": offset}


async def search(
    session: AsyncSession,
    *,
    principal: Principal | None,
    filters: OfferingFilters,
    sort: str | None,
    offset: int,
    limit: int,
) -> tuple[Sequence[Row[Any]], int]:
    shape, params = _shape_and_params(principal, filters, sort)
    connection = await session.connection()  # Core execution: these rows are not ORM objects
    rows = (await connection.execute(_search_statement(shape), {**params, "limit": limit, "offset": offset})).all()
    if rows:
        return rows, int(rows[0].total)
    if offset == 0:
        return rows, 0
    # past the last page the window count is not there: count separately
    return rows, int((await connection.execute(_count_statement(shape), params)).scalar_one())
