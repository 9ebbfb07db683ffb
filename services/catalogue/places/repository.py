"""The TERC register: loading units, searching them, their names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.places import TercUnit
from shared.db import escape_like


async def upsert(session: AsyncSession, units: Iterable[dict[str, str]]) -> int:
    rows = list(units)
    for start in range(0, len(rows), 1000):
        statement = insert(TercUnit).values(rows[start : start + 1000])
        await session.execute(
            statement.on_conflict_do_update(
                index_elements=[TercUnit.code], set_={"name": statement.excluded.name, "kind": statement.excluded.kind}
            )
        )
    return len(rows)


async def search(
    session: AsyncSession, *, text: str | None, parent: str | None, level: int | None, offset: int, limit: int
) -> tuple[Sequence[TercUnit], int]:
    query = select(TercUnit)
    if text:
        query = query.where(func.cus_unaccent(TercUnit.name).ilike(func.cus_unaccent(f"%{escape_like(text)}%")))
    if parent:
        query = query.where(TercUnit.code.like(f"{parent}%"), TercUnit.code != parent)
    if level:
        query = query.where(func.length(TercUnit.code) == level)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(TercUnit.code).offset(offset).limit(limit))
    return rows.all(), int(total or 0)


async def names(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    found = await session.execute(select(TercUnit.code, TercUnit.name).where(TercUnit.code.in_(set(codes))))
    return {code: name for code, name in found.all()}
