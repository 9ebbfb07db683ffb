"""Provider queries, including who may see which provider."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, or_, select, text, true
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.offerings import Offering
from services.catalogue.models.providers import (
    Provider,
    ProviderInvitation,
    ProviderMember,
    ProviderStatus,
    ProviderStatusEvent,
)
from services.catalogue.models.taxonomy import ServiceType
from services.catalogue.search.filters import SearchFilters
from services.catalogue.search.text import tsquery
from shared.auth import Principal, Role


def provider_visibility(principal: Principal | None) -> ColumnElement[bool]:
    """Public reads see verified providers only; the provider itself, its regional verifier and admins see more."""
    verified = Provider.status == ProviderStatus.VERIFIED.value
    if principal is None:
        return verified
    if principal.role is Role.ADMIN:
        return true()
    if principal.role is Role.REGIONAL:
        return or_(verified, Provider.voivodeship == principal.voivodeship)
    if principal.role is Role.PROVIDER and principal.provider_id:
        return or_(verified, Provider.id == principal.provider_id)
    return verified


async def get_visible(session: AsyncSession, provider_id: uuid.UUID, principal: Principal | None) -> Provider | None:
    query = select(Provider).where(Provider.id == provider_id, provider_visibility(principal))
    return (await session.scalars(query)).one_or_none()


async def find_duplicates(
    session: AsyncSession,
    *,
    nip: str | None,
    krs: str | None,
    regon: str | None,
    exclude: uuid.UUID | None = None,
) -> list[str]:
    """Which of the identifiers already belong to another provider."""
    taken: list[str] = []
    for name, value in (("nip", nip), ("krs", krs), ("regon", regon)):
        if not value:
            continue
        query = select(Provider.id).where(getattr(Provider, name) == value)
        if exclude:
            query = query.where(Provider.id != exclude)
        if await session.scalar(query.limit(1)):
            taken.append(name)
    return taken


async def add_status_event(session: AsyncSession, event: ProviderStatusEvent) -> None:
    session.add(event)
    await session.flush()


async def status_history(session: AsyncSession, provider_id: uuid.UUID) -> Sequence[ProviderStatusEvent]:
    query = (
        select(ProviderStatusEvent)
        .where(ProviderStatusEvent.provider_id == provider_id)
        .order_by(ProviderStatusEvent.seq)
    )
    return (await session.scalars(query)).all()


PROVIDER_SORTS: dict[str, Any] = {
    "name": (Provider.name.asc(), Provider.id.asc()),
    "-name": (Provider.name.desc(), Provider.id.asc()),
    "created_at": (Provider.created_at.asc(), Provider.id.asc()),
    "-created_at": (Provider.created_at.desc(), Provider.id.asc()),
}


def _offering_exists(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(
        select(Offering.id)
        .join(ServiceType, ServiceType.id == Offering.service_type_id)
        .where(Offering.provider_id == Provider.id, Offering.active.is_(True), *conditions)
    )


def place_condition_for_provider(enclosing: list[str], code: str) -> ColumnElement[bool]:
    """A provider serves a place when it operates in it, in a unit containing it, or in a unit inside it."""
    within = exists(
        select(text("1"))
        .select_from(func.unnest(Provider.operating_areas).alias("a"))
        .where(text("a LIKE :prefix").bindparams(prefix=code + "%"))
    )
    return or_(
        Provider.operating_areas.op("&&")(enclosing),
        within,
        _offering_exists(
            or_(
                Offering.delivery_areas.op("&&")(enclosing),
                Offering.delivery_area_parents.op("@>")([code]),
            )
        ),
    )


@dataclass(frozen=True)
class ProviderFilters(SearchFilters):
    """Provider search filters: the shared ones, and the verification statuses."""

    statuses: list[str] = field(default_factory=list)


async def search(
    session: AsyncSession,
    *,
    principal: Principal | None,
    filters: ProviderFilters,
    sort: str,
    offset: int,
    limit: int,
) -> tuple[Sequence[Provider], int]:
    f = filters
    query: Select[tuple[Provider]] = select(Provider).where(provider_visibility(principal))
    if f.statuses:
        query = query.where(Provider.status.in_(f.statuses))
    if f.text and (q := tsquery(f.text)) is not None:
        query = query.where(
            or_(Provider.search_vector.op("@@")(q), _offering_exists(Offering.search_vector.op("@@")(q)))
        )
    offering_conditions: list[ColumnElement[bool]] = []
    if f.area:
        offering_conditions.append(ServiceType.area_code == f.area)
    if f.service_type_id:
        offering_conditions.append(Offering.service_type_id == f.service_type_id)
    if f.target_group:
        offering_conditions.append(Offering.target_groups.any(f.target_group))  # type: ignore[arg-type]
    if offering_conditions:
        query = query.where(_offering_exists(and_(*offering_conditions)))
    if f.place:
        query = query.where(place_condition_for_provider(*f.place))
    if f.legal_forms:
        query = query.where(Provider.legal_form.in_(f.legal_forms))
    if f.pes_only:
        query = query.where(Provider.is_pes.is_(True))
    if f.social_enterprise_only:
        query = query.where(Provider.social_enterprise.is_(True))
    if f.modified_after:
        query = query.where(Provider.updated_at >= f.modified_after)
    # the page and the count of every match in one statement (the filters run once); a page past the end has no row
    # to carry the count, and asks for it apart
    counted = query.add_columns(func.count().over().label("total"))
    page = (await session.execute(counted.order_by(*PROVIDER_SORTS[sort]).offset(offset).limit(limit))).all()
    if page:
        return [provider for provider, _ in page], int(page[0].total)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) if offset else 0
    return [], int(total or 0)


async def get_many(session: AsyncSession, ids: set[uuid.UUID]) -> Sequence[Provider]:
    if not ids:
        return []
    return (await session.scalars(select(Provider).where(Provider.id.in_(ids)))).all()


async def all_ids(session: AsyncSession) -> set[uuid.UUID]:
    return set((await session.scalars(select(Provider.id))).all())


async def is_member(session: AsyncSession, subject: str, provider_id: uuid.UUID) -> bool:
    return await session.get(ProviderMember, (provider_id, subject)) is not None


async def members_of(session: AsyncSession, provider_id: uuid.UUID) -> Sequence[ProviderMember]:
    query = select(ProviderMember).where(ProviderMember.provider_id == provider_id).order_by(ProviderMember.added_at)
    return (await session.scalars(query)).all()


async def providers_of(session: AsyncSession, subject: str) -> Sequence[Provider]:
    query = (
        select(Provider)
        .join(ProviderMember, ProviderMember.provider_id == Provider.id)
        .where(ProviderMember.subject == subject)
        .order_by(Provider.name)
    )
    return (await session.scalars(query)).all()


async def invitations_for(session: AsyncSession, subject: str) -> Sequence[tuple[ProviderInvitation, Provider]]:
    query = (
        select(ProviderInvitation, Provider)
        .join(Provider, Provider.id == ProviderInvitation.provider_id)
        .where(ProviderInvitation.subject == subject)
        .order_by(ProviderInvitation.created_at)
    )
    return [(invitation, provider) for invitation, provider in (await session.execute(query)).all()]


async def invitation(session: AsyncSession, provider_id: uuid.UUID, subject: str) -> ProviderInvitation | None:
    query = select(ProviderInvitation).where(
        ProviderInvitation.provider_id == provider_id, ProviderInvitation.subject == subject
    )
    return (await session.scalars(query)).one_or_none()


async def registered_by(session: AsyncSession, subject: str) -> uuid.UUID | None:
    """The provider this account registered, if any."""
    found: uuid.UUID | None = await session.scalar(
        select(Provider.id).where(Provider.registered_by == subject).limit(1)
    )
    return found


async def delete_member(session: AsyncSession, provider_id: uuid.UUID, subject: str) -> None:
    await session.execute(
        delete(ProviderMember).where(ProviderMember.provider_id == provider_id, ProviderMember.subject == subject)
    )


async def by_ids(session: AsyncSession, provider_ids: set[uuid.UUID]) -> Sequence[Provider]:
    """The providers with these ids that exist, whatever their status."""
    return (await session.scalars(select(Provider).where(Provider.id.in_(provider_ids)))).all()
