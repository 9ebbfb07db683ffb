"""A service's change feed and webhooks described as an AsyncAPI 3.0 document: one message per event type, each
a CloudEvent whose `data` has that type's JSON Schema (the `data` models are the service's)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from shared.events import TYPE_PREFIX, CloudEvent


class EventData(BaseModel):
    """The base of every event type's `data` model: a field not declared is an error (the schema is exact)."""

    model_config = ConfigDict(extra="forbid")


class WebhookDisabledData(EventData):
    """Private to the subscription's owner: why it was disabled (shared.webhooks.disabled_notice)."""

    subscription_id: str
    url: str
    reason: str | None
    failures_in_row: int


def _message(event: StrEnum, model: type[BaseModel], private: bool, who: str) -> dict[str, Any]:
    return {
        "name": TYPE_PREFIX + event.value,
        "title": event.value,
        "summary": f"Read by {who} only." if private else "Public.",
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


def document(
    *,
    title: str,
    base_url: str,
    feed: str,
    webhooks: str,
    data: dict[Any, type[BaseModel]],
    private: dict[Any, str],
) -> dict[str, Any]:
    """`feed` and `webhooks` are the service's paths; `private` names who reads each private type."""
    schemas: dict[str, Any] = {}
    envelope = CloudEvent.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.update(envelope.pop("$defs", {}))
    schemas["CloudEvent"] = envelope
    messages: dict[str, Any] = {}
    for event, model in data.items():
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
        messages[event.value.replace(".", "-")] = _message(event, model, event in private, private.get(event, ""))
    refs = {name: {"$ref": f"#/components/messages/{name}"} for name in messages}
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": title,
            "version": "1.0.0",
            "description": f"Domain events written with their change and read from `GET {feed}?after=<cursor>` in "
            "an order no reader can miss; consumers deduplicate by `id`. The same events are POSTed to webhook "
            f"subscriptions (`POST {webhooks}`), signed as Standard Webhooks say: `webhook-id` (the event id), "
            "`webhook-timestamp`, `webhook-signature` (v1, HMAC-SHA256 of `id.timestamp.body` with the secret).",
        },
        "servers": {"feed": {"host": base_url.split("://", 1)[-1], "protocol": "https", "pathname": feed}},
        "channels": {
            "feed": {"address": feed, "messages": refs},
            "webhook": {
                "address": "{url}",
                "parameters": {"url": {"description": "The subscription's URL."}},
                "description": "A delivery: POST with the event as the JSON body and the signature headers.",
                "messages": refs,
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
