"""Municipalities: admins register them; a municipality keeps its own CUS details."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import acts_for_municipality
from services.commissioning.models.municipalities import Municipality, MunicipalityBudget
from services.commissioning.municipalities.schemas import BudgetIn, MunicipalityCreate, MunicipalityFields
from shared.auth import Principal, Role, require_role
from shared.concurrency import load_for_write
from shared.errors import Conflict, Forbidden, NotFound


def not_registered(terc: str) -> NotFound:
    return NotFound(f"Municipality {terc} is not registered.", pl=f"Gmina {terc} nie jest zarejestrowana.")


async def get(session: AsyncSession, terc: str) -> Municipality:
    found = await session.get(Municipality, terc)
    if found is None:
        raise not_registered(terc)
    return found


async def register(session: AsyncSession, *, principal: Principal, data: MunicipalityCreate) -> Municipality:
    require_role(principal, Role.ADMIN)
    if await session.get(Municipality, data.terc):
        raise Conflict(
            f"Municipality {data.terc} is already registered.", pl=f"Gmina {data.terc} jest już zarejestrowana."
        )
    municipality = Municipality(**data.model_dump())
    session.add(municipality)
    await session.flush()
    await session.refresh(municipality)
    return municipality


async def update(
    session: AsyncSession, *, principal: Principal, terc: str, data: MunicipalityFields, if_match: str | None
) -> Municipality:
    if not acts_for_municipality(principal, terc):
        raise Forbidden(
            "Only the municipality itself or an admin may change its details.",
            pl="Dane gminy zmienia tylko ona sama lub administrator.",
        )
    municipality = await load_for_write(session, Municipality, terc, if_match=if_match, missing=not_registered(terc))
    for key, value in data.model_dump().items():
        setattr(municipality, key, value)
    await session.flush()
    return municipality


async def set_budget(
    session: AsyncSession, *, principal: Principal, terc: str, year: int, data: BudgetIn
) -> MunicipalityBudget:
    """The municipality records what its budget plans for NGO grants in a year (caps its small grants)."""
    if not acts_for_municipality(principal, terc):
        raise Forbidden(
            "Only the municipality itself or an admin records its budget.",
            pl="Budżet gminy wpisuje tylko ona sama lub administrator.",
        )
    await get(session, terc)
    budget = await session.get(MunicipalityBudget, (terc, year), with_for_update=True)
    if budget is None:
        budget = MunicipalityBudget(terc=terc, year=year, ngo_grants_planned_grosze=data.ngo_grants_planned_grosze)
        session.add(budget)
    else:
        budget.ngo_grants_planned_grosze = data.ngo_grants_planned_grosze
    await session.flush()
    return budget
