"""Providers' standing as commissioning holds it: told by the catalogue's events (ordered by the catalogue's version
of each provider), and confirmed by asking the catalogue, so that a decision relies on a standing read within its
freshness bound (`Standings`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from nats.js import JetStreamContext
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.commissioning.catalogue_client import CatalogueClient, CatalogueUnavailable
from services.commissioning.models.standing import (
    STANDING_FACTS,
    AppliedEvent,
    FeedPosition,
    ProviderMembership,
    ProviderStanding,
    Standing,
)
from services.commissioning.rules.advisor import ProviderFacts
from services.commissioning.standing import repository
from shared.broker import StreamConsumer, Streams
from shared.cache import invalidate
from shared.db import Database
from shared.feeds import FeedConsumer, Subscription

logger = logging.getLogger(__name__)

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
    """The provider's status and facts as the event tells them, at the catalogue's version of the provider; an
    event of an older version changes nothing (one that carries none is ordered by its time)."""
    data, told_at = event["data"], datetime.fromisoformat(event["time"])
    provider_id, version = uuid.UUID(data["provider_id"]), int(data.get("version") or 0)
    standing = await session.get(ProviderStanding, provider_id, with_for_update=True)
    if standing is None:
        standing = ProviderStanding(provider_id=provider_id, changed_at=told_at, catalogue_version=0)
        session.add(standing)
    elif not _newer(standing, version, told_at):
        return
    for name in STANDING_FACTS:
        setattr(standing, name, data.get(name))
    standing.catalogue_version, standing.changed_at = max(version, standing.catalogue_version), told_at
    await session.flush()


def _newer(standing: ProviderStanding, version: int, told_at: datetime) -> bool:
    if version and standing.catalogue_version:
        return version > standing.catalogue_version
    return told_at >= standing.changed_at


class HeldStandings:
    """The standings this process read from the catalogue, with when (bounded: past `limit` it starts again)."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit, self._held = limit, dict[uuid.UUID, Standing]()
        self._reading: dict[uuid.UUID, asyncio.Future[list[Standing]]] = {}  # asked of the catalogue, not answered

    async def read(self, catalogue: CatalogueClient, provider_ids: list[uuid.UUID], now: datetime) -> list[Standing]:
        """The catalogue's standing of these providers, asked at `now` or joining a question under way (then as of
        when that one was asked); what it answers is kept."""
        under_way = {self._reading[p] for p in provider_ids if p in self._reading}
        new = [p for p in provider_ids if p not in self._reading]
        if new:
            asked = asyncio.ensure_future(self._asked(catalogue, new, now))
            self._reading.update(dict.fromkeys(new, asked))
            under_way.add(asked)
        answers = await asyncio.gather(*(asyncio.shield(one) for one in under_way))
        found = {standing.provider_id: standing for answer in answers for standing in answer}
        return [found[p] for p in provider_ids if p in found]

    async def _asked(self, catalogue: CatalogueClient, provider_ids: list[uuid.UUID], now: datetime) -> list[Standing]:
        try:
            answered = [Standing.answered(item, now) for item in await catalogue.standings(provider_ids)]
        finally:
            for provider_id in provider_ids:
                self._reading.pop(provider_id, None)
        for standing in answered:
            self.keep(standing)
        return answered

    def get(self, provider_id: uuid.UUID) -> Standing | None:
        return self._held.get(provider_id)

    def keep(self, standing: Standing) -> None:
        if standing.provider_id not in self._held and len(self._held) >= self.limit:
            self._held.clear()
        self._held[standing.provider_id] = standing

    def providers(self) -> list[uuid.UUID]:
        return list(self._held)

    def clear(self) -> None:
        self._held.clear()


def is_fresh(standing: Standing | None, now: datetime, bound: timedelta) -> bool:
    """Was the standing read from the catalogue, as committed, within `bound` of `now`?"""
    return standing is not None and standing.confirmed_at is not None and now - standing.confirmed_at <= bound


def superseded(held: Standing, told_version: int | None) -> bool:
    """Have the catalogue's events told a newer version of the provider than the one this process read?"""
    return told_version is not None and told_version > held.catalogue_version


def usable(held: Standing | None, told_version: int | None) -> bool:
    """A standing this process read, which the catalogue's events have not superseded since (else: ask)."""
    return held is not None and not superseded(held, told_version)


