"""Gather what calls' OCDS releases are made of, a few batched queries for many calls."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.calls.events import deadline_passed, effective_status
from services.commissioning.models.calls import Amendment, Award, Call, Lot
from services.commissioning.models.contracts import (
    AwardDecision,
    Contract,
    ContractAmendment,
    DeliveryReport,
    Payment,
)
from services.commissioning.models.municipalities import Municipality
from services.commissioning.models.offers import Offer, OfferStatus
from services.commissioning.ocds.data import CallData


async def published_calls(session: AsyncSession, *, ocid: str | None = None) -> Sequence[Call]:
    query = select(Call).where(Call.published_at.is_not(None))
    if ocid is not None:
        query = query.where(Call.ocid == ocid)
    return (await session.scalars(query.order_by(Call.published_at, Call.id))).all()


async def _by_call(session: AsyncSession, model: Any, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    grouped: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
    for row in (await session.scalars(select(model).where(model.call_id.in_(ids)))).all():
        grouped[row.call_id].append(row)
    return grouped


async def gather(session: AsyncSession, calls: Sequence[Call], now: datetime) -> list[CallData]:
    ids = [c.id for c in calls]
    if not ids:
        return []
    municipalities = {
        m.terc: m
        for m in (
            await session.scalars(
                select(Municipality).where(Municipality.terc.in_({c.municipality_terc for c in calls}))
            )
        ).all()
    }
    lots = await _by_call(session, Lot, ids)
    amendments = await _by_call(session, Amendment, ids)
    offers = await _by_call(session, Offer, ids)
    decisions = await _by_call(session, AwardDecision, ids)
    awards = await _by_call(session, Award, ids)
    contracts = await _by_call(session, Contract, ids)
    contract_ids = [c.id for rows in contracts.values() for c in rows]
    amendments_c = (
        (await session.scalars(select(ContractAmendment).where(ContractAmendment.contract_id.in_(contract_ids)))).all()
        if contract_ids
        else []
    )
    payments = (
        (await session.scalars(select(Payment).where(Payment.contract_id.in_(contract_ids)))).all()
        if contract_ids
        else []
    )
    reports = (
        (await session.scalars(select(DeliveryReport).where(DeliveryReport.contract_id.in_(contract_ids)))).all()
        if contract_ids
        else []
    )
    out = []
    for call in calls:
        opened = deadline_passed(call, now)
        call_contracts = {c.id for c in contracts[call.id]}
        out.append(
            CallData(
                call=call,
                municipality=municipalities[call.municipality_terc],
                lots=sorted(lots[call.id], key=lambda lot: lot.number),
                amendments=sorted(amendments[call.id], key=lambda a: a.number),
                # sealed until the deadline: no offer, not even a count, before it
                offers=sorted(
                    (o for o in offers[call.id] if opened and o.status != OfferStatus.WITHDRAWN.value),
                    key=lambda o: (o.submitted_at, o.id),
                ),
                decisions=sorted(decisions[call.id], key=lambda d: d.decided_at),
                awards=sorted(awards[call.id], key=lambda a: a.awarded_at),
                contracts=sorted(contracts[call.id], key=lambda c: c.created_at),
                contract_amendments=[a for a in amendments_c if a.contract_id in call_contracts],
                payments=[p for p in payments if p.contract_id in call_contracts],
                reports=[r for r in reports if r.contract_id in call_contracts],
                status=effective_status(call, now),
                opened=opened,
            )
        )
    return out
