"""Queries of the capacity consumer."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.models.capacity import CapacityCommitment
from services.catalogue.models.offerings import Offering


async def offerings_of_type(
    session: AsyncSession, *, provider_id: uuid.UUID, service_type_id: uuid.UUID
) -> Sequence[tuple[uuid.UUID, list[str], int]]:
    """The provider's active offerings of the service type: id, delivery areas, free capacity."""
    rows = await session.execute(
        select(
            Offering.id,
            Offering.delivery_areas,
            Offering.capacity_per_month - Offering.capacity_committed - Offering.capacity_contracted,
        ).where(
            Offering.provider_id == provider_id,
            Offering.service_type_id == service_type_id,
            Offering.active.is_(True),
        )
    )
    return [(r[0], list(r[1]), int(r[2])) for r in rows]


async def contracted_sum(session: AsyncSession, offering_id: uuid.UUID) -> int:
    total = await session.scalar(
        select(func.coalesce(func.sum(CapacityCommitment.units_per_month), 0)).where(
            CapacityCommitment.offering_id == offering_id, CapacityCommitment.counted.is_(True)
        )
    )
    return int(total or 0)


async def lapsed(session: AsyncSession, today: date) -> Sequence[CapacityCommitment]:
    """Commitments still counted whose contract's period is over."""
    return (
        await session.scalars(
            select(CapacityCommitment)
            .where(CapacityCommitment.counted.is_(True), CapacityCommitment.period_end < today)
            .with_for_update(skip_locked=True)
        )
    ).all()
