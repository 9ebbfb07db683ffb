"""Municipality queries."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.municipalities import Municipality


async def all_municipalities(session: AsyncSession) -> Sequence[Municipality]:
    return (await session.scalars(select(Municipality).order_by(Municipality.terc))).all()
