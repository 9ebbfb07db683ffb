"""Domain events written with the change (a transactional outbox) and read as a feed no reader can miss.

A service's outbox table (the `OutboxColumns` mixin) gets a row in the same transaction as the change it tells
of, so an event exists exactly when its change was committed. Each row records the id of the transaction that
wrote it (`xid`, PostgreSQL's `pg_current_xact_id()`). A feed reader is shown only the events of transactions
older than the oldest one still running (`pg_snapshot_xmin` of the current snapshot), in (xid, position) order:
every transaction that can still commit an event has an xid at or above that watermark, so no event can ever
appear behind a cursor a reader already holds, however late a slow transaction commits. The price: a long
transaction holds the feed back until it ends.

The envelope follows CloudEvents 1.0 (id, source, type, time, subject, data); `municipality` and `provider` are
extension attributes, for filtering. Events are public unless they name the party that alone may read them, and
a reader's cursors tell nothing of the events it may not read: only a reader of every event is given positions.
"""

from __future__ import annotations

import contextlib
import enum
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Query
from pydantic import Field
from sqlalchemy import (
    BigInteger,
    Boolean,
    ColumnElement,
    DateTime,
    Identity,
    String,
    Text,
    false,
    literal,
    literal_column,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from shared.auth import Principal, Role
from shared.errors import ValidationProblem
from shared.i18n import Refusal, polish_of
from shared.schemas import Schema

TYPE_PREFIX = "pl.cus."
OUTBOX_CHANNEL = "outbox_events"  # NOTIFY channel: a commit that wrote events wakes the service's relays
CURSOR = re.compile(r"^(\d{1,19})-(\d{1,19})$")
MAX_INT8 = 2**63 - 1


@dataclass(frozen=True)
class EventTables:
    """A service's own models for its events: its feed (over its outbox), the feed positions, the webhooks."""

    feed: Feed
    positions: Any  # its FeedPosition model
    subscriptions: Any  # its WebhookSubscription model
    deliveries: Any


class OutboxColumns:
    """The columns of a service's outbox table (its model: `class OutboxEvent(OutboxColumns, Base)`)."""

    __tablename__ = "outbox_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # the writing transaction; xid8 as a bigint, so the feed compares it with the snapshot's xmin
    xid: Mapped[int] = mapped_column(BigInteger, server_default=text("(pg_current_xact_id()::text)::bigint"))
    type: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(Text)
    time: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    municipality_terc: Mapped[str | None] = mapped_column(String(7), index=True)
    provider_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    public: Mapped[bool] = mapped_column(Boolean)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)

    @declared_attr
    def position(cls) -> Mapped[int]:
        """The order of the events inside one transaction (and a tie-breaker)."""
        return mapped_column(BigInteger, Identity(always=True), unique=True)


NOT_A_CURSOR = "not a cursor of this feed (take `next_cursor` from the previous page)"
NOT_A_CURSOR_PL = "to nie jest kursor tego strumienia (weź `next_cursor` z poprzedniej strony)"


class Cursor:
    """A position in the feed: after the event (xid, position). A reader that sees every event (an administrator,
    a service's credential) is given `xid-position`; any other reader is given the id of an event it may read
    (`event`), which says nothing of how many events it may not read were written around it."""

    def __init__(self, xid: int = 0, position: int = 0, event: uuid.UUID | None = None) -> None:
        self.xid, self.position, self.event = xid, position, event

    @classmethod
    def parse(cls, value: str | None) -> Cursor:
        if not value:
            return cls()
        match = CURSOR.match(value)
        if match is None:
            with contextlib.suppress(ValueError):
                return cls(event=uuid.UUID(value))
        elif max(int(match[1]), int(match[2])) <= MAX_INT8:
            return cls(int(match[1]), int(match[2]))
        raise Refusal(NOT_A_CURSOR, NOT_A_CURSOR_PL)

    @classmethod
    def before_watermark(cls, watermark: int) -> Cursor:
        """After every event of every transaction below the watermark: all a reader can have seen."""
        return cls(max(watermark - 1, 0), MAX_INT8)

    @property
    def counted(self) -> bool:
        """Is it a position (`xid-position`), not the start or an event's id?"""
        return self.event is None and (self.xid, self.position) != (0, 0)

    def __lt__(self, other: Cursor) -> bool:
        return (self.xid, self.position) < (other.xid, other.position)

    def __str__(self) -> str:
        return str(self.event) if self.event is not None else f"{self.xid}-{self.position}"


