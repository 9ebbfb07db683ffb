"""Applying commissioning's contract events to offerings' contracted capacity.

A contract commits, from its signature by both parties until it ends (completed, terminated) or its period is
over, its units spread evenly over the calendar months of its period, rounded up: 10 000 hours over
January-October is 1 000 hours a month. It commits them on the provider's active offering of the contract's
service type delivered where the contract is (the most precise area, then the most room), chosen once, at the
signature. Events carry the contract's state and version, so one applied twice or late changes nothing.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.catalogue.capacity import repository
from services.catalogue.models.capacity import CapacityCommitment
from services.catalogue.models.offerings import Offering

logger = logging.getLogger(__name__)

CONTRACT_EVENTS = ("contract.signed", "contract.amended", "contract.ended")
IN_FORCE = "active"


def months_of(start: date, end: date) -> int:
    """Calendar months the period touches (both ends included)."""
    return max((end.year - start.year) * 12 + end.month - start.month + 1, 1)


def units_per_month(quantity: int | None, start: date, end: date) -> int:
    return math.ceil((quantity or 0) / months_of(start, end))


def choose_offering(candidates: Sequence[tuple[uuid.UUID, list[str], int]], area_terc: str) -> uuid.UUID | None:
    """The offering delivered where the contract is, in the most precise area, then with the most room."""
    covering = [
        (max(len(a) for a in areas if area_terc.startswith(a)), free, str(offering_id), offering_id)
        for offering_id, areas, free in candidates
        if any(area_terc.startswith(a) for a in areas)
    ]
    return max(covering)[3] if covering else None


async def recount(session: AsyncSession, offering_id: uuid.UUID | None) -> None:
    """The offering's contracted capacity from its counted commitments (its version moves: its ETag changes)."""
    if offering_id is None:
        return
    offering = await session.get(Offering, offering_id, with_for_update=True, populate_existing=True)
    if offering is not None:
        offering.capacity_contracted = await repository.contracted_sum(session, offering_id)


async def apply_contract(session: AsyncSession, data: dict[str, Any], *, today: date, now: datetime) -> None:
    contract_id = uuid.UUID(data["contract_id"])
    commitment = await session.get(CapacityCommitment, contract_id, with_for_update=True)
    if commitment is not None and commitment.contract_version >= int(data["version"]):
        return  # the state it tells of is older than what is applied
    start, end = date.fromisoformat(data["period_start"]), date.fromisoformat(data["period_end"])
    if commitment is None:
        candidates = []
        if data.get("service_type_id") and data.get("area_terc"):
            candidates = list(
                await repository.offerings_of_type(
                    session,
                    provider_id=uuid.UUID(data["provider_id"]),
                    service_type_id=uuid.UUID(data["service_type_id"]),
                )
            )
        commitment = CapacityCommitment(
            contract_id=contract_id,
            provider_id=uuid.UUID(data["provider_id"]),
            service_type_id=uuid.UUID(data["service_type_id"]) if data.get("service_type_id") else None,
            area_terc=data.get("area_terc"),
            offering_id=choose_offering(candidates, data.get("area_terc") or ""),
        )
        session.add(commitment)
        if commitment.offering_id is None:
            logger.info("a signed contract matches no offering", extra={"contract_id": str(contract_id)})
    commitment.units_per_month = units_per_month(data.get("quantity"), start, end)
    commitment.period_start, commitment.period_end = start, end
    commitment.contract_status, commitment.contract_version = data["status"], int(data["version"])
    commitment.counted = commitment.offering_id is not None and data["status"] == IN_FORCE and end >= today
    commitment.updated_at = now
    await session.flush()
    await recount(session, commitment.offering_id)


async def release_lapsed(session: AsyncSession, *, today: date, now: datetime) -> int:
    """Contracts whose period is over commit nothing any more (no event tells of a period simply ending)."""
    lapsed = await repository.lapsed(session, today)
    for commitment in lapsed:
        commitment.counted, commitment.updated_at = False, now
    await session.flush()
    for offering_id in {c.offering_id for c in lapsed}:
        await recount(session, offering_id)
    return len(lapsed)
