"""Integrators' webhook subscriptions to the catalogue's events and their deliveries (see shared.webhooks)."""

from __future__ import annotations

from services.catalogue.base import Base
from shared.webhooks import WebhookDeliveryColumns, WebhookSubscriptionColumns


class WebhookSubscription(WebhookSubscriptionColumns, Base):
    pass


class WebhookDelivery(WebhookDeliveryColumns, Base):
    pass
