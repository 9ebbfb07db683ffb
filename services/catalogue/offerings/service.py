"""Offering rules: only the provider's own users (or an admin) change its offerings, with optimistic versions."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Row
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.offerings import Offering
from services.catalogue.models.outbox import EventType
from services.catalogue.models.providers import Provider
from services.catalogue.models.taxonomy import ServiceType
from services.catalogue.offerings import repository
from services.catalogue.offerings.schemas import OfferingCreate, OfferingUpdate
from services.catalogue.outbox import service as outbox
from services.catalogue.providers import repository as providers_repo
from services.catalogue.providers import service as providers
from services.catalogue.search import repository as search_vectors
from services.catalogue.taxonomy import service as taxonomy
from shared.auth import Principal
from shared.concurrency import load_for_write
from shared.errors import Forbidden, NotFound, ValidationProblem


async def get_visible_row(session: AsyncSession, offering_id: uuid.UUID, principal: Principal | None) -> Row[Any]:
    row = await repository.get_row(session, offering_id, principal)
    if row is None:
        raise _missing(offering_id)
    return row


def _missing(offering_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Offering {offering_id} does not exist or is not public.",
        pl=f"Oferta usługi {offering_id} nie istnieje lub nie jest publiczna.",
    )


def _check_owner(principal: Principal, provider_id: uuid.UUID) -> bool:
    return principal.is_admin or principal.acts_for_provider(provider_id)


async def require_may_add(session: AsyncSession, principal: Principal, provider_id: uuid.UUID) -> Provider:
    """The provider, if the caller may add its offerings (its own users, admins)."""
    acting = await providers.acting_for(session, principal, provider_id)

    async def may_add(provider: Provider) -> bool:  # one who may read it is told why not
        if not _check_owner(acting, provider.id) and await providers_repo.get_visible(session, provider.id, acting):
            raise Forbidden(
                "Only the provider's own users or an admin may add its offerings.",
                pl="Oferty usług podmiotu dodają tylko jego użytkownicy lub administrator.",
            )
        return _check_owner(acting, provider.id)

    missing = providers.not_public(provider_id)
    return await load_for_write(
        session, Provider, provider_id, if_match="*", lock=False, missing=missing, may_write=may_add
    )


async def create(
    session: AsyncSession, *, principal: Principal, provider_id: uuid.UUID, data: OfferingCreate
) -> Offering:
    provider = await require_may_add(session, principal, provider_id)
    if await session.get(ServiceType, data.service_type_id) is None:
        raise ValidationProblem.field(
            "service_type_id",
            f"unknown service type {data.service_type_id}",
            pl=f"nieznany rodzaj usługi {data.service_type_id}",
        )
    await taxonomy.check_target_groups(session, data.target_groups)
    fields = data.model_dump(mode="json")
    fields["service_type_id"] = data.service_type_id
    fields["delivery_areas"] = sorted(set(data.delivery_areas))
    fields["delivery_area_parents"] = repository.parent_codes(fields["delivery_areas"])
    offering = Offering(**fields, provider_id=provider_id)
    session.add(offering)
    await session.flush()
    await search_vectors.refresh_offering_vectors(session, offering_id=offering.id)
    outbox.offering_changed(session, offering, provider, EventType.OFFERING_CHANGED)
    return offering


async def _load_for_write(
    session: AsyncSession, principal: Principal, offering_id: uuid.UUID, if_match: str | None
) -> Offering:

    async def may_change(offering: Offering) -> bool:  # one who may read it is told why not
        acting = await providers.acting_for(session, principal, offering.provider_id)
        if not _check_owner(acting, offering.provider_id) and await repository.get_row(session, offering.id, acting):
            raise Forbidden(
                "Only the offering provider's own users or an admin may change it.",
                pl="Ofertę usługi zmieniają tylko użytkownicy jej podmiotu lub administrator.",
            )
        return _check_owner(acting, offering.provider_id)

    missing = _missing(offering_id)
    return await load_for_write(
        session, Offering, offering_id, if_match=if_match, missing=missing, may_write=may_change
    )


async def update(
    session: AsyncSession,
    *,
    principal: Principal,
    offering_id: uuid.UUID,
    data: OfferingUpdate,
    if_match: str | None,
) -> Offering:
    offering = await _load_for_write(session, principal, offering_id, if_match)
    changes = data.model_dump(exclude_unset=True, mode="json")
    for field, value in changes.items():
        if value is None and field not in ("description", "accessibility", "schedule_notes"):
            raise ValidationProblem.field(field, "may not be null", pl="nie może być puste (null)")
    if "target_groups" in changes:
        await taxonomy.check_target_groups(session, changes["target_groups"])
    if "delivery_areas" in changes:
        changes["delivery_areas"] = sorted(set(changes["delivery_areas"]))
        changes["delivery_area_parents"] = repository.parent_codes(changes["delivery_areas"])
    capacity = changes.get("capacity_per_month", offering.capacity_per_month)
    committed = changes.get("capacity_committed", offering.capacity_committed)
    if committed > capacity:
        raise ValidationProblem.field(
            "capacity_committed",
            "cannot exceed capacity_per_month",
            pl="nie może przekraczać capacity_per_month",
        )
    for key, value in changes.items():
        setattr(offering, key, value)
    await session.flush()
    await search_vectors.refresh_offering_vectors(session, offering_id=offering.id)
    await _told(session, offering, EventType.OFFERING_CHANGED)
    return offering


async def _told(session: AsyncSession, offering: Offering, event: EventType) -> None:
    provider = await session.get(Provider, offering.provider_id)
    if provider is not None:
        outbox.offering_changed(session, offering, provider, event)


async def delete(session: AsyncSession, *, principal: Principal, offering_id: uuid.UUID, if_match: str | None) -> None:
    offering = await _load_for_write(session, principal, offering_id, if_match)
    await _told(session, offering, EventType.OFFERING_REMOVED)
    await session.delete(offering)
    await session.flush()
