"""Queries of the grant's records."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.contracts import Contract, DeliveryReport


async def earlier_contracts(
    session: AsyncSession, *, provider_id: uuid.UUID, municipality: str, but_call: uuid.UUID
) -> Sequence[Contract]:
    """The provider's contracts with the municipality from its other calls."""
    query = select(Contract).where(
        Contract.provider_id == provider_id, Contract.municipality_terc == municipality, Contract.call_id != but_call
    )
    return (await session.scalars(query.order_by(Contract.created_at, Contract.id))).all()


async def reports_of(session: AsyncSession, contract_ids: list[uuid.UUID]) -> Sequence[DeliveryReport]:
    if not contract_ids:
        return []
    query = select(DeliveryReport).where(DeliveryReport.contract_id.in_(contract_ids))
    return (await session.scalars(query)).all()
