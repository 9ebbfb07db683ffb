"""Importing the GUS TERC register (its CSV export: WOJ;POW;GMI;RODZ;NAZWA;NAZWA_DOD;STAN_NA) and reading it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.places.models import TercUnit
from shared.db import escape_like

GMINA_KINDS = {"1", "2", "3"}  # 4, 5, 8, 9 are parts of gminas: not units the catalogue uses


def parse_terc_csv(text: str) -> list[dict[str, str]]:
    """Rows of GUS's TERC CSV as units: voivodeships (WW), powiats (WWPP), gminas (WWPPGGR)."""
    units = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    missing = {"WOJ", "POW", "GMI", "RODZ", "NAZWA", "NAZWA_DOD"} - set(reader.fieldnames or [])
    if missing:
        raise ValueError(f"not a TERC export: missing columns {sorted(missing)}")
    for row in reader:
        woj, pow_, gmi, rodz = (
            (row["WOJ"] or "").strip(),
            (row["POW"] or "").strip(),
            (row["GMI"] or "").strip(),
            (row["RODZ"] or "").strip(),
        )
        if gmi:
            if rodz not in GMINA_KINDS:
                continue
            code = f"{woj}{pow_}{gmi}{rodz}"
        else:
            code = f"{woj}{pow_}"
        if len(code) not in (2, 4, 7) or not code.isdigit():
            raise ValueError(f"malformed TERC row: {row}")
        units.append({"code": code, "name": row["NAZWA"].strip(), "kind": (row["NAZWA_DOD"] or "").strip()})
    return units


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
    session: AsyncSession, *, text: str | None, parent: str | None, level: int | None, limit: int
) -> Sequence[TercUnit]:
    query = select(TercUnit)
    if text:
        query = query.where(func.cus_unaccent(TercUnit.name).ilike(func.cus_unaccent(f"%{escape_like(text)}%")))
    if parent:
        query = query.where(TercUnit.code.like(f"{parent}%"), TercUnit.code != parent)
    if level:
        query = query.where(func.length(TercUnit.code) == level)
    return (await session.scalars(query.order_by(TercUnit.code).limit(limit))).all()


async def names(session: AsyncSession, codes: Iterable[str]) -> dict[str, str]:
    found = await session.execute(select(TercUnit.code, TercUnit.name).where(TercUnit.code.in_(set(codes))))
    return {code: name for code, name in found.all()}
