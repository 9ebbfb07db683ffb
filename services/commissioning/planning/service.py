"""Planning rules: a municipality plans only for itself; services come from the catalogue."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import acts_for_municipality, require_municipality_role
from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.models.municipalities import Municipality
from services.commissioning.models.planning import Need, Programme, ProgrammeLine
from services.commissioning.municipalities.service import not_registered
from services.commissioning.planning import repository
from services.commissioning.planning.schemas import NeedCreate, ProgrammeCreate
from services.commissioning.rules.advisor import NeedFacts, advise
from services.commissioning.rules.modes import rules_in_force
from shared.auth import Principal
from shared.concurrency import load_for_write
from shared.errors import Forbidden, NotFound, ValidationProblem


async def municipality_for_write(session: AsyncSession, principal: Principal, terc: str) -> Municipality:
    require_municipality_role(principal)
    if not acts_for_municipality(principal, terc):
        raise Forbidden(
            f"A municipality acts only for itself (token for {principal.terc}, not {terc}).",
            pl=f"Gmina działa tylko we własnym imieniu (token gminy {principal.terc}, nie {terc}).",
        )
    return await load_for_write(session, Municipality, terc, if_match="*", lock=False, missing=not_registered(terc))


async def create_programme(
    session: AsyncSession, catalogue: CatalogueClient, *, principal: Principal, terc: str, data: ProgrammeCreate
) -> Programme:
    await municipality_for_write(session, principal, terc)
    programme = Programme(
        municipality_terc=terc,
        title=data.title,
        period_start=data.period_start,
        period_end=data.period_end,
        resolution_number=data.resolution_number,
        resolution_date=data.resolution_date,
    )
    session.add(programme)
    await session.flush()
    for i, line in enumerate(data.lines):
        service_type = await catalogue.service_type(line.service_type_id, field=f"lines.{i}.service_type_id")
        session.add(
            ProgrammeLine(
                programme_id=programme.id,
                service_type_id=line.service_type_id,
                service_type_code=service_type["code"],
                service_type_name=service_type["name_pl"],
                unit=service_type["unit"],
                quantity=line.quantity,
                budget_grosze=line.budget_grosze,
                target_groups=line.target_groups,
                area_terc=terc,
            )
        )
    await session.flush()
    await session.refresh(programme)
    return programme


async def programme(session: AsyncSession, programme_id: uuid.UUID) -> Programme:
    found = await session.get(Programme, programme_id)
    if found is None:
        raise NotFound(f"Programme {programme_id} does not exist.", pl=f"Program {programme_id} nie istnieje.")
    return found


async def create_need(
    session: AsyncSession, catalogue: CatalogueClient, *, principal: Principal, terc: str, data: NeedCreate
) -> Need:
    await municipality_for_write(session, principal, terc)
    service_type_id = data.service_type_id
    if data.programme_line_id:
        found = await repository.line_with_programme(session, data.programme_line_id)
        if found is None or found[1].municipality_terc != terc:
            raise ValidationProblem.field(
                "programme_line_id",
                "no such line in this municipality's programmes",
                pl="w programach tej gminy nie ma takiej pozycji",
            )
        service_type_id = service_type_id or found[0].service_type_id
    if service_type_id is None:
        raise ValidationProblem.field(
            "service_type_id",
            "give a service type or a programme line",
            pl="podaj rodzaj usługi lub pozycję programu",
        )
    service_type = await catalogue.service_type(service_type_id)
    need = Need(
        municipality_terc=terc,
        programme_line_id=data.programme_line_id,
        title=data.title,
        service_type_id=service_type_id,
        service_type_code=service_type["code"],
        service_type_name=service_type["name_pl"],
        unit=service_type["unit"],
        quantity=data.quantity,
        estimated_value_grosze=data.estimated_value_grosze,
        vat_rate_percent=data.vat_rate_percent,
        period_start=data.period_start,
        period_end=data.period_end,
        area_terc=terc,
        target_groups=data.target_groups,
        notes=data.notes,
    )
    session.add(need)
    await session.flush()
    await session.refresh(need)
    return need


async def need_for(session: AsyncSession, principal: Principal | None, need_id: uuid.UUID) -> Need:
    """Needs are a municipality's internal planning: only it (and admins) see them."""
    need = await session.get(Need, need_id)
    if need is None or not acts_for_municipality(principal, need.municipality_terc):
        raise NotFound(
            f"Need {need_id} does not exist or is not yours.", pl=f"Potrzeba {need_id} nie istnieje lub nie jest Twoja."
        )
    return need


async def mode_advice(
    session: AsyncSession, catalogue: CatalogueClient, *, principal: Principal, need_id: uuid.UUID, today: date
) -> dict[str, object]:
    need = await need_for(session, principal, need_id)
    rule_set = rules_in_force(today)
    local_pes = await catalogue.local_pes_offerings(need.service_type_id, need.area_terc)
    facts = NeedFacts(
        value_grosze=need.estimated_value_grosze,
        period_start=need.period_start,
        period_end=need.period_end,
        local_pes_offerings=local_pes,
        vat_rate_percent=need.vat_rate_percent,
    )
    return {
        "need_id": str(need.id),
        "rules_version": rule_set.version,
        "value_grosze": need.estimated_value_grosze,
        "duration_days": need.duration_days,
        "local_pes_offerings": local_pes,
        "modes": advise(rule_set, facts),
    }
