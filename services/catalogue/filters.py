"""Query filters shared by the provider and offering searches, validated into plain values."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.taxonomy import ServiceType
from services.catalogue.taxonomy import repository as taxonomy_repo
from services.catalogue.taxonomy import service as taxonomy
from shared.errors import ValidationProblem
from shared.identifiers import IdentifierError, parse_terc


def parse_place(place: str | None) -> tuple[list[str], str] | None:
    """A TERC code to (the code and its enclosing units, the code)."""
    if not place:
        return None
    try:
        terc = parse_terc(place)
    except IdentifierError as exc:
        raise ValidationProblem.field("place", str(exc), location="query") from exc
    return terc.enclosing(), terc.code


async def check_common(
    session: AsyncSession, *, area: str | None, service_type: uuid.UUID | None, target_group: str | None
) -> None:
    if area:
        await taxonomy.check_area(session, area, field="area")
    if target_group and target_group not in await taxonomy_repo.target_group_codes(session):
        raise ValidationProblem.field("target_group", f"unknown target group {target_group!r}", location="query")
    if service_type and await session.get(ServiceType, service_type) is None:
        raise ValidationProblem.field("service_type", f"unknown service type {service_type}", location="query")
