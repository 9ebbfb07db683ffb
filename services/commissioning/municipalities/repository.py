"""Municipality queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.municipalities import Municipality, MunicipalityBudget


async def all_municipalities(session: AsyncSession) -> Sequence[Municipality]:
    return (await session.scalars(select(Municipality).order_by(Municipality.terc))).all()


async def budgets(session: AsyncSession, terc: str) -> Sequence[MunicipalityBudget]:
    query = select(MunicipalityBudget).where(MunicipalityBudget.terc == terc).order_by(MunicipalityBudget.year)
    return (await session.scalars(query)).all()
