"""Webhooks: integrators' subscriptions to a service's events, delivered signed as the Standard Webhooks
specification says, at least once, by any number of replicas.

Fan-out. Each active subscription keeps its own cursor in the service's outbox feed (shared.events). A pass reads
the feed after that cursor with the subscription's filters and its owner's right to read now (their memberships
looked up by the service's `owner_scope`, as its feed looks them up), exactly as `GET /v1/events` would answer the
owner, adds one delivery per event (unique per subscription and event) and moves the cursor, in one transaction
under the subscription's row lock (SKIP LOCKED: replicas take different subscriptions). So a webhook can never carry
what its owner could not read in the feed, and, like the feed, never skips an event committed late.

Delivery. Due deliveries are leased in a short transaction (SKIP LOCKED, then a lease time), so each attempt is made
by one replica; the POST itself is made outside any transaction (an open transaction would hold every feed back).
Every attempt (a retry, a redelivery) is leased only while the owner may still read the event, by the feed's own
rule (`readable_by`) over their right to read at that moment; one they may no longer read (a member removed from its
provider since) is `skipped`, never sent.
A replica that dies mid-attempt lets the lease lapse and another makes the attempt again: at least once, and the
receiver deduplicates by `webhook-id`, which is the event's id on every attempt.

Retries back off exponentially with jitter (first_retry x 2^(n-1), capped, then a random point in its upper half);
a delivery is given up after `max_attempts`; a subscription whose attempts failed `disable_after` times in a row is
disabled, with the reason on the subscription and an event to its owner. Re-enabled, it resumes where it stopped.

URLs. Only https to public addresses; a host on the allow-list (development, tests) may be http and private. The
name is resolved at subscription and again before every attempt (a name re-pointed at an internal address is
refused then), and redirects are never followed.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import logging
import random
import secrets
import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func, or_, select, text
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from standardwebhooks.webhooks import Webhook

from shared.auth import Principal, Role
from shared.errors import Conflict
from shared.events import OUTBOX_CHANNEL, WATERMARK, Cursor, Feed, envelope, next_cursor, read_feed, readable_by
from shared.i18n import Refusal
from shared.notify import listen, run_woken

logger = logging.getLogger(__name__)

ACTIVE, DISABLED = "active", "disabled"
PENDING, DELIVERED, FAILED, SKIPPED = "pending", "delivered", "failed", "skipped"
NOT_READABLE = "skipped: its owner may no longer read this event"
FAN_OUT_PAGE = 200
DELIVERY_BATCH = 50
PARALLEL_ATTEMPTS = 16
KEPT_ATTEMPTS = 20  # the attempt log kept on each delivery
RESPONSE_EXCERPT = 300  # characters of a receiver's answer kept in the log
_jitter = random.SystemRandom()


@dataclass(frozen=True)
class WebhookPolicy:
    """How a service delivers (its settings `webhook_*`)."""

    allowed_hosts: frozenset[str] = frozenset()
    timeout_seconds: float = 10.0
    max_attempts: int = 10
    disable_after: int = 30
    first_retry_seconds: float = 5.0
    longest_retry_seconds: float = 3600.0
    max_subscriptions: int = 20  # per owner

    @classmethod
    def of(cls, settings: Any) -> WebhookPolicy:
        """From a service's settings (`ServiceSettings.webhook_*`)."""
        hosts = frozenset(h.strip().lower() for h in settings.webhook_allowed_hosts.split(",") if h.strip())
        named = ("timeout_seconds", "max_attempts", "disable_after", "first_retry_seconds", "max_subscriptions")
        return cls(allowed_hosts=hosts, **{name: getattr(settings, f"webhook_{name}") for name in named})

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.timeout_seconds + 30)

    def retry_in(self, attempts: int) -> timedelta:
        """After the n-th failed attempt: exponential, capped, with jitter in its upper half."""
        delay = min(self.first_retry_seconds * 2 ** max(attempts - 1, 0), self.longest_retry_seconds)
        return timedelta(seconds=_jitter.uniform(delay / 2, delay))


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(message_id, at, body),
        "content-type": "application/json",
        "user-agent": "cus-webhooks/1",
    }


# ---------------------------------------------------------------------------------------------------------------
# Where a webhook may go


NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # the well-known prefix: the last 32 bits are the IPv4 reached


