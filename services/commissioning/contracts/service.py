"""Awards, contracts, delivery and payments: a lot is decided once, under lock; each winner's contract is created
in the same transaction and signed when the standstill ends; providers report, municipalities accept and pay."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import acts_for_municipality
from services.commissioning.calls import repository as calls_repo
from services.commissioning.calls import service as calls
from services.commissioning.calls.events import effective_status, perform_due
from services.commissioning.calls.models import Award, Call, CallEvent, CallHistory, CallStatus
from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.contracts.models import (
    AwardDecision,
    Contract,
    ContractAmendment,
    ContractStatus,
    DeliveryReport,
    Payment,
    ReportStatus,
)
from services.commissioning.contracts.schemas import ContractAmendmentIn, DecisionIn, PaymentIn, ReportIn, ReviewIn
from services.commissioning.evaluation.service import lot_ranking
from services.commissioning.rules.modes import Mode
from shared.auth import Principal, Role
from shared.concurrency import check_if_match
from shared.errors import Conflict, Forbidden, NotFound, ValidationProblem


def months_between(start: date, end: date) -> list[date]:
    """The last day of each month the period touches (payment due dates), ending with the period's end."""
    dues, year, month = [], start.year, start.month
    while (year, month) <= (end.year, end.month):
        nxt = date(year + (month == 12), month % 12 + 1, 1)
        dues.append(min(nxt - timedelta(days=1), end))
        year, month = nxt.year, nxt.month
    return dues


def payment_schedule(value: int, start: date, end: date) -> list[dict[str, Any]]:
    dues = months_between(start, end)
    share, rest = divmod(value, len(dues))
    return [
        {"due_date": d.isoformat(), "amount_grosze": share + (rest if i == len(dues) - 1 else 0)}
        for i, d in enumerate(dues)
    ]