class CloudEvent(Schema):
    """One event, as CloudEvents 1.0 attributes (JSON format)."""

    specversion: str = Field(default="1.0", description="CloudEvents version.")
    id: uuid.UUID = Field(description="Unique per event: consumers deduplicate by it.")
    source: str = Field(description="The service that wrote it.", examples=["urn:cus:commissioning"])
    type: str = Field(description="What happened.", examples=["pl.cus.contract.signed"])
    subject: str = Field(description="The resource it is about.", examples=["contracts/4c7b…"])
    time: datetime = Field(description="When the change was made (UTC).")
    datacontenttype: str = Field(default="application/json", description="The media type of `data`.")
    municipality: str | None = Field(default=None, description="Extension: the municipality (TERC) concerned.")
    provider: uuid.UUID | None = Field(default=None, description="Extension: the provider concerned.")
    data: dict[str, Any] = Field(description="The resource's state after the change (public fields only).")


class EventPage(Schema):
    items: list[CloudEvent] = Field(description="Events in commit-safe order, oldest first.")
    next_cursor: str = Field(
        description="Pass as `after` for the next page; when the page is not full it is the feed's end, and "
        "polling with it returns only events committed since. Opaque: the id of the last event the reader may "
        "read (a position, `xid-position`, for administrators and services, who read every event)."
    )


def envelope(row: OutboxColumns, source: str) -> CloudEvent:
    named_alike = {name: getattr(row, name) for name in ("id", "type", "subject", "time", "data")}
    return CloudEvent(source=source, municipality=row.municipality_terc, provider=row.provider_id, **named_alike)


# The oldest transaction still running: every event of a transaction below it is final.
WATERMARK = literal_column("(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint", BigInteger)


def sees_everything(principal: Principal | None) -> bool:
    return principal is not None and principal.role is Role.ADMIN


def readable_by(model: Any, principal: Principal | None) -> ColumnElement[bool]:
    """Public events to everyone; the others to their municipality, their provider's members and admins."""
    public: ColumnElement[bool] = model.public.is_(True)
    if principal is None:
        return public
    if sees_everything(principal):
        return true()
    own: ColumnElement[bool] = false()
    if principal.role is Role.MUNICIPALITY and principal.terc:
        own = model.municipality_terc == principal.terc
    elif principal.role is Role.PROVIDER and principal.providers:
        own = model.provider_id.in_(principal.providers)
    return or_(public, own)


def _after(model: Any, after: Cursor) -> ColumnElement[bool]:
    return tuple_(model.xid, model.position) > tuple_(
        literal(after.xid, BigInteger), literal(after.position, BigInteger)
    )


async def read_feed(
    session: AsyncSession,
    model: Any,
    *,
    principal: Principal | None,
    after: Cursor,
    types: list[str],
    municipality: str | None,
    limit: int,
    provider: uuid.UUID | None = None,
) -> tuple[Sequence[Any], int]:
    """The page of a service's outbox (`model`) after the cursor that the principal may read, and the watermark
    it was read below. The watermark is measured first and the page read below it: it only grows, so what was
    final then is still final (a page read below a later watermark than the one returned would let a reader jump
    past events)."""
    watermark = int(await session.scalar(select(WATERMARK)) or 0)
    query = (
        select(model)
        .where(
            model.xid < watermark,
            _after(model, after),
            readable_by(model, principal),
        )
        .order_by(model.xid, model.position)
        .limit(limit)
    )
    if types:
        query = query.where(model.type.in_(types))
    if municipality:
        query = query.where(model.municipality_terc == municipality)
    if provider:
        query = query.where(model.provider_id == provider)
    return (await session.scalars(query)).all(), watermark


def next_cursor(rows: Sequence[Any], watermark: int, after: Cursor, limit: int) -> Cursor:
    """Where the next page starts: after the last row of a full page, else past every final event."""
    if len(rows) == limit:
        return Cursor(rows[-1].xid, rows[-1].position)
    return max(Cursor.before_watermark(watermark), after)


