"""Writing events with the change, and reading the feed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.models.calls import Call, Lot
from services.commissioning.models.contracts import Contract
from services.commissioning.models.outbox import EventType, OutboxEvent
from shared.events import Feed
from shared.schemas import utc_iso

SOURCE = "urn:cus:commissioning"
FEED = Feed(OutboxEvent, SOURCE)


record = FEED.record


def call_changed(session: AsyncSession, call: Call, event: EventType, now: datetime, **detail: Any) -> None:
    """A published call's public facts after the change (drafts are never told of)."""
    record(
        session,
        type=event,
        subject=f"calls/{call.id}",
        time=now,
        municipality=call.municipality_terc,
        data={
            "call_id": str(call.id),
            "ocid": call.ocid,
            "title": call.title,
            "mode": call.mode,
            "status": call.status,
            "municipality_terc": call.municipality_terc,
            "deadline": utc_iso(call.deadline),
            "published_at": utc_iso(call.published_at) if call.published_at else None,
            **detail,
        },
    )


async def contract_changed(session: AsyncSession, contract: Contract, event: EventType, now: datetime) -> None:
    """A contract's public terms after the change, with what it buys (the lot's service type, area and unit),
    so the catalogue can commit the provider's capacity without asking."""
    await session.flush()  # the version the change gives it
    lot = await session.get(Lot, contract.lot_id)
    record(
        session,
        type=event,
        subject=f"contracts/{contract.id}",
        time=now,
        municipality=contract.municipality_terc,
        provider=contract.provider_id,
        data={
            "contract_id": str(contract.id),
            "call_id": str(contract.call_id),
            "lot_id": str(contract.lot_id),
            "provider_id": str(contract.provider_id),
            "municipality_terc": contract.municipality_terc,
            "status": contract.status,
            "version": contract.version,
            "value_grosze": contract.value_grosze,
            "quantity": contract.quantity,
            "unit": lot.unit if lot else None,
            "service_type_id": str(lot.service_type_id) if lot else None,
            "area_terc": lot.area_terc if lot else None,
            "period_start": contract.period_start.isoformat(),
            "period_end": contract.period_end.isoformat(),
            "signed_on": contract.signed_on.isoformat() if contract.signed_on else None,
        },
    )


def for_the_parties(
    session: AsyncSession, contract: Contract, event: EventType, subject: str, now: datetime, data: dict[str, Any]
) -> None:
    """An event only the contract's municipality and provider read (its reports, its payments)."""
    record(
        session,
        type=event,
        subject=subject,
        time=now,
        municipality=contract.municipality_terc,
        provider=contract.provider_id,
        public=False,
        data={"contract_id": str(contract.id), **data},
    )
