"""What each event's `data` holds (a JSON Schema per type), and the AsyncAPI 3.0 document of the feed."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from services.commissioning.models.outbox import EventType
from shared.asyncapi import EventData, WebhookDisabledData, document


class Winner(EventData):
    provider_id: str
    provider_name: str
    value_grosze: int
    quantity: int | None
    contract_id: str


class CallData(EventData):
    """A published call's public facts after the change."""

    call_id: str
    ocid: str
    title: str
    mode: str
    status: str
    municipality_terc: str
    deadline: str = Field(description="UTC, with Z.")
    published_at: str | None
    reason: str | None = Field(default=None, description="call.cancelled: why.")
    amendment: int | None = Field(default=None, description="call.amended: its number.")
    changes: dict[str, Any] | None = Field(default=None, description="call.amended: what changed.")
    offers: int | None = Field(default=None, description="call.offers-opened: how many (after the deadline only).")
    lot_id: str | None = Field(default=None, description="award.decided: the lot.")
    winners: list[Winner] | None = Field(default=None, description="award.decided: none, one or several.")


class ContractData(EventData):
    """A contract's public terms after the change, with what it buys."""

    contract_id: str
    call_id: str
    lot_id: str
    provider_id: str
    municipality_terc: str
    status: str
    version: int = Field(description="Events of a lower version than one applied change nothing.")
    value_grosze: int
    quantity: int | None
    unit: str | None
    service_type_id: str | None
    area_terc: str | None
    period_start: str
    period_end: str
    signed_on: str | None


class ReportData(EventData):
    contract_id: str
    report_id: str
    status: str
    period_start: str
    period_end: str
    units_delivered: int


class PaymentData(EventData):
    contract_id: str
    payment_id: str
    amount_grosze: int
    paid_on: str
    schedule_index: int | None


DATA: dict[EventType, type[EventData]] = {
    EventType.CALL_PUBLISHED: CallData,
    EventType.CALL_AMENDED: CallData,
    EventType.CALL_CANCELLED: CallData,
    EventType.OFFERS_OPENED: CallData,
    EventType.AWARD_DECIDED: CallData,
    EventType.CONTRACT_SIGNED: ContractData,
    EventType.CONTRACT_AMENDED: ContractData,
    EventType.CONTRACT_ENDED: ContractData,
    EventType.REPORT_REVIEWED: ReportData,
    EventType.PAYMENT_RECORDED: PaymentData,
    EventType.WEBHOOK_DISABLED: WebhookDisabledData,
}
PRIVATE = {EventType.REPORT_REVIEWED, EventType.PAYMENT_RECORDED, EventType.WEBHOOK_DISABLED}


def asyncapi(base_url: str) -> dict[str, Any]:
    """The feed and its webhooks as an AsyncAPI 3.0 document."""
    return document(
        title="CUS commissioning events",
        base_url=base_url,
        feed="/v1/events",
        webhooks="/v1/webhooks",
        data=dict(DATA),
        private=dict.fromkeys(PRIVATE, "the municipality and the provider")
        | {EventType.WEBHOOK_DISABLED: "the subscription's owner"},
    )
