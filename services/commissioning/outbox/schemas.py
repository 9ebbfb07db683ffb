"""What each event's `data` holds (a JSON Schema per type), and the AsyncAPI 3.0 document of the feed."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from services.commissioning.models.outbox import EventType
from shared.events import TYPE_PREFIX, CloudEvent


class EventData(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class WebhookDisabledData(EventData):
    subscription_id: str
    url: str
    reason: str | None
    failures_in_row: int


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
    """The feed as an AsyncAPI 3.0 document: one channel (the feed), one message per event type, each a
    CloudEvent whose `data` has that type's schema."""
    schemas: dict[str, Any] = {}
    envelope = CloudEvent.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(envelope.pop("$defs", {}))
    schemas["CloudEvent"] = envelope
    messages: dict[str, Any] = {}
    for event, model in DATA.items():
        data = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(data.pop("$defs", {}))
        schemas[model.__name__] = data
        name = event.value.replace(".", "-")
        messages[name] = {
            "name": TYPE_PREFIX + event.value,
            "title": event.value,
            "summary": "Read by the municipality and the provider only." if event in PRIVATE else "Public.",
            "contentType": "application/cloudevents+json",
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/CloudEvent"},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"const": TYPE_PREFIX + event.value},
                            "data": {"$ref": f"#/components/schemas/{model.__name__}"},
                        },
                    },
                ]
            },
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "CUS commissioning events",
            "version": "1.0.0",
            "description": "Domain events written with their change and read from `GET /v1/events?after=<cursor>` "
            "in an order no reader can miss; consumers deduplicate by `id`. The same events are POSTed to webhook "
            "subscriptions (`POST /v1/webhooks`), signed as Standard Webhooks say: `webhook-id` (the event id), "
            "`webhook-timestamp`, `webhook-signature` (v1, HMAC-SHA256 of `id.timestamp.body` with the secret).",
        },
        "servers": {"feed": {"host": base_url.split("://", 1)[-1], "protocol": "https", "pathname": "/v1/events"}},
        "channels": {
            "feed": {
                "address": "/v1/events",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            },
            "webhook": {
                "address": "{url}",
                "parameters": {"url": {"description": "The subscription's URL."}},
                "description": "A delivery: POST with the event as the JSON body and the signature headers.",
                "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
            },
        },
        "operations": {
            "readFeed": {
                "action": "receive",
                "channel": {"$ref": "#/channels/feed"},
                "summary": "Poll the feed with the last page's next_cursor.",
            },
            "receiveWebhook": {
                "action": "receive",
                "channel": {"$ref": "#/channels/webhook"},
                "summary": "Answer 2xx within 10 s; anything else is retried with back-off (at least once, unordered).",
            },
        },
        "components": {"messages": messages, "schemas": schemas},
    }