async def _located(session: AsyncSession, model: Any, after: Cursor, principal: Principal | None) -> Cursor:
    """The position of the cursor's event. Only a reader that sees every event may name a position itself: from
    positions chosen at will, any other could tell how many events it may not read lie between two it may."""
    if after.counted and not sees_everything(principal):
        raise ValidationProblem.field("after", NOT_A_CURSOR, pl=NOT_A_CURSOR_PL, location="query")
    if after.event is None:
        return after
    found = (await session.execute(select(model.xid, model.position).where(model.id == after.event))).first()
    if found is None:
        raise ValidationProblem.field("after", NOT_A_CURSOR, pl=NOT_A_CURSOR_PL, location="query")
    return Cursor(found.xid, found.position, event=after.event)


async def _last_readable(
    session: AsyncSession, model: Any, principal: Principal | None, watermark: int, after: Cursor
) -> Cursor:
    """Past every final event the principal may read, whatever the page's filters: the last such event (its id),
    or the cursor it came with when there is none after it. The next page then starts there, not again behind
    every event the filters left out."""
    query = (
        select(model.id)
        .where(model.xid < watermark, _after(model, after), readable_by(model, principal))
        .order_by(model.xid.desc(), model.position.desc())
        .limit(1)
    )
    last = await session.scalar(query)
    return after if last is None else Cursor(event=last)


@dataclass(frozen=True)
class Feed:
    """A service's change feed: its outbox model and the CloudEvents source of its events."""

    model: Any
    source: str

    def record(
        self,
        session: AsyncSession,
        *,
        type: enum.Enum,
        subject: str,
        time: datetime,
        data: dict[str, Any],
        municipality: str | None = None,
        provider: uuid.UUID | None = None,
        public: bool = True,
    ) -> None:
        """Add the event to the outbox, in the session's transaction: it exists exactly when the change does."""
        row = self.model(type=TYPE_PREFIX + type.value, subject=subject, time=time, data=data, public=public)
        row.municipality_terc, row.provider_id = municipality, provider
        session.add(row)

    async def page(
        self,
        session: AsyncSession,
        *,
        principal: Principal | None,
        after: Cursor,
        types: Sequence[enum.Enum] | None,
        limit: int,
        municipality: str | None = None,
    ) -> EventPage:
        """A page of the feed as the principal may read it, of the event types asked for (all when none). A
        reader that sees every event gets positions as cursors; any other reader the id of the last event it may
        read, so no cursor of its feed counts the events it may not read (a position would: public events at
        positions 2 and 6 tell of three others between)."""
        model = self.model
        after = await _located(session, model, after, principal)
        rows, watermark = await read_feed(
            session,
            model,
            principal=principal,
            after=after,
            types=[TYPE_PREFIX + t.value for t in types or []],
            municipality=municipality,
            limit=limit,
        )
        items = [envelope(row, self.source) for row in rows]
        if sees_everything(principal):
            cursor = next_cursor(rows, watermark, after, limit)
        elif len(rows) == limit:
            cursor = Cursor(rows[-1].xid, rows[-1].position, event=rows[-1].id)
        else:
            cursor = await _last_readable(session, model, principal, watermark, after)
        return EventPage(items=items, next_cursor="" if cursor.event is None and not cursor.counted else str(cursor))


async def feed_cursor(
    after: Annotated[str | None, Query(max_length=40, description="`next_cursor` of the previous page.")] = None,
) -> Cursor:
    """The `after` parameter of a feed, a 422 naming it when it is not a cursor of the feed."""
    try:
        return Cursor.parse(after)
    except ValueError as exc:
        raise ValidationProblem.field("after", str(exc), pl=polish_of(exc), location="query") from None


CursorDep = Annotated[Cursor, Depends(feed_cursor)]
FeedLimit = Annotated[int, Query(ge=1, le=500, description="Events per page (1 to 500).")]
E = TypeVar("E", bound=enum.Enum)
FeedTypes = Annotated[list[E] | None, Query(alias="type", description="Only these types (repeat the parameter).")]
