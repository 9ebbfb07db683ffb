"""Gather what calls' OCDS releases are made of, a few batched queries for many calls; the index of every
release (which call, when, which stage) for paging; calls in batches for bulk files."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, text, tuple_
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
from services.commissioning.ocds.data import STAGES, CallData

# Every release `mapping.releases` makes, as (call, date, stage, release id), in the package's order. It must say
# what `mapping.releases` says; a test compares the two over a whole process.
RELEASE_INDEX = f"""
WITH published AS (SELECT id, ocid, created_at, published_at, deadline, status, updated_at FROM calls
                   WHERE published_at IS NOT NULL),
releases AS (
    SELECT id AS call_id, created_at AS at, {STAGES.index("planning")} AS stage, ocid || '-planning' AS rid
    FROM published
    UNION ALL
    SELECT id, published_at, {STAGES.index("tender")}, ocid || '-tender' FROM published
    UNION ALL
    SELECT p.id, a.at, {STAGES.index("tenderAmendment")},
           p.ocid || '-amendment-' || row_number() OVER (PARTITION BY a.call_id ORDER BY a.number)
    FROM amendments a JOIN published p ON p.id = a.call_id
    UNION ALL
    SELECT id, updated_at, {STAGES.index("tenderCancellation")}, ocid || '-cancellation' FROM published
    WHERE status = 'cancelled'
    UNION ALL
    SELECT id, deadline, {STAGES.index("tenderUpdate")}, ocid || '-bids' FROM published WHERE deadline <= :now
    UNION ALL
    SELECT p.id, d.decided_at, {STAGES.index("award")}, p.ocid || '-award-' || d.id
    FROM award_decisions d JOIN published p ON p.id = d.call_id
    UNION ALL
    SELECT p.id, c.signed_at, {STAGES.index("contract")}, p.ocid || '-contract-' || c.id
    FROM contracts c JOIN published p ON p.id = c.call_id WHERE c.signed_at IS NOT NULL
    UNION ALL
    SELECT p.id, c.updated_at, {STAGES.index("implementation")}, p.ocid || '-implementation-' || c.id
    FROM contracts c JOIN published p ON p.id = c.call_id
    WHERE c.signed_at IS NOT NULL AND (c.status <> 'active'
          OR EXISTS (SELECT FROM payments x WHERE x.contract_id = c.id)
          OR EXISTS (SELECT FROM delivery_reports x WHERE x.contract_id = c.id))
)
SELECT call_id, rid FROM releases
WHERE (CAST(:since AS timestamptz) IS NULL OR at >= :since) AND (CAST(:until AS timestamptz) IS NULL OR at < :until)
ORDER BY at, stage, rid COLLATE "C"
LIMIT :limit OFFSET :offset
"""


@dataclass(frozen=True)
class IndexedRelease:
    call_id: uuid.UUID
    release_id: str


async def release_index(
    session: AsyncSession, now: datetime, *, since: datetime | None, until: datetime | None, limit: int, offset: int
) -> list[IndexedRelease]:
    """A page of the index of every published release, in the package's order (date, stage, id)."""
    rows = await session.execute(
        text(RELEASE_INDEX),
        {"now": now, "since": since, "until": until, "limit": limit, "offset": offset},
    )
    return [IndexedRelease(call_id, rid) for call_id, rid in rows]


async def published_calls(
    session: AsyncSession,
    *,
    ocid: str | None = None,
    ids: Sequence[uuid.UUID] | None = None,
    after: tuple[datetime, uuid.UUID] | None = None,
    limit: int | None = None,
) -> Sequence[Call]:
    """Published calls in publication order: one by its ocid, these ids, or the next `limit` after a call."""
    query = select(Call).where(Call.published_at.is_not(None))
    if ocid is not None:
        query = query.where(Call.ocid == ocid)
    if ids is not None:
        query = query.where(Call.id.in_(ids))
    if after is not None:
        query = query.where(tuple_(Call.published_at, Call.id) > after)
    return (await session.scalars(query.order_by(Call.published_at, Call.id).limit(limit))).all()


async def every_call(session: AsyncSession, now: datetime, *, batch: int = 200) -> AsyncIterator[CallData]:
    """Every published call's data, in publication order, `batch` calls at a time: memory stays one batch's,
    however many calls there are (each batch is let go of before the next is read)."""
    after: tuple[datetime, uuid.UUID] | None = None
    while calls := await published_calls(session, after=after, limit=batch):
        for data in await gather(session, calls, now):
            yield data
        last = calls[-1]
        assert last.published_at is not None
        after = (last.published_at, last.id)
        session.expunge_all()


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
