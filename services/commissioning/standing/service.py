"""Keeping providers' standing from the catalogue's events, and refusing what a suspended provider sends without
asking the catalogue at that moment."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.commissioning.models.standing import AppliedEvent, FeedPosition, ProviderMembership, ProviderStanding
from services.commissioning.rules.advisor import ProviderFacts
from services.commissioning.standing import repository
from shared.broker import StreamConsumer, Streams
from shared.cache import invalidate
from shared.feeds import FeedConsumer, Subscription

FEED = "catalogue"
PROVIDER_EVENTS = [
    "provider.verified",
    "provider.suspended",
    "provider.reinstated",
    "provider.rejected",
    "provider.changed",
]
MEMBER_EVENTS = ["member.added", "member.removed"]  # private: read with the service's credential
BARRED = frozenset({"suspended", "rejected"})
MEMBERSHIPS = "memberships"  # the cache topic of who acts for which provider (shared.cache)


async def apply(session: AsyncSession, event: dict[str, Any], now: datetime) -> None:
    if str(event["type"]).removeprefix("pl.cus.") in MEMBER_EVENTS:
        await apply_membership(session, event)
    else:
        await apply_status(session, event)


async def apply_membership(session: AsyncSession, event: dict[str, Any]) -> None:
    """Who acts for the provider; an event older than what is known changes nothing."""
    data, told_at = event["data"], datetime.fromisoformat(event["time"])
    active = str(event["type"]).endswith("member.added")
    key = (str(data["subject"]), uuid.UUID(data["provider_id"]))
    known = await session.get(ProviderMembership, key, with_for_update=True)
    if known is None:
        session.add(ProviderMembership(subject=key[0], provider_id=key[1], active=active, changed_at=told_at))
    elif told_at >= known.changed_at:
        known.active, known.changed_at = active, told_at
    await session.flush()
    await invalidate(session, None, MEMBERSHIPS)  # every replica forgets what it kept when this commits


async def providers_of(session: AsyncSession, subject: str) -> frozenset[uuid.UUID] | None:
    """The providers an account acts for, as the catalogue's events told; None for an account never told of
    (ask the catalogue)."""
    known = await repository.memberships_of(session, subject)
    return frozenset(p for p, active in known.items() if active) if known else None


async def apply_status(session: AsyncSession, event: dict[str, Any]) -> None:
    """The provider's status and facts as the event tells them; an event older than what is known changes
    nothing."""
    data, told_at = event["data"], datetime.fromisoformat(event["time"])
    provider_id = uuid.UUID(data["provider_id"])
    standing = await session.get(ProviderStanding, provider_id, with_for_update=True)
    if standing is None:
        standing = ProviderStanding(provider_id=provider_id, changed_at=told_at)
        session.add(standing)
    elif told_at < standing.changed_at:
        return
    standing.status, standing.changed_at = data["status"], told_at
    standing.name, standing.nip, standing.legal_form = data.get("name"), data.get("nip"), data.get("legal_form")
    standing.is_pes, standing.social_enterprise = data.get("is_pes"), data.get("social_enterprise")
    standing.excluded_share = data.get("excluded_share")
    await session.flush()


async def standing_of(session: AsyncSession, provider_id: uuid.UUID) -> ProviderStanding | None:
    """What the catalogue's events last told of the provider (None: nothing yet)."""
    return await session.get(ProviderStanding, provider_id)


def verified_facts(standing: ProviderStanding | None) -> tuple[ProviderFacts, str, str] | None:
    """(eligibility facts, name, NIP) of a provider the catalogue's events said is verified; None when they did
    not (or told no facts): then the catalogue is asked."""
    if standing is None or standing.status != "verified" or standing.name is None or standing.legal_form is None:
        return None
    facts = ProviderFacts(
        provider_id=str(standing.provider_id),
        legal_form=standing.legal_form,
        is_pes=bool(standing.is_pes),
        social_enterprise=bool(standing.social_enterprise),
        excluded_share=standing.excluded_share,
    )
    return facts, standing.name, standing.nip or ""


def barred(standing: ProviderStanding | None) -> bool:
    """Is the provider suspended or rejected, as the catalogue last told? (Unknown: not barred here; the
    catalogue's own check at submission still decides.)"""
    return standing is not None and standing.status in BARRED


SUBSCRIPTION = Subscription(FEED, "/v1/catalogue-events", PROVIDER_EVENTS + MEMBER_EVENTS, apply)


def consumer(sessionmaker: async_sessionmaker[AsyncSession], http: httpx.AsyncClient) -> FeedConsumer:
    """The catalogue's provider events from its HTTP feed."""
    return FeedConsumer(sessionmaker, http, SUBSCRIPTION, positions=FeedPosition, applied=AppliedEvent)


def stream_consumer(
    sessionmaker: async_sessionmaker[AsyncSession], js: JetStreamContext, streams: Streams
) -> StreamConsumer:
    """The same events from the catalogue's JetStream stream (EVENTS_NATS_URL)."""
    return StreamConsumer(sessionmaker, js, streams, FEED, "commissioning-standing", SUBSCRIPTION, AppliedEvent)
