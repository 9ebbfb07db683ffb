"""Monitoring indicators over a period, for a municipality or a whole voivodeship."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.calls import Award, Call, CallStatus, Lot
from services.commissioning.models.contracts import Contract, ContractStatus, DeliveryReport, Payment, ReportStatus
from services.commissioning.models.offers import Offer, OfferStatus


def _scope(column: Any, municipality: str | None, voivodeship: str | None) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = column == municipality if municipality else column.like(f"{voivodeship}%")
    return condition


# Contracts that bind the municipality to pay (awarded, being signed, or signed and running).
CONTRACTS_IN_FORCE = [
    ContractStatus.STANDSTILL.value,
    ContractStatus.AWAITING_SIGNATURE.value,
    ContractStatus.AWAITING_CONFIRMATION.value,
    ContractStatus.ACTIVE.value,
]


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[since, until) in UTC for whole days `start`..`end` (the last representable day has no next day)."""
    since = datetime.combine(start, time.min, UTC)
    until = (
        datetime.combine(end + timedelta(days=1), time.min, UTC) if end < date.max else datetime.max.replace(tzinfo=UTC)
    )
    return since, until


async def indicators(
    session: AsyncSession,
    *,
    municipality: str | None,
    voivodeship: str | None,
    start: date,
    end: date,
    now: datetime,
) -> dict[str, Any]:
    """The figures; a call counts as closed (with or without offers) only once its deadline has passed by the
    clock: before that, nothing about its sealed offers, not even whether there are any, is revealed."""
    since, until = period_bounds(start, end)
    in_period = and_(
        Award.awarded_at >= since, Award.awarded_at < until, _scope(Award.municipality_terc, municipality, voivodeship)
    )
    by_mode = (
        await session.execute(
            select(
                Award.mode,
                func.count(),
                func.sum(Award.value_grosze),
                func.sum(case((Award.is_pes.is_(True), Award.value_grosze), else_=0)),
            )
            .where(in_period)
            .group_by(Award.mode)
            .order_by(Award.mode)
        )
    ).all()
    total = sum(int(r[2] or 0) for r in by_mode)
    to_pes = sum(int(r[3] or 0) for r in by_mode)
    by_area = (
        await session.execute(
            select(Lot.area_code, Lot.service_type_code, func.count(), func.sum(Award.value_grosze))
            .join(Award, Award.lot_id == Lot.id)
            .where(in_period)
            .group_by(Lot.area_code, Lot.service_type_code)
            .order_by(Lot.area_code, Lot.service_type_code)
        )
    ).all()
    reports = (
        await session.scalars(
            select(DeliveryReport.people_served)
            .join(Contract, Contract.id == DeliveryReport.contract_id)
            .where(
                DeliveryReport.status == ReportStatus.ACCEPTED.value,
                DeliveryReport.period_start <= end,
                DeliveryReport.period_end >= start,
                _scope(Contract.municipality_terc, municipality, voivodeship),
            )
        )
    ).all()
    people: dict[str, int] = {}
    for served in reports:
        for group, count in served.items():
            people[group] = people.get(group, 0) + int(count)
    offers_per_call = (
        select(func.count())
        .select_from(Offer)
        .where(Offer.call_id == Call.id, Offer.status != OfferStatus.WITHDRAWN.value)
        .scalar_subquery()
    )
    closed_calls = and_(
        Call.published_at.is_not(None),
        Call.deadline >= since,
        Call.deadline < until,
        Call.deadline <= now,
        Call.status != CallStatus.CANCELLED.value,
        _scope(Call.municipality_terc, municipality, voivodeship),
    )
    calls_closed = int(await session.scalar(select(func.count()).select_from(Call).where(closed_calls)) or 0)
    without_offers = int(
        await session.scalar(select(func.count()).select_from(Call).where(closed_calls, offers_per_call == 0)) or 0
    )
    # Money: paid in the period; outstanding on the contracts in force during it (value less all paid so far).
    scoped = _scope(Contract.municipality_terc, municipality, voivodeship)
    paid = int(
        await session.scalar(
            select(func.coalesce(func.sum(Payment.amount_grosze), 0))
            .join(Contract, Contract.id == Payment.contract_id)
            .where(scoped, Payment.paid_on >= start, Payment.paid_on <= end)
        )
        or 0
    )
    paid_so_far = (
        select(func.coalesce(func.sum(Payment.amount_grosze), 0))
        .where(Payment.contract_id == Contract.id)
        .scalar_subquery()
    )
    outstanding = int(
        await session.scalar(
            select(func.coalesce(func.sum(func.greatest(Contract.value_grosze - paid_so_far, 0)), 0)).where(
                scoped,
                Contract.status.in_(CONTRACTS_IN_FORCE),
                Contract.period_start <= end,
                Contract.period_end >= start,
            )
        )
        or 0
    )
    return {
        "scope": {"municipality": municipality, "voivodeship": voivodeship},
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        "value_commissioned_grosze": total,
        "value_to_pes_grosze": to_pes,
        "pes_share": round(to_pes / total, 4) if total else None,
        "by_mode": [
            {"mode": r[0], "awards": int(r[1]), "value_grosze": int(r[2] or 0), "value_to_pes_grosze": int(r[3] or 0)}
            for r in by_mode
        ],
        "by_area": [
            {"area_code": r[0], "service_type_code": r[1], "awards": int(r[2]), "value_grosze": int(r[3] or 0)}
            for r in by_area
        ],
        "people_served": dict(sorted(people.items())),
        "people_served_total": sum(people.values()),
        "calls_closed": calls_closed,
        "calls_without_offers": without_offers,
        "paid_grosze": paid,
        "outstanding_grosze": outstanding,
    }
