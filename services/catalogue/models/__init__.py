"""All catalogue models, imported together so Alembic and the ORM see the whole schema."""

from services.catalogue.models.capacity import AppliedEvent, CapacityCommitment, FeedPosition
from services.catalogue.models.idempotency import IdempotencyRecord
from services.catalogue.models.offerings import Offering
from services.catalogue.models.outbox import OutboxEvent
from services.catalogue.models.places import TercUnit
from services.catalogue.models.providers import Provider, ProviderInvitation, ProviderMember, ProviderStatusEvent
from services.catalogue.models.taxonomy import Area, ServiceType, TargetGroup
from services.catalogue.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "AppliedEvent",
    "Area",
    "CapacityCommitment",
    "FeedPosition",
    "IdempotencyRecord",
    "Offering",
    "OutboxEvent",
    "Provider",
    "ProviderInvitation",
    "ProviderMember",
    "ProviderStatusEvent",
    "ServiceType",
    "TargetGroup",
    "TercUnit",
    "WebhookDelivery",
    "WebhookSubscription",
]
