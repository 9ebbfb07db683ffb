"""Domain events written with the change (a transactional outbox) and read as a feed no reader can miss.

A service's outbox table (the `OutboxColumns` mixin) gets a row in the same transaction as the change it tells
of, so an event exists exactly when its change was committed. Each row records the id of the transaction that
wrote it (`xid`, PostgreSQL's `pg_current_xact_id()`). A feed reader is shown only the events of transactions
older than the oldest one still running (`pg_snapshot_xmin` of the current snapshot), in (xid, position) order:
every transaction that can still commit an event has an xid at or above that watermark, so no event can ever
appear behind a cursor a reader already holds, however late a slow transaction commits. The price: a long
transaction holds the feed back until it ends.

The envelope follows CloudEvents 1.0 (id, source, type, time, subject, data); `municipality` and `provider` are
extension attributes, for filtering. Events are public unless they name the party that alone may read them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any

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


class Cursor:
    """A position in the feed: after the event (xid, position). Opaque to readers: `xid-position`."""

    def __init__(self, xid: int = 0, position: int = 0) -> None:
        self.xid, self.position = xid, position

    @classmethod
    def parse(cls, value: str | None) -> Cursor:
        if not value:
            return cls()
        match = CURSOR.match(value)
        if match is None or max(int(match[1]), int(match[2])) > MAX_INT8:
            raise Refusal(
                "not a cursor of this feed (take `next_cursor` from the previous page)",
                "to nie jest kursor tego strumienia (weź `next_cursor` z poprzedniej strony)",
            )
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def before_watermark(cls, watermark: int) -> Cursor:
        """After every event of every transaction below the watermark: all a reader can have seen."""
        return cls(max(watermark - 1, 0), MAX_INT8)

    def __lt__(self, other: Cursor) -> bool:
        return (self.xid, self.position) < (other.xid, other.position)

    def __str__(self) -> str:
        return f"{self.xid}-{self.position}"


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
        "polling with it returns only events committed since."
    )


def envelope(row: OutboxColumns, source: str) -> CloudEvent:
    return CloudEvent(
        id=row.id,
        source=source,
        type=row.type,
        subject=row.subject,
        time=row.time,
        municipality=row.municipality_terc,
        provider=row.provider_id,
        data=row.data,
    )


# The oldest transaction still running: every event of a transaction below it is final.
WATERMARK = literal_column("(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint", BigInteger)


def readable_by(model: Any, principal: Principal | None) -> ColumnElement[bool]:
    """Public events to everyone; the others to their municipality, their provider's members and admins."""
    public: ColumnElement[bool] = model.public.is_(True)
    if principal is None:
        return public
    if principal.role is Role.ADMIN:
        return true()
    own: ColumnElement[bool] = false()
    if principal.role is Role.MUNICIPALITY and principal.terc:
        own = model.municipality_terc == principal.terc
    elif principal.role is Role.PROVIDER and principal.providers:
        own = model.provider_id.in_(principal.providers)
    return or_(public, own)


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
            tuple_(model.xid, model.position)
            > tuple_(literal(after.xid, BigInteger), literal(after.position, BigInteger)),
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


async def feed_page(
    session: AsyncSession,
    model: Any,
    *,
    source: str,
    principal: Principal | None,
    after: Cursor,
    types: list[str],
    municipality: str | None,
    limit: int,
) -> EventPage:
    rows, watermark = await read_feed(
        session, model, principal=principal, after=after, types=types, municipality=municipality, limit=limit
    )
    items = [envelope(row, source) for row in rows]
    return EventPage(items=items, next_cursor=str(next_cursor(rows, watermark, after, limit)))


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
