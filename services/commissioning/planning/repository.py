"""Programme and need queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.planning import Need, Programme, ProgrammeLine


async def programmes_of(session: AsyncSession, terc: str) -> Sequence[Programme]:
    query = select(Programme).where(Programme.municipality_terc == terc).order_by(Programme.period_start.desc())
    return (await session.scalars(query)).all()


async def lines_of(session: AsyncSession, programme_ids: list[uuid.UUID]) -> Sequence[ProgrammeLine]:
    if not programme_ids:
        return []
    query = select(ProgrammeLine).where(ProgrammeLine.programme_id.in_(programme_ids)).order_by(ProgrammeLine.id)
    return (await session.scalars(query)).all()


async def line_with_programme(session: AsyncSession, line_id: uuid.UUID) -> tuple[ProgrammeLine, Programme] | None:
    query = select(ProgrammeLine, Programme).join(Programme).where(ProgrammeLine.id == line_id)
    row = (await session.execute(query)).one_or_none()
    return (row[0], row[1]) if row else None


async def needs_of(session: AsyncSession, terc: str) -> Sequence[Need]:
    query = select(Need).where(Need.municipality_terc == terc).order_by(Need.created_at.desc(), Need.id)
    return (await session.scalars(query)).all()
