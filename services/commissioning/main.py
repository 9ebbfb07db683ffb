"""The commissioning service: municipalities' plans, the legal modes as rules, calls and sealed offers."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
from fastapi import FastAPI
from fastapi.middleware import Middleware
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.amendments.router import router as amendments_router
from services.commissioning.calls import events
from services.commissioning.calls.router import router as calls_router
from services.commissioning.catalogue_client import CatalogueClient, CatalogueUnavailable
from services.commissioning.clock import Clock, FileOffsetClock
from services.commissioning.clock_router import router as clock_router
from services.commissioning.contracts.awards import end_standstill
from services.commissioning.contracts.router import router as contracts_router
from services.commissioning.dependencies import CommissioningState
from services.commissioning.evaluation.router import offers_router as offer_reading_router
from services.commissioning.evaluation.router import router as evaluation_router
from services.commissioning.giving.router import router as giving_router
from services.commissioning.models.calls import CallEvent
from services.commissioning.models.idempotency import IdempotencyRecord
from services.commissioning.models.outbox import EventType
from services.commissioning.models.public import PUBLIC_CALLS
from services.commissioning.models.standing import FeedPosition
from services.commissioning.models.webhooks import WebhookDelivery, WebhookSubscription
from services.commissioning.monitoring.router import router as monitoring_router
from services.commissioning.municipalities.router import router as municipalities_router
from services.commissioning.ocds.router import router as ocds_router
from services.commissioning.offers.first import SETTLED, OffersFirst
from services.commissioning.offers.router import router as offers_router
from services.commissioning.offers.service import open_offers
from services.commissioning.outbox import service as outbox
from services.commissioning.outbox.router import router as events_router
from services.commissioning.planning.router import router as planning_router
from services.commissioning.rules.router import router as rules_router
from services.commissioning.settings import CommissioningSettings, get_settings
from services.commissioning.standing import service as standing
from services.commissioning.summary.router import router as summary_router
from services.commissioning.worker import worker
from shared.app import create_service_app
from shared.auth import Principal, Role, ServiceCredential
from shared.cache import TopicMemo, cache_of
from shared.db import create_engine, create_sessionmaker, database_of
from shared.events import EventTables
from shared.plumbing import Plumbing, cancel, running
from shared.webhook_api import webhook_router
from shared.webhooks import WebhookPolicy

DESCRIPTION = """
Municipalities (gminy, their CUS) commission social services to social-economy entities (PES) under the Act of
19 July 2019 on centres for social services: they plan (programmes, needs), choose a lawful commissioning mode (the
mode advisor explains the legal basis and the figures compared), publish calls with lots and weighted criteria,
answer questions, amend, and receive **sealed offers** from providers verified in the catalogue.

