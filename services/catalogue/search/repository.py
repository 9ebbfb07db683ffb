"""Stored search vectors, kept fresh after a change to what they are made of: an offering, its provider, its
service type (or area). Both searches read them: the offering search and the provider search."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, literal_column, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.offerings import Offering
from services.catalogue.models.providers import Provider
from services.catalogue.models.taxonomy import Area, ServiceType
from services.catalogue.search.text import weighted_vector

# Place lexemes of an offering: '@' + each delivery area, '<' + each unit containing one (see place_tsquery_text).
PLACE_LEXEMES: Any = literal_column(
    "array_to_tsvector(ARRAY(SELECT '@' || a FROM unnest(offerings.delivery_areas) AS a)"
    " || ARRAY(SELECT '<' || a FROM unnest(offerings.delivery_area_parents) AS a))"
)


def offering_document() -> Any:
    """The weighted text of an offering: title and service type (A), provider (B), description and area (C),
    then its place lexemes (which user text cannot produce: words are `\\w+`)."""
    return (
        weighted_vector(func.concat_ws(" ", Offering.title, ServiceType.name_pl, ServiceType.name_en), "A")
        .op("||")(weighted_vector(func.concat_ws(" ", Provider.name, Provider.short_name), "B"))
        .op("||")(weighted_vector(func.concat_ws(" ", Offering.description, Area.name_pl, Area.name_en), "C"))
        .op("||")(PLACE_LEXEMES)
    )


async def refresh_offering_vectors(
    session: AsyncSession,
    *,
    offering_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
    service_type_id: uuid.UUID | None = None,
) -> None:
    """Recompute stored search vectors after a change to an offering, its provider or its service type."""
    statement = (
        update(Offering)
        .values(search_vector=offering_document())
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


async def refresh_provider_vector(session: AsyncSession, provider_id: uuid.UUID) -> None:
    await session.execute(
        update(Provider)
        .where(Provider.id == provider_id)
        .values(
            search_vector=weighted_vector(
                func.concat_ws(" ", Provider.name, Provider.short_name, Provider.city), "A"
            ).op("||")(weighted_vector(func.coalesce(Provider.description, ""), "C"))
        )
        .execution_options(synchronize_session=False)
    )
