"""Contract, report, payment and track-record queries."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.calls import Award
from services.commissioning.models.contracts import (
    AwardDecision,
    Contract,
    ContractAmendment,
    ContractStatus,
    DeliveryReport,
    OfferComment,
    Payment,
    ReportStatus,
)

CONTRACT_SORTS: dict[str, tuple[Any, ...]] = {
    "created": (Contract.created_at.asc(), Contract.id),
    "-created": (Contract.created_at.desc(), Contract.id),
    "signed_on": (Contract.signed_on.asc().nulls_last(), Contract.id),
    "-signed_on": (Contract.signed_on.desc().nulls_last(), Contract.id),
    "value": (Contract.value_grosze.asc(), Contract.id),
    "-value": (Contract.value_grosze.desc(), Contract.id),
}


@dataclass(frozen=True)
class ContractFilters:
    municipality: str | None = None
    place: str | None = None  # a TERC unit containing the municipality
    provider_id: uuid.UUID | None = None
    status: ContractStatus | None = None
    period_from: date | None = None  # contracts running on or after this day
    period_to: date | None = None  # contracts running on or before this day
    sort: str = "-created"


async def search(
    session: AsyncSession,
    *,
    municipality: str | None = None,
    provider_id: uuid.UUID | None = None,
    status: ContractStatus | None = None,
    filters: ContractFilters | None = None,
    offset: int = 0,
    limit: int = 500,
) -> Sequence[Contract]:
    rows, _ = await search_page(
        session,
        filters=filters or ContractFilters(municipality=municipality, provider_id=provider_id, status=status),
        offset=offset,
        limit=limit,
        with_total=False,
    )
    return rows


async def search_page(
    session: AsyncSession, *, filters: ContractFilters, offset: int, limit: int, with_total: bool = True
) -> tuple[Sequence[Contract], int]:
    query = select(Contract)
    if filters.municipality:
        query = query.where(Contract.municipality_terc == filters.municipality)
    if filters.place:
        query = query.where(Contract.municipality_terc.startswith(filters.place, autoescape=True))
    if filters.provider_id:
        query = query.where(Contract.provider_id == filters.provider_id)
    if filters.status:
        query = query.where(Contract.status == filters.status.value)
    if filters.period_from:
        query = query.where(Contract.period_end >= filters.period_from)
    if filters.period_to:
        query = query.where(Contract.period_start <= filters.period_to)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) if with_total else 0
    rows = await session.scalars(query.order_by(*CONTRACT_SORTS[filters.sort]).offset(offset).limit(limit))
    return rows.all(), int(total or 0)


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


async def active_contracts(session: AsyncSession, terc: str) -> Sequence[Contract]:
    query = (
        select(Contract)
        .where(Contract.municipality_terc == terc, Contract.status == ContractStatus.ACTIVE.value)
        .order_by(Contract.created_at.desc())
    )
    return (await session.scalars(query)).all()


async def lot_is_decided(session: AsyncSession, lot_id: uuid.UUID) -> bool:
    return await session.scalar(select(AwardDecision.id).where(AwardDecision.lot_id == lot_id)) is not None


async def decided_lots(session: AsyncSession, call_id: uuid.UUID) -> set[uuid.UUID]:
    return set((await session.scalars(select(AwardDecision.lot_id).where(AwardDecision.call_id == call_id))).all())


async def award_count(session: AsyncSession, call_id: uuid.UUID) -> int:
    return int(await session.scalar(select(func.count()).select_from(Award).where(Award.call_id == call_id)) or 0)


async def contracts_past_standstill(session: AsyncSession, call_id: uuid.UUID, now: datetime) -> Sequence[Contract]:
    query = (
        select(Contract)
        .join(Award, Award.id == Contract.award_id)
        .join(AwardDecision, AwardDecision.id == Award.decision_id)
        .where(
            Contract.call_id == call_id,
            Contract.status == ContractStatus.STANDSTILL.value,
            AwardDecision.standstill_until <= now,
        )
    )
    return (await session.scalars(query)).all()


async def next_standstill_end(session: AsyncSession, call_id: uuid.UUID) -> datetime | None:
    """When the next of the call's standstills ends, among contracts still waiting."""
    ends: datetime | None = await session.scalar(
        select(func.min(AwardDecision.standstill_until))
        .join(Award, Award.decision_id == AwardDecision.id)
        .join(Contract, Contract.award_id == Award.id)
        .where(AwardDecision.call_id == call_id, Contract.status == ContractStatus.STANDSTILL.value)
    )
    return ends


async def decisions_of(
    session: AsyncSession, call_id: uuid.UUID
) -> list[tuple[AwardDecision, list[Award], list[Contract]]]:
    decisions = (
        await session.scalars(
            select(AwardDecision).where(AwardDecision.call_id == call_id).order_by(AwardDecision.decided_at)
        )
    ).all()
    awards = (await session.scalars(select(Award).where(Award.call_id == call_id))).all()
    contracts = (await session.scalars(select(Contract).where(Contract.call_id == call_id))).all()
    return [
        (d, [a for a in awards if a.decision_id == d.id], [c for c in contracts if c.lot_id == d.lot_id])
        for d in decisions
    ]


async def other_contracts_value(session: AsyncSession, lot_id: uuid.UUID, contract_id: uuid.UUID) -> int:
    """What the lot's other contracts (not terminated) are worth now."""
    total = await session.scalar(
        select(func.coalesce(func.sum(Contract.value_grosze), 0)).where(
            Contract.lot_id == lot_id,
            Contract.id != contract_id,
            Contract.status != ContractStatus.TERMINATED.value,
        )
    )
    return int(total or 0)


async def amendment_count(session: AsyncSession, contract_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(ContractAmendment).where(ContractAmendment.contract_id == contract_id)
    return int(await session.scalar(query) or 0)


async def paid_total(session: AsyncSession, contract_id: uuid.UUID) -> int:
    query = select(func.coalesce(func.sum(Payment.amount_grosze), 0)).where(Payment.contract_id == contract_id)
    return int(await session.scalar(query) or 0)


async def report_for_period(session: AsyncSession, contract_id: uuid.UUID, period_start: date) -> DeliveryReport | None:
    query = (
        select(DeliveryReport)
        .where(DeliveryReport.contract_id == contract_id, DeliveryReport.period_start == period_start)
        .with_for_update()
    )
    return (await session.scalars(query)).one_or_none()


async def instalment_paid(session: AsyncSession, contract_id: uuid.UUID, schedule_index: int) -> bool:
    query = select(Payment.id).where(Payment.contract_id == contract_id, Payment.schedule_index == schedule_index)
    return await session.scalar(query.limit(1)) is not None


async def award_of_offer(session: AsyncSession, offer_id: uuid.UUID) -> Award | None:
    return (await session.scalars(select(Award).where(Award.offer_id == offer_id))).first()


async def comments_of(session: AsyncSession, call_id: uuid.UUID) -> Sequence[OfferComment]:
    query = select(OfferComment).where(OfferComment.call_id == call_id).order_by(OfferComment.at, OfferComment.id)
    return (await session.scalars(query)).all()