Offers are sealed until the deadline, which the server's clock enforces on every write. Errors are RFC 9457
`application/problem+json`; rule breaches list their `violations` with the legal basis. Creating POSTs accept an
`Idempotency-Key`.
"""

TABLES = EventTables(outbox.FEED, FeedPosition, WebhookSubscription, WebhookDelivery)  # its events' own

TAGS = [
    {"name": "municipalities", "description": "Gminy and their centres for social services (CUS)."},
    {"name": "planning", "description": "Programmes (program usług społecznych), needs, the mode advisor."},
    {"name": "rules", "description": "The commissioning modes as a versioned rules table."},
    {"name": "calls", "description": "Calls: lots, criteria, eligibility, questions, amendments, cancellation."},
    {"name": "offers", "description": "Sealed offers with receipts."},
    {"name": "evaluation", "description": "The committee: declarations, formal checks, scores, rankings."},
    {"name": "contracts", "description": "Awards, results, contracts, delivery reports, payments."},
    {"name": "monitoring", "description": "Indicators per municipality and voivodeship."},
    {"name": "ocds", "description": "Open Contracting Data Standard 1.1 release and record packages."},
    {"name": "360giving", "description": "360Giving 1.4 grants: the UDPP open competitions and small grants."},
    {"name": "events", "description": "The change feed: domain events as CloudEvents, in an order no reader can miss."},
    {"name": "webhooks", "description": "Subscriptions: the events POSTed to your URL, signed (Standard Webhooks)."},
    {"name": "health", "description": "Liveness, readiness, metrics."},
]


def register_event_handlers() -> None:
    """Each domain performs its own time-driven events; start-up fails if one has no handler."""
    events.register(CallEvent.OPEN_OFFERS, open_offers)
    events.register(CallEvent.END_STANDSTILL, end_standstill)
    events.require_every_handler()


def create_app(
    settings: CommissioningSettings | None = None,
    *,
    database_url: str | None = None,
    clock: Clock | None = None,
    catalogue: CatalogueClient | None = None,
    run_worker: bool = True,
) -> FastAPI:
    settings = settings or get_settings()
    register_event_handlers()
    clock = clock or (FileOffsetClock(settings.clock_offset_file) if settings.clock_offset_file else Clock())
    state = CommissioningState(settings=settings, clock=clock)

    @contextlib.asynccontextmanager
    async def resources(app: FastAPI) -> AsyncIterator[None]:
        credential = ServiceCredential("service:commissioning", settings.catalogue_token)
        state.catalogue = catalogue or CatalogueClient(
            settings.catalogue_url, timeout=settings.catalogue_timeout_seconds, credential=credential
        )
        tasks: list[asyncio.Task[None]] = []
        # the deadline's opening gets connections of its own: from the requests' pool it would queue behind a
        # burst of late offers for one (docs/performance.md)
        url = database_of(app).engine.url.render_as_string(hide_password=False)
        events_engine = create_engine(url, pool_size=4, pre_ping=settings.db_pool_pre_ping)
        if run_worker:
            tasks.append(
                asyncio.create_task(standing.keep_fresh(database_of(app), state.standings, lambda: state.clock.now()))
            )
        if run_worker and settings.worker_interval_seconds > 0:
            due_events = create_sessionmaker(events_engine, now=database_of(app).now)
            tasks.append(asyncio.create_task(worker(due_events, state.clock, settings.worker_interval_seconds)))
        feed = httpx.AsyncClient(base_url=settings.catalogue_url, timeout=5, auth=credential)
        plumbing = Plumbing(
            service="commissioning",
            tables=TABLES,
            owner_scope=app.state.webhook_owner_scope,
            # providers' standing from the catalogue's events
            feed_consumer=lambda: standing.consumer(database_of(app).write, feed).run,
            stream_consumer=standing.stream_consumer,
        )
        app.state.plumbing = plumbing
        events = (
            running(
                plumbing,
                database_of(app),
                settings,
                app.state.webhook_policy,
                consume_every=settings.events_poll_seconds,
            )
            if run_worker
            else contextlib.nullcontext()
        )
        try:
            async with events:
                yield
        finally:
            await cancel(tasks)
            await events_engine.dispose()
            await feed.aclose()
            await state.catalogue.close()

    app = create_service_app(
        name="commissioning",
        title="CUS commissioning API",
        description=DESCRIPTION,
        settings=settings,
        # FastAPI matches routes one by one in this order (docs/performance.md): the routes of the burst at a
        # deadline first; no path of theirs can take another router's (tests/commissioning/test_routing.py)
        routers=[
            offers_router,
            municipalities_router,
            summary_router,
            planning_router,
            rules_router,
            clock_router,
            calls_router,
            amendments_router,
            offer_reading_router,
            evaluation_router,
            contracts_router,
            monitoring_router,
            ocds_router,
            giving_router,
            events_router,
            webhook_router(
                path="/v1/webhooks", event_types=EventType, tables=TABLES, idempotency_record=IdempotencyRecord
            ),
        ],
        openapi_tags=TAGS,
        resources=resources,
        database_url=database_url,
        now=lambda: state.clock.now(),  # the clock a test or a demo moves: the one the versioned rows are stamped by
    )
    app.state.commissioning = state
    app.state.webhook_policy = WebhookPolicy.of(settings)

    # what the member events told, kept per account until the next one (on any replica): a request saves a query
    told = TopicMemo[str, frozenset[uuid.UUID] | None](cache_of(app), standing.MEMBERSHIPS)
    cache_of(app).dropped_by_writes.add(PUBLIC_CALLS)

    async def told_of(subject: str) -> frozenset[uuid.UUID] | None:
        async with database_of(app).read() as session:
            return await standing.providers_of(session, subject)

    async def with_memberships(principal: Principal) -> Principal:
        """A provider account acts for the providers it is a member of, claim or not: as the catalogue's member
        events told, or, for an account they never named (a new one), as the catalogue answers now (a webhook's
        owner, who sends no token, as they were when they saved it)."""
        if principal.role is not Role.PROVIDER or state.catalogue is None:
            return principal
        known = await told.get(principal.subject, lambda: told_of(principal.subject))
        if known is None:
            if principal.token is None:
                return principal
            try:
                known = await state.catalogue.memberships(principal.token)
            except CatalogueUnavailable:
                if principal.provider_id is None:
                    raise
                known = frozenset()  # the token's own claim still stands while the catalogue is away
        return replace(principal, memberships=known)

    async def owner_scope(_session: AsyncSession, principal: Principal) -> Principal:
        return await with_memberships(principal)

    app.state.enrich_principal = with_memberships
    app.state.webhook_owner_scope = owner_scope  # the feed's own look-up, at every webhook delivery
    # innermost: plain submissions and revisions, the burst at a deadline, before the routing (the rest after it)
    settled = {name: r for r in offers_router.routes if (name := getattr(r, "name", "")) in SETTLED}
    app.user_middleware.append(Middleware(OffersFirst, routes=settled))
    return app


def app() -> FastAPI:
    """Factory for `uvicorn --factory services.commissioning.main:app`."""
    return create_app()