class Standings:
    """Providers' standing as fresh as a decision needs: the one this process read from the catalogue within the
    bound (unless the catalogue's events have told a newer version since), else the catalogue's as committed
    now. What is newer than the database holds is kept there too (the writes' guards compare with it)."""

    def __init__(self, catalogue: CatalogueClient, bound: timedelta, held: HeldStandings) -> None:
        self.catalogue, self.bound, self.held = catalogue, bound, held

    async def fresh(
        self, session: AsyncSession, provider_id: uuid.UUID, now_of: Callable[[], datetime]
    ) -> Standing | None:
        return (await self.fresh_all(session, [provider_id], now_of)).get(provider_id)

    async def fresh_all(
        self, session: AsyncSession, provider_ids: list[uuid.UUID], now_of: Callable[[], datetime]
    ) -> dict[uuid.UUID, Standing]:
        """Each provider's standing (absent: the catalogue knows no such provider)."""
        told = await repository.told_versions(session, provider_ids)
        now = now_of()  # before the catalogue is asked: its answer is as of this moment or later
        found: dict[uuid.UUID, Standing] = {}
        for provider_id in provider_ids:
            held = self.held.get(provider_id)
            if held is not None and is_fresh(held, now, self.bound) and not superseded(held, told.get(provider_id)):
                found[provider_id] = held
        stale = [p for p in provider_ids if p not in found]
        return found | (await self.ask(session, stale, now, told) if stale else {})

    async def read_if_stale(self, provider_id: uuid.UUID, now: datetime) -> None:
        """The provider's standing read from the catalogue into what this process holds if what it holds is older
        than the bound at `now` (joining a question under way); the catalogue away, it stays as it was."""
        if is_fresh(self.held.get(provider_id), now, self.bound):
            return
        with contextlib.suppress(CatalogueUnavailable):
            await self.held.read(self.catalogue, [provider_id], now)

    async def ask(
        self, session: AsyncSession, provider_ids: list[uuid.UUID], now: datetime, told: dict[uuid.UUID, int]
    ) -> dict[uuid.UUID, Standing]:
        """The catalogue's standing of these providers, asked at `now`; `told`: the versions the database holds."""
        answered = await self.held.read(self.catalogue, provider_ids, now)
        newer = [s.row() for s in answered if s.catalogue_version > told.get(s.provider_id, -1)]
        if newer:
            await repository.keep_newer(session, newer)
        return {standing.provider_id: standing for standing in answered}


async def refresh(database: Database, standings: Standings, now_of: Callable[[], datetime]) -> int:
    """Read again from the catalogue the standings of the providers bidding in open calls and of those this process
    decided on; how many."""
    async with database.unit_of_work() as session:
        providers = sorted(await repository.bidding(session) | set(standings.held.providers()))
        if not providers:
            return 0
        told = await repository.told_versions(session, providers)
        return len(await standings.ask(session, providers, now_of(), told))


async def keep_fresh(database: Database, standings: Standings, now_of: Callable[[], datetime]) -> None:
    """`refresh` twice within the bound, so that decisions about to rely on these standings need not ask the
    catalogue themselves."""
    every, loop = standings.bound.total_seconds() / 2, asyncio.get_running_loop()
    while True:
        started = loop.time()
        try:
            await refresh(database, standings, now_of)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the catalogue away: decisions ask it themselves meanwhile
            logger.warning("keeping standings fresh failed", extra={"error": f"{type(exc).__name__}: {exc}"[:500]})
        await asyncio.sleep(max(0.0, every - (loop.time() - started)))  # counted from the start: a slow one waits less


async def standing_of(session: AsyncSession, provider_id: uuid.UUID) -> ProviderStanding | None:
    """What the catalogue's events last told of the provider (None: nothing yet)."""
    return await session.get(ProviderStanding, provider_id)


def verified_facts(standing: Standing | ProviderStanding | None) -> tuple[ProviderFacts, str, str] | None:
    """(eligibility facts, name, NIP) of a provider whose standing says it is verified; None otherwise."""
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


def barred(standing: Standing | ProviderStanding | None) -> bool:
    """Is the provider suspended or rejected, by this standing? (None: not known to be.)"""
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
