"""What the committee assesses from the municipality's own records: the organisation's reliability and timeliness in
the public tasks it carried out for this authority before (art. 15 ust. 1 pkt 6 UDPP)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.clock import WARSAW
from services.commissioning.grants import repository
from services.commissioning.models.calls import Call
from services.commissioning.models.contracts import ContractStatus, DeliveryReport, ReportStatus
from services.commissioning.models.offers import Offer

BASIS = "UDPP art. 15 ust. 1 pkt 6"


def _late(report: DeliveryReport, due: dict[tuple[uuid.UUID, date], date]) -> bool:
    """Submitted after the due date the contract's reporting schedule sets for its period."""
    deadline = due.get((report.contract_id, report.period_start))
    return deadline is not None and report.submitted_at.astimezone(WARSAW).date() > deadline


async def reliability(session: AsyncSession, offer: Offer, call: Call) -> dict[str, Any]:
    """The offeror's earlier tasks for the call's municipality, counted from the contracts and reports recorded
    here: what the committee's sheet shows beside the element it scores."""
    contracts = await repository.earlier_contracts(
        session, provider_id=offer.provider_id, municipality=call.municipality_terc, but_call=call.id
    )
    reports = await repository.reports_of(session, [c.id for c in contracts])
    due = {
        (contract.id, date.fromisoformat(period["period_start"])): date.fromisoformat(period["due_date"])
        for contract in contracts
        for period in contract.reporting_schedule
    }
    statuses = [c.status for c in contracts]
    return {
        "provider_id": str(offer.provider_id),
        "municipality_terc": call.municipality_terc,
        "legal_basis": BASIS,
        "contracts": {
            "count": len(contracts),
            "completed": statuses.count(ContractStatus.COMPLETED.value),
            "terminated": statuses.count(ContractStatus.TERMINATED.value),
            "value_grosze": sum(c.value_grosze for c in contracts),
        },
        "reports": {
            "count": len(reports),
            "accepted": sum(r.status == ReportStatus.ACCEPTED.value for r in reports),
            "returned": sum(r.status == ReportStatus.RETURNED.value for r in reports),
            "late": sum(_late(r, due) for r in reports),
        },
    }