def _carried_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one reaches: IPv4-mapped, IPv4-compatible (::a.b.c.d), 6to4 or NAT64."""
    if embedded := ip.ipv4_mapped or ip.sixtofour:
        return embedded
    if int(ip) >> 32 == 0 or ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _public(address: str) -> bool:
    """Global unicast only, an IPv6 address carrying an IPv4 one judged by the IPv4 it reaches (the local-use
    NAT64 prefix 64:ff9b:1::/48 is in ::/8, reserved, so refused whatever it carries)."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local:
            return False
        ip = _carried_ipv4(ip) or ip
    return ip.is_global and not (ip.is_multicast or ip.is_reserved)


async def check_url(url: str, allowed_hosts: frozenset[str]) -> None:
    """Refuse a URL the service must not call: not https, with credentials, or resolving to a loopback, private,
    link-local or otherwise non-public address (unless its host is allow-listed)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Refusal("is not a URL", "nie jest adresem URL") from None
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise Refusal("must be an https:// URL", "musi być adresem https://")
    if parts.username is not None or parts.password is not None:
        raise Refusal(
            "must not carry credentials (the signature authenticates the sender)",
            "nie może zawierać danych logowania (nadawcę uwierzytelnia podpis)",
        )
    if host in allowed_hosts:
        return
    if parts.scheme != "https":
        raise Refusal("must be an https:// URL", "musi być adresem https://")
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refusal(f"the host {host} does not resolve", f"nazwa hosta {host} nie daje się rozwiązać") from None
    addresses = {str(info[4][0]) for info in found}
    if not addresses or not all(_public(address) for address in addresses):
        raise Refusal(
            f"the host {host} is not a public address (loopback, private, link-local and reserved ones are refused)",
            f"host {host} nie jest adresem publicznym (adresy pętli zwrotnej, prywatne, lokalne łącza i zastrzeżone "
            "są odrzucane)",
        )


# ---------------------------------------------------------------------------------------------------------------
# Tables (each service keeps both in its own database: `class WebhookSubscription(WebhookSubscriptionColumns, Base)`)


class WebhookSubscriptionColumns:
    __tablename__ = "webhook_subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # who owns it, and what they could read when they last saved it: their token's claims and the providers they
    # were a member of then (memberships are looked up again for every delivery: `WebhookRelay.owner_scope`)
    owner_subject: Mapped[str] = mapped_column(String(255), index=True)
    owner_role: Mapped[str] = mapped_column(String(20))
    owner_terc: Mapped[str | None] = mapped_column(String(7))
    owner_provider_claim: Mapped[uuid.UUID | None] = mapped_column()
    owner_providers: Mapped[list[str]] = mapped_column(JSONB, default=list)
    url: Mapped[str] = mapped_column(Text)
    types: Mapped[list[str]] = mapped_column(JSONB, default=list)  # full CloudEvents types; empty: all
    municipality_terc: Mapped[str | None] = mapped_column(String(7))
    provider_id: Mapped[uuid.UUID | None] = mapped_column()
    description: Mapped[str | None] = mapped_column(Text)
    secret: Mapped[str] = mapped_column(Text)  # kept in clear: an HMAC key must be, to sign
    status: Mapped[str] = mapped_column(String(10), default=ACTIVE)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failures_in_row: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[str] = mapped_column(Text)  # the feed position its deliveries have been made up to
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    def owner(self) -> Principal:
        """The owner as saved (no token): a service's `owner_scope` takes their memberships of now."""
        return Principal(
            subject=self.owner_subject,
            role=Role(self.owner_role),
            terc=self.owner_terc,
            provider_id=self.owner_provider_claim,
            memberships=frozenset(uuid.UUID(p) for p in self.owner_providers),
        )

    def owned_by(self, principal: Principal) -> bool:
        return principal.is_admin or (
            self.owner_subject == principal.subject and self.owner_role == principal.role.value
        )


