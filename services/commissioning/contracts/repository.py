"""Contract, report, payment and track-record queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.calls.models import Award
from services.commissioning.contracts.models import Contract, ContractStatus, DeliveryReport, Payment, ReportStatus


async def search(
    session: AsyncSession, *, municipality: str | None, provider_id: uuid.UUID | None, status: ContractStatus | None
) -> Sequence[Contract]:
    query = select(Contract).order_by(Contract.created_at.desc(), Contract.id)
    if municipality:
        query = query.where(Contract.municipality_terc == municipality)
    if provider_id:
        query = query.where(Contract.provider_id == provider_id)
    if status:
        query = query.where(Contract.status == status.value)
    return (await session.scalars(query.limit(500))).all()


async def reports_of(session: AsyncSession, contract_id: uuid.UUID) -> Sequence[DeliveryReport]:
    query = (
        select(DeliveryReport).where(DeliveryReport.contract_id == contract_id).order_by(DeliveryReport.period_start)
    )
    return (await session.scalars(query)).all()


async def payments_of(session: AsyncSession, contract_id: uuid.UUID) -> Sequence[Payment]:
    query = select(Payment).where(Payment.contract_id == contract_id).order_by(Payment.paid_on, Payment.id)
    return (await session.scalars(query)).all()


async def awards_of_provider(session: AsyncSession, provider_id: uuid.UUID) -> Sequence[Award]:
    query = select(Award).where(Award.provider_id == provider_id).order_by(Award.awarded_at.desc())
    return (await session.scalars(query)).all()


async def accepted_reports_of_provider(session: AsyncSession, provider_id: uuid.UUID) -> int:
    query = (
        select(func.count())
        .select_from(DeliveryReport)
        .join(Contract, Contract.id == DeliveryReport.contract_id)
        .where(Contract.provider_id == provider_id, DeliveryReport.status == ReportStatus.ACCEPTED.value)
    )
    return int(await session.scalar(query) or 0)