def reporting_schedule(start: date, end: date) -> list[dict[str, Any]]:
    """Quarterly reports, due 15 days after each quarter (or after a shorter contract's end)."""
    periods, current = [], start
    while current <= end:
        month = ((current.month - 1) // 3 + 1) * 3
        quarter_end = min(date(current.year + (month == 12), month % 12 + 1, 1) - timedelta(days=1), end)
        periods.append(
            {
                "period_start": current.isoformat(),
                "period_end": quarter_end.isoformat(),
                "due_date": (quarter_end + timedelta(days=15)).isoformat(),
            }
        )
        current = quarter_end + timedelta(days=1)
    return periods


async def decide(
    session: AsyncSession,
    catalogue: CatalogueClient,
    *,
    principal: Principal,
    now: datetime,
    call_id: uuid.UUID,
    lot_id: uuid.UUID,
    data: DecisionIn,
    standstill_days: int,
) -> tuple[AwardDecision, list[tuple[Award, Contract]]]:
    call = await calls.for_owner(session, principal, call_id)  # the call's row lock serialises decisions
    await perform_due(session, call, now)  # an opening the worker has not performed yet
    if effective_status(call, now) is not CallStatus.EVALUATION:
        raise Conflict(f"The call is {effective_status(call, now).value}: lots are decided during evaluation.")
    lot = await calls_repo.lot(session, call.id, lot_id)
    if lot is None:
        raise NotFound(f"Lot {lot_id} is not in this call.")
    if await session.scalar(select(AwardDecision.id).where(AwardDecision.lot_id == lot.id)):
        raise Conflict(f"Lot {lot.number} is already decided: a lot is awarded once.")
    ranking = await lot_ranking(session, call, lot)
    by_offer = {r.offer_id: r for r in ranking}
    offer_ids = [str(w.offer_id) for w in data.winners]
    if len(set(offer_ids)) != len(offer_ids):
        raise ValidationProblem.field("winners", "an offer is listed twice")
    if len(offer_ids) > 1 and call.mode != Mode.OPEN_COMPETITION.value:
        raise ValidationProblem.field("winners", "only an open competition splits a lot among several winners")
    for i, offer_id in enumerate(offer_ids):
        entry = by_offer.get(offer_id)
        if entry is None or not entry.formal_passed:
            raise ValidationProblem.field(f"winners.{i}.offer_id", "not a formally passed offer of this lot")
    values = [w.value_grosze or by_offer[str(w.offer_id)].price_grosze for w in data.winners]
    if len(values) > 1 and sum(values) > lot.value_grosze:
        raise ValidationProblem.field(
            "winners", f"the awards ({sum(values)}) exceed the lot's funds ({lot.value_grosze})"
        )
    standstill_until = now + timedelta(days=standstill_days)
    decision = AwardDecision(
        call_id=call.id,
        lot_id=lot.id,
        reason=data.reason,
        ranking=[r.as_dict() for r in ranking],
        decided_by=f"{principal.role.value}:{principal.subject}",
        decided_at=now,
        standstill_until=standstill_until,
    )
    session.add(decision)
    try:
        await session.flush()
    except IntegrityError as exc:  # another decision on this lot committed first
        raise Conflict(f"Lot {lot.number} is already decided: a lot is awarded once.") from exc
    made: list[tuple[Award, Contract]] = []
    for winner, value in zip(data.winners, values, strict=True):
        entry = by_offer[str(winner.offer_id)]
        found = await catalogue.verified_provider(uuid.UUID(entry.provider_id))
        award = Award(
            call_id=call.id,
            lot_id=lot.id,
            decision_id=decision.id,
            offer_id=winner.offer_id,
            provider_id=uuid.UUID(entry.provider_id),
            provider_name=entry.provider_name,
            provider_nip=found[2] if found else None,
            is_pes=found[0].is_pes if found else None,
            municipality_terc=call.municipality_terc,
            mode=call.mode,
            service_type_id=lot.service_type_id,
            value_grosze=value,
            awarded_at=now,
        )
        session.add(award)
        await session.flush()
        contract = Contract(
            award_id=award.id,
            call_id=call.id,
            lot_id=lot.id,
            provider_id=award.provider_id,
            provider_name=entry.provider_name,
            municipality_terc=call.municipality_terc,
            value_grosze=value,
            period_start=call.period_start,
            period_end=call.period_end,
            status=ContractStatus.STANDSTILL.value,
            payment_schedule=payment_schedule(value, call.period_start, call.period_end),
            reporting_schedule=reporting_schedule(call.period_start, call.period_end),
            created_at=now,
            updated_at=now,
            version=1,
        )
        session.add(contract)
        made.append((award, contract))
    await session.flush()
    if made and (call.next_event_at is None or call.next_event_at > standstill_until):
        call.next_event, call.next_event_at = CallEvent.END_STANDSTILL.value, standstill_until
    lots = await calls_repo.lots_of(session, [call.id])
    decided = set((await session.scalars(select(AwardDecision.lot_id).where(AwardDecision.call_id == call.id))).all())
    if {lot_.id for lot_ in lots} <= decided:
        winners = await session.scalar(select(func.count()).select_from(Award).where(Award.call_id == call.id))
        call.status = (CallStatus.AWARDED if winners else CallStatus.UNSUCCESSFUL).value
    call.updated_at = now
    call.version += 1
    session.add(
        CallHistory(
            call_id=call.id,
            kind="awarded" if made else "not-awarded",
            actor=decision.decided_by,
            at=now,
            detail={"lot": lot.number, "winners": [a.provider_name for a, _ in made], "reason": data.reason},
        )
    )
    await session.flush()
    return decision, made


async def sign_after_standstill(session: AsyncSession, call: Call, now: datetime) -> int:
    """The worker's END_STANDSTILL step: sign the call's contracts whose standstill ended."""
    due = (
        (
            await session.execute(
                select(Contract)
                .join(Award, Award.id == Contract.award_id)
                .join(AwardDecision, AwardDecision.id == Award.decision_id)
                .where(
                    Contract.call_id == call.id,
                    Contract.status == ContractStatus.STANDSTILL.value,
                    AwardDecision.standstill_until <= now,
                )
            )
        )
        .scalars()
        .all()
    )
    for contract in due:
        contract.status = ContractStatus.ACTIVE.value
        contract.signed_at = contract.updated_at = now
        contract.version += 1
    if due:
        session.add(
            CallHistory(
                call_id=call.id, kind="contracts-signed", actor="system", at=now, detail={"contracts": len(due)}
            )
        )
    pending = await session.scalar(
        select(func.min(AwardDecision.standstill_until))
        .join(Award, Award.decision_id == AwardDecision.id)
        .join(Contract, Contract.award_id == Award.id)
        .where(AwardDecision.call_id == call.id, Contract.status == ContractStatus.STANDSTILL.value)
    )
    call.next_event, call.next_event_at = (CallEvent.END_STANDSTILL.value, pending) if pending else (None, None)
    await session.flush()
    return len(due)


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


async def contract_for_owner(session: AsyncSession, principal: Principal, contract_id: uuid.UUID) -> Contract:
    contract = await session.get(Contract, contract_id, with_for_update=True)
    if contract is None:
        raise NotFound(f"Contract {contract_id} does not exist.")
    if not acts_for_municipality(principal, contract.municipality_terc):
        raise Forbidden("Only the contracting municipality may do this.")
    return contract


async def amend_contract(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    contract_id: uuid.UUID,
    data: ContractAmendmentIn,
    if_match: str | None,
) -> Contract:
    contract = await contract_for_owner(session, principal, contract_id)
    check_if_match(if_match, contract.version)
    if contract.status in (ContractStatus.COMPLETED.value, ContractStatus.TERMINATED.value):
        raise Conflict(f"The contract is {contract.status}.")
    changes: dict[str, Any] = {}
    if data.value_grosze is not None:
        contract.value_grosze = changes["value_grosze"] = data.value_grosze
    if data.period_end is not None:
        if data.period_end < contract.period_start:
            raise ValidationProblem.field("period_end", "is before the contract's start")
        contract.period_end = data.period_end
        changes["period_end"] = data.period_end.isoformat()
        contract.reporting_schedule = reporting_schedule(contract.period_start, contract.period_end)
    if data.payment_schedule is not None:
        contract.payment_schedule = changes["payment_schedule"] = [
            p.model_dump(mode="json") for p in data.payment_schedule
        ]
    elif "value_grosze" in changes or "period_end" in changes:
        contract.payment_schedule = payment_schedule(contract.value_grosze, contract.period_start, contract.period_end)
    if not changes:
        raise ValidationProblem.field("body", "an amendment changes the value, the end date or the payment schedule")
    number = (
        int(
            await session.scalar(
                select(func.count()).select_from(ContractAmendment).where(ContractAmendment.contract_id == contract.id)
            )
            or 0
        )
        + 1
    )
    session.add(ContractAmendment(contract_id=contract.id, number=number, reason=data.reason, changes=changes, at=now))
    contract.updated_at = now
    contract.version += 1
    await session.flush()
    return contract


async def end_contract(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    contract_id: uuid.UUID,
    reason: str,
    status: ContractStatus,
) -> Contract:
    contract = await contract_for_owner(session, principal, contract_id)
    if contract.status != ContractStatus.ACTIVE.value:
        raise Conflict(f"The contract is {contract.status}; only an active contract is completed or terminated.")
    contract.status, contract.ended_reason = status.value, reason
    contract.updated_at = now
    contract.version += 1
    await session.flush()
    return contract


def may_read_private(principal: Principal | None, contract: Contract) -> bool:
    if principal is None:
        return False
    if principal.role is Role.PROVIDER:
        return principal.provider_id == contract.provider_id
    return acts_for_municipality(principal, contract.municipality_terc)


async def submit_report(
    session: AsyncSession, *, principal: Principal, now: datetime, contract_id: uuid.UUID, data: ReportIn
) -> DeliveryReport:
    contract = await session.get(Contract, contract_id)
    if contract is None or principal.role is not Role.PROVIDER or principal.provider_id != contract.provider_id:
        raise NotFound(f"Contract {contract_id} does not exist or is not yours.")
    if contract.status != ContractStatus.ACTIVE.value:
        raise Conflict(f"The contract is {contract.status}: reports are for active contracts.")
    if data.period_start < contract.period_start or data.period_end > contract.period_end:
        raise ValidationProblem.field("period_start", "the reported period is outside the contract's period")
    existing = (
        await session.scalars(
            select(DeliveryReport)
            .where(DeliveryReport.contract_id == contract.id, DeliveryReport.period_start == data.period_start)
            .with_for_update()
        )
    ).one_or_none()
    if existing is not None and existing.status != ReportStatus.RETURNED.value:
        raise Conflict("This period is already reported; a returned report is corrected by submitting it again.")
    report = existing or DeliveryReport(contract_id=contract.id, version=0)
    for key, value in data.model_dump().items():
        setattr(report, key, value)
    report.status, report.submitted_at, report.review_comment, report.reviewed_at = (
        ReportStatus.SUBMITTED.value,
        now,
        None,
        None,
    )
    report.version += 1
    session.add(report)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("This period was reported at the same moment.") from exc
    return report


async def review_report(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    report_id: uuid.UUID,
    data: ReviewIn,
    if_match: str | None,
) -> DeliveryReport:
    report = await session.get(DeliveryReport, report_id, with_for_update=True)
    contract = await session.get(Contract, report.contract_id) if report else None
    if report is None or contract is None or not acts_for_municipality(principal, contract.municipality_terc):
        raise NotFound(f"Report {report_id} does not exist or is not yours to review.")
    check_if_match(if_match, report.version)
    if report.status != ReportStatus.SUBMITTED.value:
        raise Conflict(f"The report is {report.status}.")
    if data.decision == "return" and not data.comment:
        raise ValidationProblem.field("comment", "say what to correct when returning a report")
    report.status = ReportStatus.ACCEPTED.value if data.decision == "accept" else ReportStatus.RETURNED.value
    report.review_comment, report.reviewed_at = data.comment, now
    report.version += 1
    await session.flush()
    return report


async def record_payment(
    session: AsyncSession, *, principal: Principal, now: datetime, contract_id: uuid.UUID, data: PaymentIn
) -> Payment:
    contract = await contract_for_owner(session, principal, contract_id)
    if contract.status == ContractStatus.STANDSTILL.value:
        raise Conflict("The contract is not signed yet (standstill).")
    if data.schedule_index is not None and data.schedule_index >= len(contract.payment_schedule):
        raise ValidationProblem.field("schedule_index", f"the schedule has {len(contract.payment_schedule)} entries")
    paid = int(
        await session.scalar(
            select(func.coalesce(func.sum(Payment.amount_grosze), 0)).where(Payment.contract_id == contract.id)
        )
        or 0
    )
    if paid + data.amount_grosze > contract.value_grosze:
        raise ValidationProblem.field(
            "amount_grosze",
            f"payments would total {paid + data.amount_grosze}, above the contract's {contract.value_grosze}",
        )
    payment = Payment(contract_id=contract.id, recorded_at=now, **data.model_dump())
    session.add(payment)
    await session.flush()
    return payment
