"""The catalogue service: social services taxonomy, PES/NGO providers, their offerings, HSDS 3.0."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from services.catalogue.capacity.consumer import FeedConsumer, stream_consumer
from services.catalogue.hsds.router import router as hsds_router
from services.catalogue.models.capacity import FeedPosition
from services.catalogue.models.idempotency import IdempotencyRecord
from services.catalogue.models.outbox import EventType
from services.catalogue.models.public import PUBLIC_LISTS
from services.catalogue.models.webhooks import WebhookDelivery, WebhookSubscription
from services.catalogue.offerings.router import router as offerings_router
from services.catalogue.outbox import service as outbox
from services.catalogue.outbox.router import router as events_router
from services.catalogue.places.router import router as places_router
from services.catalogue.providers.router import me_router
from services.catalogue.providers.router import router as providers_router
from services.catalogue.providers.standings import router as standings_router
from services.catalogue.settings import CatalogueSettings, get_settings
from services.catalogue.taxonomy.router import router as taxonomy_router
from shared.app import create_service_app
from shared.cache import cache_of
from shared.db import database_of
from shared.events import EventTables
from shared.plumbing import Plumbing, running
from shared.webhook_api import webhook_router
from shared.webhooks import WebhookPolicy

DESCRIPTION = """
The catalogue of social services (*usługi społeczne*) under the Act of 19 July 2019 on the provision of social
services by a centre for social services (CUS): the 14 statutory areas, service types, and the social-economy
providers (PES: NGOs, social cooperatives, CIS, KIS, ZAZ, WTZ...) that deliver them, where, at what capacity and price.

Providers register themselves and are verified by a regional centre (ROPS) of their voivodeship; the public sees
verified providers only. Errors are RFC 9457 `application/problem+json`. Writes need a bearer token; changes to
existing resources need `If-Match` with the ETag last read. `/hsds/` serves the catalogue as Open Referral HSDS 3.0.
"""

TABLES = EventTables(outbox.FEED, FeedPosition, WebhookSubscription, WebhookDelivery)  # its events' own

TAGS = [
    {
        "name": "taxonomy",
        "description": "Statutory areas (art. 2 ust. 1 ustawy o CUS), target groups, service types.",
    },
    {"name": "providers", "description": "PES/NGO providers: self-registration, verification (weryfikacja)."},
    {"name": "offerings", "description": "What providers offer, where, at what capacity and price; search."},
    {"name": "hsds", "description": "Open Referral HSDS 3.0 read API."},
    {"name": "events", "description": "The catalogue's change feed: its domain events as CloudEvents."},
    {"name": "webhooks", "description": "Subscriptions: the catalogue's events POSTed to your URL, signed."},
    {"name": "health", "description": "Liveness, readiness, metrics."},
]


def create_app(
    settings: CatalogueSettings | None = None, *, database_url: str | None = None, consume_events: bool = True
) -> FastAPI:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def resources(app: FastAPI) -> AsyncIterator[None]:
        """Reading commissioning's change feed (contracts commit capacity) and delivering webhooks, unless
        switched off."""
        async with httpx.AsyncClient(base_url=settings.commissioning_url, timeout=5) as http:
            plumbing = Plumbing(
                service="catalogue",
                tables=TABLES,
                owner_scope=app.state.webhook_owner_scope,
                # contracts commit capacity
                feed_consumer=lambda: FeedConsumer(database_of(app).write, http).run,
                stream_consumer=stream_consumer,
            )
            app.state.plumbing = plumbing
            if not consume_events:
                yield
                return
            policy = app.state.webhook_policy
            async with running(
                plumbing, database_of(app), settings, policy, consume_every=settings.events_poll_seconds
            ):
                yield

    app = create_service_app(
        name="catalogue",
        title="CUS catalogue API",
        description=DESCRIPTION,
        settings=settings,
        routers=[
            taxonomy_router,
            places_router,
            providers_router,
            me_router,
            standings_router,
            offerings_router,
            hsds_router,
            events_router,
            webhook_router(
                path="/v1/catalogue-webhooks",
                event_types=EventType,
                tables=TABLES,
                idempotency_record=IdempotencyRecord,
                schema_prefix="Catalogue",
                scope=outbox.with_memberships,
            ),
        ],
        openapi_tags=TAGS,
        resources=resources,
        database_url=database_url,
    )
    app.state.settings = settings
    app.state.webhook_policy = WebhookPolicy.of(settings)
    app.state.webhook_owner_scope = outbox.with_memberships  # the feed's own look-up, at every delivery
    cache_of(app).dropped_by_writes.add(PUBLIC_LISTS)
    return app


def app() -> FastAPI:
    """Factory for `uvicorn --factory services.catalogue.main:app`."""
    return create_app()
