"""The outbox's queries: the feed reads below the oldest transaction still running (see shared.events)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, ColumnElement, false, literal, literal_column, or_, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.outbox import OutboxEvent
from shared.auth import Principal, Role
from shared.events import Cursor

# The oldest transaction still running: every event of a transaction below it is final.
WATERMARK = literal_column("(pg_snapshot_xmin(pg_current_snapshot())::text)::bigint", BigInteger)


def readable_by(principal: Principal | None) -> ColumnElement[bool]:
    """Public events to everyone; the others to their municipality, their provider's members and admins."""
    public = OutboxEvent.public.is_(True)
    if principal is None:
        return public
    if principal.role is Role.ADMIN:
        return true()
    own: ColumnElement[bool] = false()
    if principal.role is Role.MUNICIPALITY and principal.terc:
        own = OutboxEvent.municipality_terc == principal.terc
    elif principal.role is Role.PROVIDER and principal.providers:
        own = OutboxEvent.provider_id.in_(principal.providers)
    return or_(public, own)


async def feed(
    session: AsyncSession,
    *,
    principal: Principal | None,
    after: Cursor,
    types: list[str],
    municipality: str | None,
    limit: int,
) -> tuple[Sequence[OutboxEvent], int]:
    """The page of events after the cursor that the principal may read, and the watermark it was read below.

    The watermark is measured first and the page read below it: it only grows, so what was final then is still
    final (a page read below a later watermark than the one returned would let a reader jump past events)."""
    watermark = int(await session.scalar(select(WATERMARK)) or 0)
    query = (
        select(OutboxEvent)
        .where(
            OutboxEvent.xid < watermark,
            tuple_(OutboxEvent.xid, OutboxEvent.position)
            > tuple_(literal(after.xid, BigInteger), literal(after.position, BigInteger)),
            readable_by(principal),
        )
        .order_by(OutboxEvent.xid, OutboxEvent.position)
        .limit(limit)
    )
    if types:
        query = query.where(OutboxEvent.type.in_(types))
    if municipality:
        query = query.where(OutboxEvent.municipality_terc == municipality)
    return (await session.scalars(query)).all(), watermark
