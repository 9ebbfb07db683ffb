"""Writing the catalogue's events with the change, and reading its feed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.offerings import Offering
from services.catalogue.models.outbox import EventType, OutboxEvent
from services.catalogue.models.providers import Provider, ProviderStatus
from services.catalogue.outbox import repository
from shared.auth import Principal, Role
from shared.events import Cursor, EventPage, Feed

SOURCE = "urn:cus:catalogue"
FEED = Feed(OutboxEvent, SOURCE)
STATUS_EVENTS = {
    ProviderStatus.PENDING: EventType.PROVIDER_REGISTERED,
    ProviderStatus.VERIFIED: EventType.PROVIDER_VERIFIED,
    ProviderStatus.REJECTED: EventType.PROVIDER_REJECTED,
    ProviderStatus.SUSPENDED: EventType.PROVIDER_SUSPENDED,
}


def _record(
    session: AsyncSession, provider: Provider, event: EventType, *, subject: str, public: bool, data: dict[str, Any]
) -> None:
    """An event of the provider, now."""
    FEED.record(
        session, type=event, subject=subject, time=datetime.now(UTC), provider=provider.id, public=public, data=data
    )


def provider_changed(session: AsyncSession, provider: Provider, event: EventType) -> None:
    """A provider's verification and social-economy facts after the change: what deciding who may bid needs.
    Public once the provider has been verified (suspension and reinstatement included), its members' otherwise."""
    public = event in (EventType.PROVIDER_VERIFIED, EventType.PROVIDER_SUSPENDED, EventType.PROVIDER_REINSTATED) or (
        event is EventType.PROVIDER_CHANGED and provider.status in (ProviderStatus.VERIFIED, ProviderStatus.SUSPENDED)
    )
    _record(
        session,
        provider,
        event,
        subject=f"providers/{provider.id}",
        public=public,
        data={**standing_of(provider), "voivodeship": provider.voivodeship, "terc": provider.terc},
    )


def standing_of(provider: Provider) -> dict[str, Any]:
    """What deciding who may bid needs of a provider, at the catalogue's `version` of it (one more on every
    change, in commit order): its events tell this, and `GET /v1/provider-standings` answers it."""
    return {
        "provider_id": str(provider.id),
        "version": provider.version,
        "name": provider.name,
        "status": provider.status,
        "legal_form": provider.legal_form,
        "is_pes": provider.is_pes,
        "social_enterprise": provider.social_enterprise,
        "excluded_share": provider.excluded_share,
        "nip": provider.nip,
    }


def offering_changed(session: AsyncSession, offering: Offering, provider: Provider, event: EventType) -> None:
    """What a provider offers, where, at what capacity and price, after the change (removed: its ids only).
    Public when its provider is verified, as the offering itself is; its members' otherwise."""
    removed = event is EventType.OFFERING_REMOVED
    _record(
        session,
        provider,
        event,
        subject=f"offerings/{offering.id}",
        public=provider.status == ProviderStatus.VERIFIED,
        data={"offering_id": str(offering.id), "provider_id": str(provider.id)}
        if removed
        else {
            "offering_id": str(offering.id),
            "provider_id": str(provider.id),
            "service_type_id": str(offering.service_type_id),
            "title": offering.title,
            "delivery_areas": list(offering.delivery_areas),
            "capacity_per_month": offering.capacity_per_month,
            "capacity_committed": offering.capacity_committed,
            "capacity_contracted": offering.capacity_contracted,
            "unit_price_grosze": offering.unit_price_grosze,
            "active": offering.active,
            "version": offering.version,
        },
    )


def membership_changed(session: AsyncSession, provider: Provider, subject: str, event: EventType) -> None:
    """Who acts for the provider changed: read by its members (and administrators) only."""
    _record(
        session,
        provider,
        event,
        subject=f"providers/{provider.id}/members/{subject}",
        public=False,
        data={"provider_id": str(provider.id), "subject": subject},
    )


async def with_memberships(session: AsyncSession, principal: Principal) -> Principal:
    """A provider account reads the private events of every provider it is a member of now, claim or not (a
    webhook's owner too, at every delivery: what they were a member of when they saved it no longer counts)."""
    if principal.role is not Role.PROVIDER:
        return principal
    return replace(principal, memberships=await repository.member_of(session, principal.subject))


async def page(
    session: AsyncSession, *, principal: Principal | None, after: Cursor, types: list[EventType] | None, limit: int
) -> EventPage:
    """The feed as the principal may read it: a provider account reads the private events of every provider it
    is a member of, claim or not."""
    if principal is not None:
        principal = await with_memberships(session, principal)
    return await FEED.page(session, principal=principal, after=after, types=types, limit=limit)
