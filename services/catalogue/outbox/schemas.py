"""What each of the catalogue's events holds in `data` (a JSON Schema per type), and its AsyncAPI 3.0 document."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from services.catalogue.models.outbox import EventType
from shared.asyncapi import EventData, WebhookDisabledData, document


class ProviderData(EventData):
    """A provider's verification and social-economy facts after the change."""

    provider_id: str
    version: int = Field(description="The catalogue's version of the provider: one more on every change of it.")
    name: str
    status: str = Field(description="pending, verified, rejected, suspended.")
    legal_form: str
    is_pes: bool
    social_enterprise: bool
    excluded_share: float | None = Field(description="Share of excluded employees (reserved contracts).")
    voivodeship: str
    terc: str
    nip: str


class OfferingData(EventData):
    """What the provider offers, where, at what capacity and price, after the change."""

    offering_id: str
    provider_id: str
    service_type_id: str
    title: str
    delivery_areas: list[str]
    capacity_per_month: int
    capacity_committed: int = Field(description="Declared by the provider.")
    capacity_contracted: int = Field(description="Committed by signed contracts (commissioning's events).")
    unit_price_grosze: int
    active: bool
    version: int


class OfferingRemovedData(EventData):
    offering_id: str
    provider_id: str


class MemberData(EventData):
    provider_id: str
    subject: str = Field(description="The account (its token's `sub`).")


DATA: dict[EventType, type[EventData]] = {
    EventType.PROVIDER_REGISTERED: ProviderData,
    EventType.PROVIDER_VERIFIED: ProviderData,
    EventType.PROVIDER_REJECTED: ProviderData,
    EventType.PROVIDER_SUSPENDED: ProviderData,
    EventType.PROVIDER_REINSTATED: ProviderData,
    EventType.PROVIDER_CHANGED: ProviderData,
    EventType.OFFERING_CHANGED: OfferingData,
    EventType.OFFERING_REMOVED: OfferingRemovedData,
    EventType.MEMBER_ADDED: MemberData,
    EventType.MEMBER_REMOVED: MemberData,
    EventType.WEBHOOK_DISABLED: WebhookDisabledData,
}
MEMBERS = "the provider's members"
PRIVATE = {
    EventType.PROVIDER_REGISTERED: MEMBERS,
    EventType.PROVIDER_REJECTED: MEMBERS,
    EventType.MEMBER_ADDED: MEMBERS,
    EventType.MEMBER_REMOVED: MEMBERS,
    EventType.WEBHOOK_DISABLED: "the subscription's owner",
}


def asyncapi(base_url: str) -> dict[str, Any]:
    """The feed and its webhooks (offerings are public once their provider is verified, their members' before)."""
    return document(
        title="CUS catalogue events",
        base_url=base_url,
        feed="/v1/catalogue-events",
        webhooks="/v1/catalogue-webhooks",
        data=dict(DATA),
        private=PRIVATE,
    )
