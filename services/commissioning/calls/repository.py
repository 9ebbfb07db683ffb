"""Call queries, including who may see which call."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, and_, cast, column, delete, func, or_, select, true, values
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.calls import Amendment, Award, Call, CallHistory, CallStatus, Lot, Question
from services.commissioning.models.contracts import Contract, ContractStatus
from services.commissioning.rules.modes import Mode
from shared.auth import Principal, Role


def call_visibility(principal: Principal | None) -> ColumnElement[bool]:
    """Published calls are public; drafts only to their municipality (and admins)."""
    published = Call.published_at.is_not(None)
    if principal is None:
        return published
    if principal.role is Role.ADMIN:
        return true()
    if principal.role is Role.MUNICIPALITY:
        return or_(published, Call.municipality_terc == principal.terc)
    return published


async def get_visible(session: AsyncSession, call_id: uuid.UUID, principal: Principal | None) -> Call | None:
    query = select(Call).where(Call.id == call_id, call_visibility(principal))
    return (await session.scalars(query)).one_or_none()


async def visible_with_lot(
    session: AsyncSession, call_id: uuid.UUID, lot_id: uuid.UUID, principal: Principal | None, *, lock_call: bool
) -> tuple[Call | None, Lot | None]:
    """The call as `get_visible` finds it and its lot `lot_id` (None if it has no such lot), in one query; with
    `lock_call`, the call locked shared and read as it is now."""
    query = (
        select(Call, Lot)
        .outerjoin(Lot, and_(Lot.call_id == Call.id, Lot.id == lot_id))
        .where(Call.id == call_id, call_visibility(principal))
    )
    if lock_call:
        query = query.with_for_update(read=True, of=Call).execution_options(populate_existing=True)
    row = (await session.execute(query)).one_or_none()
    return (None, None) if row is None else (row[0], row[1])


async def lots_of(session: AsyncSession, call_ids: list[uuid.UUID]) -> Sequence[Lot]:
    if not call_ids:
        return []
    return (await session.scalars(select(Lot).where(Lot.call_id.in_(call_ids)).order_by(Lot.number))).all()


async def lot(session: AsyncSession, call_id: uuid.UUID, lot_id: uuid.UUID) -> Lot | None:
    return (await session.scalars(select(Lot).where(Lot.id == lot_id, Lot.call_id == call_id))).one_or_none()


async def search(
    session: AsyncSession,
    *,
    principal: Principal | None,
    now: datetime,
    status: CallStatus | None,
    mode: str | None,
    municipality: str | None,
    offset: int,
    limit: int,
    filters: CallFilters | None = None,
) -> tuple[Sequence[Call], int]:
    filters = filters or CallFilters()
    query: Select[tuple[Call]] = select(Call).where(call_visibility(principal))
    if status is not None:
        query = query.where(effective_status_is(status, now))
    if mode:
        query = query.where(Call.mode == mode)
    if municipality:
        query = query.where(Call.municipality_terc == municipality)
    if filters.place:
        query = query.where(Call.municipality_terc.startswith(filters.place, autoescape=True))
    if filters.service_type_id or filters.area:
        lots = select(Lot.call_id)
        if filters.service_type_id:
            lots = lots.where(Lot.service_type_id == filters.service_type_id)
        if filters.area:
            lots = lots.where(Lot.area_code == filters.area)
        query = query.where(Call.id.in_(lots))
    if filters.deadline_from:
        query = query.where(Call.deadline >= filters.deadline_from)
    if filters.deadline_to:
        query = query.where(Call.deadline <= filters.deadline_to)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(*CALL_SORTS[filters.sort]).offset(offset).limit(limit))
    return rows.all(), int(total or 0)


# A call's value: its lots' together.
CALL_VALUE = select(func.sum(Lot.value_grosze)).where(Lot.call_id == Call.id).correlate(Call).scalar_subquery()
CALL_SORTS: dict[str, tuple[Any, ...]] = {
    "deadline": (Call.deadline.asc(), Call.id),
    "-deadline": (Call.deadline.desc(), Call.id),
    "published": (Call.published_at.asc().nulls_last(), Call.id),
    "-published": (Call.published_at.desc().nulls_last(), Call.id),
    "value": (CALL_VALUE.asc(), Call.id),
    "-value": (CALL_VALUE.desc(), Call.id),
}


@dataclass(frozen=True)
class CallFilters:
    """What a search of calls may narrow by besides status, mode and municipality; and its order."""

    place: str | None = None  # a TERC unit containing the municipality (voivodeship, powiat) or the gmina
    service_type_id: uuid.UUID | None = None
    area: str | None = None  # the statutory area of a lot's service type
    deadline_from: datetime | None = None
    deadline_to: datetime | None = None
    sort: str = "-deadline"


def effective_status_is(status: CallStatus, now: datetime) -> ColumnElement[bool]:
    """The status as of `now`: an open call whose deadline passed is in evaluation, even before the worker ran."""
    open_ = Call.status == CallStatus.OPEN.value
    if status is CallStatus.OPEN:
        return and_(open_, Call.deadline > now)
    if status is CallStatus.EVALUATION:
        return or_(Call.status == CallStatus.EVALUATION.value, and_(open_, Call.deadline <= now))
    return Call.status == status.value


async def history(session: AsyncSession, call_id: uuid.UUID) -> Sequence[CallHistory]:
    query = select(CallHistory).where(CallHistory.call_id == call_id).order_by(CallHistory.seq)
    return (await session.scalars(query)).all()


async def questions(session: AsyncSession, call_id: uuid.UUID) -> Sequence[Question]:
    query = select(Question).where(Question.call_id == call_id).order_by(Question.asked_at, Question.id)
    return (await session.scalars(query)).all()


async def repeat_awards(
    session: AsyncSession,
    *,
    provider_id: uuid.UUID,
    municipality: str,
    service_type_id: uuid.UUID,
    mode: str,
    since: datetime,
) -> int:
    query = (
        select(func.count())
        .select_from(Award)
        .where(
            Award.provider_id == provider_id,
            Award.municipality_terc == municipality,
            Award.service_type_id == service_type_id,
            Award.mode == mode,
            Award.awarded_at >= since,
        )
    )
    return int(await session.scalar(query) or 0)


async def due_call_ids(session: AsyncSession, now: datetime, limit: int = 100) -> Sequence[uuid.UUID]:
    """Calls with a time-driven event due, the longest waiting first."""
    query = (
        select(Call.id)
        .where(Call.next_event_at.is_not(None), Call.next_event_at <= now)
        .order_by(Call.next_event_at)
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def lock_if_due(session: AsyncSession, call_id: uuid.UUID, now: datetime) -> Call | None:
    """The call, locked, if its event is still due; None if another worker performed it. It waits for the
    lock rather than skip a locked call: at a deadline, offers in flight hold the call (shared) one after another,
    and a worker skipping it would open it only when the crowd of late attempts is over. Waiting, it is next in
    the row's lock queue (later shared lockers queue behind it); another worker that performed the event first
    leaves it no longer due, which the wait re-checks."""
    query = (
        select(Call)
        .where(Call.id == call_id, Call.next_event_at.is_not(None), Call.next_event_at <= now)
        .with_for_update()
    )
    return (await session.scalars(query)).one_or_none()


async def delete_lots(session: AsyncSession, call_id: uuid.UUID) -> None:
    await session.execute(delete(Lot).where(Lot.call_id == call_id))


async def amendment_count(session: AsyncSession, call_id: uuid.UUID) -> int:
    query = select(func.count()).select_from(Amendment).where(Amendment.call_id == call_id)
    return int(await session.scalar(query) or 0)


async def awarded_value(
    session: AsyncSession,
    *,
    provider_id: uuid.UUID | None,
    municipality: str,
    mode: str,
    start: datetime,
    end: datetime,
) -> int:
    """What a municipality awarded in this mode between start and end: to one provider, or to all (None)."""
    query = select(func.coalesce(func.sum(Award.value_grosze), 0)).where(
        Award.provider_id == provider_id if provider_id is not None else true(),
        Award.municipality_terc == municipality,
        Award.mode == mode,
        Award.awarded_at >= start,
        Award.awarded_at < end,
    )
    return int(await session.scalar(query) or 0)


async def next_deadline(session: AsyncSession, now: datetime) -> datetime | None:
    """The next deadline of a published open call after `now`: when a call's status next changes by the clock
    alone (`effective_status`)."""
    query = select(func.min(Call.deadline)).where(
        Call.status == CallStatus.OPEN.value, Call.published_at.is_not(None), Call.deadline > now
    )
    found: datetime | None = await session.scalar(query)
    return found


UDPP_GRANTS = (Mode.OPEN_COMPETITION.value, Mode.SMALL_GRANT.value)  # the modes a grant goes to an organisation in


@dataclass(frozen=True)
class TasksOfYear:
    call_id: uuid.UUID
    year: int
    contracts: int
    value_grosze: int
    grants: int
    grants_value_grosze: int


async def prior_tasks(session: AsyncSession, call_ids: list[uuid.UUID], now: datetime) -> Sequence[TasksOfYear]:
    """For each open competition among `call_ids`, in one grouped query: its municipality's contracts for the
    service types of its lots, awarded before the call was published (a draft: before `now`), not terminated, whose
    delivery runs in the call's year (Europe/Warsaw) or the year before; per year, with those in the UDPP modes
    apart. Awards and contracts are public: no offer is read."""
    if not call_ids:
        return []
    as_of = func.coalesce(Call.published_at, now)
    back = values(column("back", Integer), name="back").data([(0,), (1,)])
    years = (  # each call's service types, in each of its two years
        select(
            Call.id.label("call_id"),
            Call.municipality_terc.label("terc"),
            Lot.service_type_id,
            as_of.label("as_of"),
            (cast(func.extract("year", func.timezone("Europe/Warsaw", as_of)), Integer) - back.c.back).label("year"),
        )
        .distinct()
        .join(Lot, Lot.call_id == Call.id)
        .join(back, true())
        .where(Call.id.in_(call_ids), Call.mode == Mode.OPEN_COMPETITION.value)
        .subquery()
    )
    year_start = func.make_date(years.c.year, 1, 1)
    year_end = func.make_date(years.c.year, 12, 31)
    grant = Award.mode.in_(UDPP_GRANTS)
    query = (
        select(
            years.c.call_id,
            years.c.year,
            func.count(Contract.id),
            func.coalesce(func.sum(Contract.value_grosze), 0),
            func.count(Contract.id).filter(grant),
            func.coalesce(func.sum(Contract.value_grosze).filter(grant), 0),
        )
        .select_from(years)
        .outerjoin(
            Award,
            and_(
                Award.municipality_terc == years.c.terc,
                Award.awarded_at < years.c.as_of,
                Award.service_type_id == years.c.service_type_id,
            ),
        )
        .outerjoin(
            Contract,
            and_(
                Contract.award_id == Award.id,
                Contract.status != ContractStatus.TERMINATED.value,
                Contract.period_start <= year_end,
                Contract.period_end >= year_start,
            ),
        )
        .group_by(years.c.call_id, years.c.year)
        .order_by(years.c.call_id, years.c.year.desc())
    )
    return [TasksOfYear(*row) for row in (await session.execute(query)).all()]