class WebhookDeliveryColumns:
    __tablename__ = "webhook_deliveries"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    event_id: Mapped[uuid.UUID] = mapped_column()
    event_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)  # the CloudEvent exactly as signed and sent
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    leased_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    log: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)  # the latest attempts
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    @declared_attr
    def subscription_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True)

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:
        return (
            UniqueConstraint("subscription_id", "event_id", name="uq_webhook_deliveries_event"),
            Index("ix_webhook_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
        )


def disabled_notice(subscription: WebhookSubscriptionColumns) -> dict[str, Any]:
    """What the event telling an owner their subscription was disabled says, and whom it is for (private)."""
    providers = sorted(subscription.owner_providers)
    return {
        "subject": f"webhooks/{subscription.id}",
        "municipality": subscription.owner_terc if subscription.owner_role == Role.MUNICIPALITY.value else None,
        "provider": uuid.UUID(providers[0]) if providers and subscription.owner_role == Role.PROVIDER.value else None,
        "data": {
            "subscription_id": str(subscription.id),
            "url": subscription.url,
            "reason": subscription.disabled_reason,
            "failures_in_row": subscription.failures_in_row,
        },
    }


class WebhookEvent(StrEnum):
    """The event the kit writes into a service's feed itself (the service's EventType names it too)."""

    DISABLED = "webhook.disabled"


def telling_the_owner(feed: Feed) -> OnDisabled:
    """A relay's `on_disabled`: the owner is told, in their feed (and their other subscriptions), why a subscription
    was disabled."""

    async def tell(session: AsyncSession, subscription: WebhookSubscriptionColumns, now: datetime) -> None:
        feed.record(session, type=WebhookEvent.DISABLED, time=now, public=False, **disabled_notice(subscription))

    return tell


# ---------------------------------------------------------------------------------------------------------------
# Queries the API needs


async def subscriptions_of(
    session: AsyncSession, model: Any, principal: Principal, *, offset: int, limit: int
) -> tuple[Sequence[Any], int]:
    query = select(model)
    if not principal.is_admin:
        query = query.where(model.owner_subject == principal.subject, model.owner_role == principal.role.value)
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    rows = (await session.scalars(query.order_by(model.created_at, model.id).offset(offset).limit(limit))).all()
    return rows, total


async def make_room(session: AsyncSession, model: Any, principal: Principal, limit: int) -> None:
    """Refuse a subscription beyond the owner's `limit` (deleted ones are gone; disabled ones count). Counted
    under a transaction-scoped advisory lock on the owner, so two creations at the limit less one cannot both
    pass: the second counts once the first has committed."""
    await session.execute(
        select(func.pg_advisory_xact_lock(func.hashtextextended(f"webhooks:{principal.role}:{principal.subject}", 0)))
    )
    owned = (model.owner_subject == principal.subject) & (model.owner_role == principal.role.value)
    if int(await session.scalar(select(func.count()).where(owned)) or 0) >= limit:
        raise Conflict(
            f"You have {limit} webhook subscriptions, the most one owner may have: delete one first.",
            pl=f"Masz już {limit} subskrypcji webhooków, najwięcej, ile może mieć jeden właściciel: najpierw "
            "usuń którąś.",
            limit=limit,
        )


async def deliveries_of(
    session: AsyncSession, model: Any, subscription_id: uuid.UUID, *, status: str | None, offset: int, limit: int
) -> tuple[Sequence[Any], int]:
    query = select(model).where(model.subscription_id == subscription_id)
    if status:
        query = query.where(model.status == status)
    total = int(await session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    ordered = query.order_by(model.created_at.desc(), model.id).offset(offset).limit(limit)
    return (await session.scalars(ordered)).all(), total


async def feed_end(session: AsyncSession) -> str:
    """The feed's current end: a new subscription is told of what happens from now on."""
    return str(Cursor.before_watermark(int(await session.scalar(select(WATERMARK)) or 0)))


# ---------------------------------------------------------------------------------------------------------------
# The relay: fan-out and delivery


@dataclass
class Attempt:
    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: str
    body: str
    url: str
    secret: str


@dataclass
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    excerpt: str | None = None
    duration_ms: int = 0


OnDisabled = Callable[[AsyncSession, Any, datetime], Awaitable[None]]
# A principal as the service's feed widens it to what it may read now (a provider account's memberships)
OwnerScope = Callable[[AsyncSession, Principal], Awaitable[Principal]]


@dataclass
class WebhookRelay:
    sessionmaker: async_sessionmaker[AsyncSession]
    subscriptions: Any  # the service's WebhookSubscription model
    deliveries: Any  # its WebhookDelivery model
    outbox: Any  # its OutboxEvent model
    source: str  # CloudEvents source of its events
    policy: WebhookPolicy
    owner_scope: OwnerScope  # what a subscription's owner may read now: the feed's own look-up
    on_disabled: OnDisabled | None = None  # tells the owner (an event in their feed)
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(follow_redirects=False))

    async def fan_out(self) -> int:
        """Add a delivery for every event each active subscription has not been given yet."""
        model = self.subscriptions
        async with self.sessionmaker() as session:
            ids = (await session.scalars(select(model.id).where(model.status == ACTIVE))).all()
        added = 0
        for subscription_id in ids:
            while True:
                count, more = await self._fan_out_page(subscription_id)
                added += count
                if not more:
                    break
        return added

    async def _fan_out_page(self, subscription_id: uuid.UUID) -> tuple[int, bool]:
        model, now = self.subscriptions, datetime.now(UTC)
        async with self.sessionmaker() as session, session.begin():
            locked = select(model).where(model.id == subscription_id, model.status == ACTIVE)
            subscription = (await session.scalars(locked.with_for_update(skip_locked=True))).first()
            if subscription is None:  # another replica has it, or it was disabled meanwhile
                return 0, False
            after = Cursor.parse(subscription.cursor)
            rows, watermark = await read_feed(
                session,
                self.outbox,
                principal=await self.owner_scope(session, subscription.owner()),
                after=after,
                types=list(subscription.types),
                municipality=subscription.municipality_terc,
                provider=subscription.provider_id,
                limit=FAN_OUT_PAGE,
            )
            if rows:
                values = [
                    {
                        "id": uuid.uuid4(),
                        "subscription_id": subscription.id,
                        "event_id": row.id,
                        "event_type": row.type,
                        "body": envelope(row, self.source).model_dump_json(),
                        "status": PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "log": [],
                        "created_at": now,
                    }
                    for row in rows
                ]
                await session.execute(insert(self.deliveries).values(values).on_conflict_do_nothing())
            subscription.cursor = str(next_cursor(rows, watermark, after, FAN_OUT_PAGE))
            return len(rows), len(rows) == FAN_OUT_PAGE

    async def _readable(self, session: AsyncSession, subscription: Any, event_ids: list[uuid.UUID]) -> set[uuid.UUID]:
        """Which of these events the subscription's owner may read now, by the feed's rule."""
        owner = await self.owner_scope(session, subscription.owner())
        query = select(self.outbox.id).where(self.outbox.id.in_(event_ids), readable_by(self.outbox, owner))
        return set((await session.scalars(query)).all())

    async def _lease_due(self) -> tuple[list[Attempt], bool]:
        """The due attempts whose owner may still read the event (the others skipped), and whether a full batch
        was due."""
        deliveries, subscriptions, now = self.deliveries, self.subscriptions, datetime.now(UTC)
        async with self.sessionmaker() as session, session.begin():
            due = (
                select(deliveries, subscriptions)
                .join(subscriptions, subscriptions.id == deliveries.subscription_id)
                .where(
                    deliveries.status == PENDING,
                    deliveries.next_attempt_at <= now,
                    or_(deliveries.leased_until.is_(None), deliveries.leased_until < now),
                    subscriptions.status == ACTIVE,
                )
                .order_by(deliveries.next_attempt_at)
                .limit(DELIVERY_BATCH)
                .with_for_update(of=deliveries, skip_locked=True)
            )
            rows = (await session.execute(due)).all()
            by_subscription: dict[uuid.UUID, tuple[Any, list[uuid.UUID]]] = {}
            for delivery, subscription in rows:
                by_subscription.setdefault(subscription.id, (subscription, []))[1].append(delivery.event_id)
            readable = {
                (subscription.id, event_id)
                for subscription, event_ids in by_subscription.values()
                for event_id in await self._readable(session, subscription, event_ids)
            }
            leased = []
            for delivery, subscription in rows:
                if (subscription.id, delivery.event_id) not in readable:
                    delivery.status, delivery.last_error, delivery.leased_until = SKIPPED, NOT_READABLE, None
                    continue
                delivery.leased_until = now + self.policy.lease
                delivery.attempts += 1
                leased.append(
                    Attempt(
                        delivery.id,
                        subscription.id,
                        str(delivery.event_id),
                        delivery.body,
                        subscription.url,
                        subscription.secret,
                    )
                )
            return leased, len(rows) == DELIVERY_BATCH

    async def attempt(self, attempt: Attempt) -> Outcome:
        """One POST, signed now; any answer but a 2xx is a failure (redirects are not followed)."""
        started = time.monotonic()
        try:
            await check_url(attempt.url, self.policy.allowed_hosts)
            headers = signed_headers(attempt.secret, attempt.event_id, attempt.body, datetime.now(UTC))
            response = await self.http.post(
                attempt.url, content=attempt.body.encode(), headers=headers, timeout=self.policy.timeout_seconds
            )
        except Refusal as exc:
            return Outcome(False, error=f"refused: the URL {exc}", duration_ms=_since(started))
        except httpx.HTTPError as exc:
            return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500], duration_ms=_since(started))
        excerpt = response.text[:RESPONSE_EXCERPT] if response.content else None
        ok = 200 <= response.status_code < 300
        error = None if ok else f"HTTP {response.status_code}"
        return Outcome(ok, response.status_code, error, excerpt, _since(started))

    async def _record(self, attempt: Attempt, outcome: Outcome) -> None:
        now = datetime.now(UTC)
        async with self.sessionmaker() as session, session.begin():
            delivery = await session.get(self.deliveries, attempt.delivery_id, with_for_update=True)
            subscription = await session.get(self.subscriptions, attempt.subscription_id, with_for_update=True)
            if delivery is None or subscription is None:  # the subscription was deleted meanwhile
                return
            entry = {
                "at": now.isoformat().replace("+00:00", "Z"),
                "status_code": outcome.status_code,
                "error": outcome.error,
                "response": outcome.excerpt,
                "duration_ms": outcome.duration_ms,
            }
            delivery.log = [*delivery.log, entry][-KEPT_ATTEMPTS:]
            delivery.leased_until = None
            delivery.last_status_code, delivery.last_error = outcome.status_code, outcome.error
            if outcome.ok:
                delivery.status, delivery.delivered_at = DELIVERED, now
                subscription.failures_in_row = 0
                return
            subscription.failures_in_row += 1
            if delivery.attempts >= self.policy.max_attempts:
                delivery.status = FAILED
            else:
                delivery.next_attempt_at = now + self.policy.retry_in(delivery.attempts)
            if subscription.failures_in_row >= self.policy.disable_after and subscription.status == ACTIVE:
                subscription.status, subscription.disabled_at = DISABLED, now
                subscription.disabled_reason = (
                    f"{subscription.failures_in_row} delivery attempts in a row failed; the last: {outcome.error}"
                )
                subscription.updated_at = now
                logger.warning("webhook subscription disabled", extra={"subscription_id": str(subscription.id)})
                if self.on_disabled is not None:
                    await self.on_disabled(session, subscription, now)

    async def deliver_due(self) -> int:
        """Make every due attempt (leased, so once per attempt across replicas); how many succeeded."""
        delivered = 0
        gate = asyncio.Semaphore(PARALLEL_ATTEMPTS)

        async def one(attempt: Attempt) -> bool:
            async with gate:
                outcome = await self.attempt(attempt)
            await self._record(attempt, outcome)
            return outcome.ok

        while True:
            leased, more = await self._lease_due()
            delivered += sum(await asyncio.gather(*(one(a) for a in leased)))
            if not more:
                return delivered

    async def pass_once(self) -> int:
        await self.fan_out()
        return await self.deliver_due()

    async def run(self, interval: float, wake: asyncio.Event | None = None) -> None:
        def failed(_exc: Exception) -> None:  # the database restarting, say: the next pass tries again
            logger.exception("a webhook pass failed")

        await run_woken(self.pass_once, interval, wake, failed)

    async def close(self) -> None:
        await self.http.aclose()


async def wake_on_notify(engine: AsyncEngine, channel: str, *wakes: asyncio.Event) -> None:
    """Set each of `wakes` whenever a transaction that wrote events commits (PostgreSQL NOTIFY on `channel`).
    Polling stays the loops' fallback."""

    def woken(*_: object) -> None:
        for wake in wakes:
            wake.set()

    await listen(engine, {channel: woken}, on_connect=woken)


Runner = Callable[[asyncio.Event], Coroutine[Any, Any, None]]


def woken_tasks(engine: AsyncEngine, *runners: Runner) -> list[asyncio.Task[None]]:
    """Loops (the webhook relay, the broker's publisher) each woken by every commit of events, and polling
    in any case, on one listening connection."""
    wakes = [asyncio.Event() for _ in runners]
    listening = asyncio.create_task(wake_on_notify(engine, OUTBOX_CHANNEL, *wakes))
    return [listening, *(asyncio.create_task(run(wake)) for run, wake in zip(runners, wakes, strict=True))]


def _since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
