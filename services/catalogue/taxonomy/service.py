"""Taxonomy rules: service types belong to a statutory area and name known target groups; admins manage them."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.taxonomy import ServiceType
from services.catalogue.search import repository as search_vectors
from services.catalogue.taxonomy import repository
from services.catalogue.taxonomy.schemas import ServiceTypeCreate, ServiceTypeUpdate
from shared.auth import Principal, Role, require_role
from shared.concurrency import load_for_write
from shared.errors import Conflict, NotFound, ValidationProblem


async def check_area(session: AsyncSession, code: str, *, field: str = "area_code") -> None:
    if code not in await repository.area_codes(session):
        raise ValidationProblem.field(
            field,
            f"unknown statutory area {code!r} (see GET /v1/areas)",
            pl=f"nieznany obszar ustawowy {code!r} (zob. GET /v1/areas)",
            location="query" if field == "area" else "body",
        )


async def check_target_groups(session: AsyncSession, codes: list[str], *, field: str = "target_groups") -> None:
    unknown = sorted(set(codes) - await repository.target_group_codes(session))
    if unknown:
        raise ValidationProblem.field(
            field,
            f"unknown target groups {unknown} (see GET /v1/target-groups)",
            pl=f"nieznane grupy odbiorców {unknown} (zob. GET /v1/target-groups)",
        )


async def get_service_type(session: AsyncSession, service_type_id: uuid.UUID) -> ServiceType:
    found = await session.get(ServiceType, service_type_id)
    if found is None:
        raise NotFound(
            f"Service type {service_type_id} does not exist.", pl=f"Rodzaj usługi {service_type_id} nie istnieje."
        )
    return found


async def create_service_type(session: AsyncSession, *, principal: Principal, data: ServiceTypeCreate) -> ServiceType:
    require_role(principal, Role.ADMIN)
    await check_area(session, data.area_code)
    await check_target_groups(session, data.target_groups)
    if await repository.service_type_code_taken(session, data.code):
        raise Conflict(
            f"A service type with code {data.code!r} already exists.",
            pl=f"Rodzaj usługi o kodzie {data.code!r} już istnieje.",
        )
    service_type = ServiceType(**data.model_dump())
    session.add(service_type)
    await session.flush()
    return service_type


async def update_service_type(
    session: AsyncSession,
    *,
    principal: Principal,
    service_type_id: uuid.UUID,
    data: ServiceTypeUpdate,
    if_match: str | None,
) -> ServiceType:
    require_role(principal, Role.ADMIN)
    missing = NotFound(
        f"Service type {service_type_id} does not exist.", pl=f"Rodzaj usługi {service_type_id} nie istnieje."
    )
    service_type = await load_for_write(session, ServiceType, service_type_id, if_match=if_match, missing=missing)
    changes = data.model_dump(exclude_unset=True)
    for required in ("area_code", "name_pl", "name_en", "unit", "target_groups"):
        if required in changes and changes[required] is None:
            raise ValidationProblem.field(required, "may not be null", pl="nie może być puste (null)")
    if "area_code" in changes:
        await check_area(session, changes["area_code"])
    if "target_groups" in changes:
        await check_target_groups(session, changes["target_groups"])
    for key, value in changes.items():
        setattr(service_type, key, value)
    await session.flush()
    await search_vectors.refresh_offering_vectors(session, service_type_id=service_type.id)
    await session.refresh(service_type)
    return service_type
