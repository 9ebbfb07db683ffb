"""Taxonomy queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.taxonomy import Area, ServiceType, TargetGroup
from shared.db import escape_like


async def list_areas(session: AsyncSession) -> Sequence[Area]:
    return (await session.scalars(select(Area).order_by(Area.position))).all()


async def list_target_groups(session: AsyncSession) -> Sequence[TargetGroup]:
    return (await session.scalars(select(TargetGroup).order_by(TargetGroup.code))).all()


async def area_codes(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(Area.code))).all())


async def target_group_codes(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(TargetGroup.code))).all())


async def service_type_code_taken(session: AsyncSession, code: str) -> bool:
    return (await session.scalar(select(func.count()).where(ServiceType.code == code))) != 0


async def search_service_types(
    session: AsyncSession, *, area: str | None, text: str | None, offset: int, limit: int
) -> tuple[Sequence[ServiceType], int]:
    query = select(ServiceType)
    if area:
        query = query.where(ServiceType.area_code == area)
    if text:
        pattern = f"%{escape_like(text)}%"
        query = query.where(
            or_(
                func.cus_unaccent(ServiceType.name_pl).ilike(func.cus_unaccent(pattern)),
                ServiceType.name_en.ilike(pattern),
                ServiceType.code.ilike(pattern),
            )
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(ServiceType.area_code, ServiceType.name_pl).offset(offset).limit(limit))
    return rows.all(), int(total or 0)


async def all_service_types(session: AsyncSession) -> Sequence[ServiceType]:
    return (await session.scalars(select(ServiceType).order_by(ServiceType.code))).all()
