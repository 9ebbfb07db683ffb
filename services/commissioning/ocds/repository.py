"""Gather what calls' OCDS releases are made of, a few batched queries for many calls; the index of every
release (which call, when, which stage) for paging; calls in batches for bulk files."""

from __future__ import annotations

import base64
import binascii
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

# Every release `mapping.releases` makes, as (call, date, stage, release id): one branch per kind of release. It
# must say what `mapping.releases` says; a test compares the two over a whole process. Each branch is read in the
# package's order from an index on its date and cut at the page's length, so a page costs what its length does,
# not what the whole history does (the keyset `after` makes every page the first one).
PUBLISHED = "p.published_at IS NOT NULL"
BRANCHES = [
    ("planning", "p.created_at", "p.ocid || '-planning'", "calls p", PUBLISHED),
    ("tender", "p.published_at", "p.ocid || '-tender'", "calls p", PUBLISHED),
    (
        "tenderAmendment",
        "a.at",
        "p.ocid || '-amendment-' || a.number",  # numbered from 1 without gaps, as mapping counts them
        "amendments a JOIN calls p ON p.id = a.call_id",
        PUBLISHED,
    ),
    (
        "tenderCancellation",
        "p.updated_at",
        "p.ocid || '-cancellation'",
        "calls p",
        f"{PUBLISHED} AND p.status = 'cancelled'",
    ),
    ("tenderUpdate", "p.deadline", "p.ocid || '-bids'", "calls p", f"{PUBLISHED} AND p.deadline <= :now"),
    (
        "award",
        "d.decided_at",
        "p.ocid || '-award-' || d.id",
        "award_decisions d JOIN calls p ON p.id = d.call_id",
        PUBLISHED,
    ),
    (
        "contract",
        "c.signed_at",
        "p.ocid || '-contract-' || c.id",
        "contracts c JOIN calls p ON p.id = c.call_id",
        f"{PUBLISHED} AND c.signed_at IS NOT NULL",
    ),
    (
        "implementation",
        "c.updated_at",
        "p.ocid || '-implementation-' || c.id",
        "contracts c JOIN calls p ON p.id = c.call_id",
        f"""{PUBLISHED} AND c.signed_at IS NOT NULL AND (c.status <> 'active'
            OR EXISTS (SELECT FROM payments x WHERE x.contract_id = c.id)
            OR EXISTS (SELECT FROM delivery_reports x WHERE x.contract_id = c.id))""",
    ),
]


def _index_sql(*, since: bool, until: bool, after: bool) -> str:
    """The index query for these filters (only the conditions asked for, so each stays usable on an index)."""
    branches = []
    for stage_name, at, rid, source, where in BRANCHES:
        stage = STAGES.index(stage_name)
        conditions = [where]
        if since:
            conditions.append(f"{at} >= :since")
        if until:
            conditions.append(f"{at} < :until")
        if after:
            conditions.append(
                f'{at} >= :after_at AND ({at}, {stage}, ({rid}) COLLATE "C") > (:after_at, :after_stage, :after_rid)'
            )
        branches.append(
            f"""(SELECT p.id AS call_id, {at} AS at, {stage} AS stage, {rid} AS rid FROM {source}
            WHERE {" AND ".join(conditions)} ORDER BY {at}, ({rid}) COLLATE "C" LIMIT :reach)"""
        )
    return (
        "SELECT call_id, at, stage, rid FROM (" + " UNION ALL ".join(branches) + ") r"
        ' ORDER BY at, stage, rid COLLATE "C" LIMIT :limit OFFSET :offset'
    )


@dataclass(frozen=True)
class IndexedRelease:
    call_id: uuid.UUID
    at: datetime
    stage: int
    release_id: str

    def cursor(self) -> str:
        """Where a page ended, as an opaque token for `after` (base64url of its date, stage and id)."""
        return base64.urlsafe_b64encode(f"{self.at.isoformat()}|{self.stage}|{self.release_id}".encode()).decode()


def after_cursor(token: str) -> IndexedRelease:
    """The release a cursor names; ValueError when it is not one this service made."""
    try:
        at, stage, release_id = base64.urlsafe_b64decode(token.encode("ascii")).decode().split("|", 2)
        moment = datetime.fromisoformat(at)
        if moment.tzinfo is None or not 0 <= int(stage) < len(STAGES) or not release_id:
            raise ValueError(token)
    except (UnicodeError, binascii.Error) as exc:
        raise ValueError(token) from exc
    return IndexedRelease(uuid.UUID(int=0), moment, int(stage), release_id)


async def release_index(
    session: AsyncSession,
    now: datetime,
    *,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int = 0,
    after: IndexedRelease | None = None,
) -> list[IndexedRelease]:
    """A page of the index of every published release, in the package's order (date, stage, id): the `limit`
    after `offset` releases, or the `limit` that follow release `after`."""
    sql = _index_sql(since=since is not None, until=until is not None, after=after is not None)
    params: dict[str, Any] = {"now": now, "limit": limit, "offset": offset, "reach": limit + offset}
    params.update({"since": since} if since else {})
    params.update({"until": until} if until else {})
    if after is not None:
        params.update(after_at=after.at, after_stage=after.stage, after_rid=after.release_id)
    rows = await session.execute(text(sql), params)
    return [IndexedRelease(*row) for row in rows]


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


async def _grouped(session: AsyncSession, model: Any, key: str, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[Any]]:
    """The rows of `model` whose `key` column is one of `ids`, by that column's value."""
    grouped: dict[uuid.UUID, list[Any]] = {i: [] for i in ids}
    if ids:
        column = getattr(model, key)
        for row in (await session.scalars(select(model).where(column.in_(ids)))).all():
            grouped[getattr(row, key)].append(row)
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
    lots = await _grouped(session, Lot, "call_id", ids)
    amendments = await _grouped(session, Amendment, "call_id", ids)
    offers = await _grouped(session, Offer, "call_id", ids)
    decisions = await _grouped(session, AwardDecision, "call_id", ids)
    awards = await _grouped(session, Award, "call_id", ids)
    contracts = await _grouped(session, Contract, "call_id", ids)
    contract_ids = [c.id for rows in contracts.values() for c in rows]
    amendments_c = await _grouped(session, ContractAmendment, "contract_id", contract_ids)
    payments = await _grouped(session, Payment, "contract_id", contract_ids)
    reports = await _grouped(session, DeliveryReport, "contract_id", contract_ids)
    out = []
    for call in calls:
        opened = deadline_passed(call, now)
        call_contracts = [c.id for c in contracts[call.id]]
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
                contract_amendments=[a for c in call_contracts for a in amendments_c[c]],
                payments=[p for c in call_contracts for p in payments[c]],
                reports=[r for c in call_contracts for r in reports[c]],
                status=effective_status(call, now),
                opened=opened,
            )
        )
    return out
