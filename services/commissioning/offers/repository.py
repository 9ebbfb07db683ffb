"""Offer queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.calls import Call
from services.commissioning.models.offers import Offer, OfferStatus


async def for_lot_and_provider(session: AsyncSession, lot_id: uuid.UUID, provider_id: uuid.UUID) -> Offer | None:
    query = select(Offer).where(Offer.lot_id == lot_id, Offer.provider_id == provider_id).with_for_update()
    return (await session.scalars(query)).one_or_none()


async def locked_with_call(session: AsyncSession, offer_id: uuid.UUID) -> tuple[Offer, Call] | None:
    """The offer locked for update and its call locked shared, as they are now, in one statement."""
    query = (
        select(Offer, Call)
        .join(Call, Call.id == Offer.call_id)
        .where(Offer.id == offer_id)
        .suffix_with("FOR UPDATE OF offers FOR SHARE OF calls")
        .execution_options(populate_existing=True)
    )
    row = (await session.execute(query)).one_or_none()
    return None if row is None else (row[0], row[1])


async def of_call(
    session: AsyncSession, call_id: uuid.UUID, *, provider_id: uuid.UUID | None = None, include_withdrawn: bool
) -> Sequence[Offer]:
    query = select(Offer).where(Offer.call_id == call_id)
    if provider_id is not None:
        query = query.where(Offer.provider_id == provider_id)
    if not include_withdrawn:
        query = query.where(Offer.status != OfferStatus.WITHDRAWN.value)
    return (await session.scalars(query.order_by(Offer.lot_id, Offer.submitted_at, Offer.id))).all()


async def of_provider(session: AsyncSession, provider_id: uuid.UUID) -> Sequence[Offer]:
    query = select(Offer).where(Offer.provider_id == provider_id).order_by(Offer.submitted_at.desc(), Offer.id)
    return (await session.scalars(query)).all()


async def count_active(session: AsyncSession, call_id: uuid.UUID) -> int:
    """Offers of the call that were not withdrawn."""
    query = (
        select(func.count())
        .select_from(Offer)
        .where(Offer.call_id == call_id, Offer.status != OfferStatus.WITHDRAWN.value)
    )
    return int(await session.scalar(query) or 0)


async def ask_reconfirmation(session: AsyncSession, call_id: uuid.UUID) -> int:
    """Submitted offers of the call must be confirmed again (after an amendment); returns how many."""
    statement = (
        update(Offer)
        .where(Offer.call_id == call_id, Offer.status == OfferStatus.SUBMITTED.value)
        .values(status=OfferStatus.NEEDS_CONFIRMATION.value)
        .execution_options(synchronize_session=False)
    )
    return int((await session.execute(statement)).rowcount or 0)  # type: ignore[attr-defined]
