"""Contracts after the award: amendments with reasons, completion or termination; providers report delivery,
municipalities accept or return reports and record payments."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import acts_for_municipality
from services.commissioning.calls import service as calls_service
from services.commissioning.calls.eligibility import small_grant_cap
from services.commissioning.calls.service import RuleViolation
from services.commissioning.clock import WARSAW
from services.commissioning.contracts import awards, repository
from services.commissioning.contracts.schemas import (
    ContractAmendmentIn,
    ContractOut,
    PaymentIn,
    ReportIn,
    ReviewIn,
    SignatureIn,
)
from services.commissioning.models.calls import Award, Call, Lot
from services.commissioning.models.contracts import (
    Contract,
    ContractAmendment,
    ContractStatus,
    DeliveryReport,
    OfferComment,
    Payment,
    ReportStatus,
)
from services.commissioning.models.outbox import EventType
from services.commissioning.outbox import service as outbox
from services.commissioning.rules.advisor import contract_violations, grant_change_violations, pzp_change_violations
from services.commissioning.rules.modes import Mode, rules_version
from shared.auth import Principal, Role
from shared.concurrency import load_for_write
from shared.db import touch
from shared.errors import Conflict, Forbidden, NotFound, ValidationProblem
from shared.money import format_pln
from shared.schemas import utc_iso


async def contract_for_owner(
    session: AsyncSession, principal: Principal, contract_id: uuid.UUID, *, if_match: str | None = "*"
) -> Contract:
    """The contract, locked, for its municipality (others: 403), at the version If-Match names (`*`: any)."""

    def owns(contract: Contract) -> bool:
        if not acts_for_municipality(principal, contract.municipality_terc):
            raise Forbidden(
                "Only the contracting municipality may do this.", pl="Może to zrobić tylko gmina, która zawarła umowę."
            )
        return True

    missing = NotFound(f"Contract {contract_id} does not exist.", pl=f"Umowa {contract_id} nie istnieje.")
    return await load_for_write(session, Contract, contract_id, if_match=if_match, missing=missing, may_write=owns)


async def amend_contract(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    contract_id: uuid.UUID,
    data: ContractAmendmentIn,
    if_match: str | None,
) -> Contract:
    contract = await contract_for_owner(session, principal, contract_id, if_match=if_match)
    if contract.status != ContractStatus.ACTIVE.value:
        raise Conflict(
            f"The contract is {contract.status}: an amendment (aneks) changes a contract both parties have signed "
            "and that has not ended.",
            pl=f"Umowa ma status {contract.status}: aneks zmienia umowę podpisaną przez obie strony, która się nie "
            "zakończyła.",
        )
    changes: dict[str, Any] = {}
    if data.value_grosze is not None:
        contract.value_grosze = changes["value_grosze"] = data.value_grosze
    if data.period_end is not None:
        if data.period_end < contract.period_start:
            raise ValidationProblem.field(
                "period_end", "is before the contract's start", pl="przypada przed początkiem umowy"
            )
        contract.period_end = data.period_end
        changes["period_end"] = data.period_end.isoformat()
        contract.reporting_schedule = awards.reporting_schedule(contract.period_start, contract.period_end)
    if data.payment_schedule is not None:
        contract.payment_schedule = changes["payment_schedule"] = [
            p.model_dump(mode="json") for p in data.payment_schedule
        ]
    elif "value_grosze" in changes or "period_end" in changes:
        contract.payment_schedule = awards.payment_schedule(
            contract.value_grosze, contract.period_start, contract.period_end
        )
    if not changes:
        raise ValidationProblem.field(
            "body",
            "an amendment changes the value, the end date or the payment schedule",
            pl="aneks zmienia wartość, datę zakończenia lub harmonogram płatności",
        )
    call = await session.get(Call, contract.call_id)
    if call is not None:
        reasons = contract_violations(
            rules_version(call.rules_version),
            Mode(call.mode),
            value_grosze=contract.value_grosze,
            period_start=contract.period_start,
            period_end=contract.period_end,
        )
        rules = rules_version(call.rules_version)
        award = await session.get(Award, contract.award_id)
        original = award.value_grosze if award else contract.value_grosze
        if rules.get(Mode(call.mode)).compares_net and "value_grosze" in changes:
            reasons += pzp_change_violations(
                rules,
                basis=data.change_basis,
                original_grosze=original,
                new_grosze=contract.value_grosze,
                vat_rate_percent=call.vat_rate_percent,
            )
        elif "value_grosze" in changes and call.mode == Mode.OPEN_COMPETITION.value:  # within the announced funds
            lot = await session.get(Lot, contract.lot_id)
            reasons += grant_change_violations(
                new_grosze=contract.value_grosze,
                others_grosze=await repository.other_contracts_value(session, contract.lot_id, contract.id),
                funds_grosze=lot.value_grosze if lot else contract.value_grosze,
            )
        elif "value_grosze" in changes and award is not None and contract.value_grosze > original and not reasons:
            await small_grant_cap(  # a small grant's yearly caps count the raise (other modes have none)
                session,
                call,
                provider_id=contract.provider_id,
                amount_grosze=contract.value_grosze - original,
                at=award.awarded_at,
                field="value_grosze",
            )
        if reasons:
            raise RuleViolation(reasons)
    if data.change_basis:
        changes["change_basis"] = data.change_basis
    number = await repository.amendment_count(session, contract.id) + 1
    session.add(ContractAmendment(contract_id=contract.id, number=number, reason=data.reason, changes=changes, at=now))
    touch(contract)  # an annex changes the contract, even one that restates a term
    await outbox.contract_changed(session, contract, EventType.CONTRACT_AMENDED, now)
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
        raise Conflict(
            f"The contract is {contract.status}; only an active contract is completed or terminated.",
            pl=f"Umowa ma status {contract.status}; zakończyć lub rozwiązać można tylko umowę w trakcie realizacji.",
        )
    contract.status, contract.ended_reason = status.value, reason
    await outbox.contract_changed(session, contract, EventType.CONTRACT_ENDED, now)
    return contract


async def get_contract(session: AsyncSession, contract_id: uuid.UUID) -> Contract:
    contract = await session.get(Contract, contract_id)
    if contract is None:
        raise NotFound(f"Contract {contract_id} does not exist.", pl=f"Umowa {contract_id} nie istnieje.")
    return contract


def not_yours(contract_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Contract {contract_id} does not exist or is not yours.",
        pl=f"Umowa {contract_id} nie istnieje lub nie jest Twoja.",
    )


async def private_contract(session: AsyncSession, principal: Principal, contract_id: uuid.UUID) -> Contract:
    """The contract, for its parties only: its reports and payments are not public."""
    contract = await session.get(Contract, contract_id)
    if contract is None or not may_read_private(principal, contract):
        raise not_yours(contract_id)
    return contract


async def track_record(session: AsyncSession, provider_id: uuid.UUID) -> dict[str, Any]:
    awards_ = await repository.awards_of_provider(session, provider_id)
    contracts = await repository.search(session, municipality=None, provider_id=provider_id, status=None)
    accepted = await repository.accepted_reports_of_provider(session, provider_id)
    return {
        "provider_id": str(provider_id),
        "awards": [
            {
                "call_id": str(a.call_id),
                "lot_id": str(a.lot_id),
                "mode": a.mode,
                "municipality_terc": a.municipality_terc,
                "value_grosze": a.value_grosze,
                "awarded_at": utc_iso(a.awarded_at),
            }
            for a in awards_
        ],
        "contracts": [ContractOut.model_validate(c).model_dump(mode="json") for c in contracts],
        "accepted_reports": accepted,
    }


async def record_signature(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    contract_id: uuid.UUID,
    data: SignatureIn,
    if_match: str | None,
) -> Contract:
    """The municipality records that it signed: the contract's number and the date on it."""
    contract = await contract_for_owner(session, principal, contract_id, if_match=if_match)
    if contract.status != ContractStatus.AWAITING_SIGNATURE.value:
        raise Conflict(
            f"The contract is {contract.status}: it is signed once the standstill has ended.",
            pl=f"Umowa ma status {contract.status}: podpisuje się ją po upływie okresu zawieszenia (standstill).",
        )
    if data.signed_on < contract.created_at.astimezone(WARSAW).date():
        raise ValidationProblem.field("signed_on", "is before the award", pl="przypada przed wyborem oferty")
    if data.signed_on > now.astimezone(WARSAW).date():
        raise ValidationProblem.field("signed_on", "is in the future", pl="przypada w przyszłości")
    contract.number, contract.signed_on = data.number, data.signed_on
    contract.status = ContractStatus.AWAITING_CONFIRMATION.value
    await session.flush()
    return contract


async def confirm_signature(
    session: AsyncSession, *, principal: Principal, now: datetime, contract_id: uuid.UUID, if_match: str | None
) -> Contract:
    """The provider confirms the contract the municipality signed: it is in force from now on."""
    contract = await load_for_write(
        session,
        Contract,
        contract_id,
        if_match=if_match,
        missing=not_yours(contract_id),
        may_write=lambda contract: principal.acts_for_provider(contract.provider_id),
    )
    if contract.status != ContractStatus.AWAITING_CONFIRMATION.value:
        raise Conflict(
            f"The contract is {contract.status}: the provider confirms once the municipality has signed.",
            pl=f"Umowa ma status {contract.status}: realizator potwierdza ją po podpisaniu przez gminę.",
        )
    contract.status = ContractStatus.ACTIVE.value
    contract.signed_at = now
    await outbox.contract_changed(session, contract, EventType.CONTRACT_SIGNED, now)
    return contract


async def offer_comments(session: AsyncSession, principal: Principal | None, call_id: uuid.UUID) -> list[OfferComment]:
    call = await calls_service.visible(session, principal, call_id)
    return list(await repository.comments_of(session, call.id))


def may_read_private(principal: Principal | None, contract: Contract) -> bool:
    if principal is None:
        return False
    if principal.role is Role.PROVIDER:
        return principal.acts_for_provider(contract.provider_id)
    return acts_for_municipality(principal, contract.municipality_terc)


async def submit_report(
    session: AsyncSession, *, principal: Principal, now: datetime, contract_id: uuid.UUID, data: ReportIn
) -> DeliveryReport:
    contract = await session.get(Contract, contract_id)
    if contract is None or not principal.acts_for_provider(contract.provider_id):
        raise not_yours(contract_id)
    if contract.status != ContractStatus.ACTIVE.value:
        raise Conflict(
            f"The contract is {contract.status}: reports are for active contracts.",
            pl=f"Umowa ma status {contract.status}: sprawozdania składa się z umów w trakcie realizacji.",
        )
    if data.period_start < contract.period_start or data.period_end > contract.period_end:
        raise ValidationProblem.field(
            "period_start",
            "the reported period is outside the contract's period",
            pl="okres sprawozdania wykracza poza okres umowy",
        )
    if data.period_end >= now.astimezone(WARSAW).date():
        raise ValidationProblem.field(
            "period_end",
            "a period is reported once it has ended (Europe/Warsaw calendar)",
            pl="sprawozdanie składa się po zakończeniu okresu (według kalendarza w Polsce)",
        )
    existing = await repository.report_for_period(session, contract.id, data.period_start)
    if existing is not None and existing.status != ReportStatus.RETURNED.value:
        raise Conflict(
            "This period is already reported; a returned report is corrected by submitting it again.",
            pl="Za ten okres złożono już sprawozdanie; zwrócone sprawozdanie poprawia się, składając je ponownie.",
        )
    report = existing or DeliveryReport(contract_id=contract.id)
    for key, value in data.model_dump().items():
        setattr(report, key, value)
    report.status, report.submitted_at, report.review_comment, report.reviewed_at = (
        ReportStatus.SUBMITTED.value,
        now,
        None,
        None,
    )
    session.add(report)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "This period was reported at the same moment.", pl="W tej samej chwili złożono sprawozdanie za ten okres."
        ) from exc
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

    async def reviews(report: DeliveryReport) -> bool:
        contract = await session.get(Contract, report.contract_id)
        return contract is not None and acts_for_municipality(principal, contract.municipality_terc)

    missing = NotFound(
        f"Report {report_id} does not exist or is not yours to review.",
        pl=f"Sprawozdanie {report_id} nie istnieje lub nie Tobie przysługuje jego ocena.",
    )
    report = await load_for_write(
        session, DeliveryReport, report_id, if_match=if_match, missing=missing, may_write=reviews
    )
    contract = await session.get_one(Contract, report.contract_id)  # as `reviews` read it
    if report.status != ReportStatus.SUBMITTED.value:
        raise Conflict(f"The report is {report.status}.", pl=f"Sprawozdanie ma status {report.status}.")
    if data.decision == "return" and not data.comment:
        raise ValidationProblem.field(
            "comment",
            "say what to correct when returning a report",
            pl="zwracając sprawozdanie, wskaż, co należy poprawić",
        )
    report.status = ReportStatus.ACCEPTED.value if data.decision == "accept" else ReportStatus.RETURNED.value
    report.review_comment, report.reviewed_at = data.comment, now
    outbox.for_the_parties(
        session,
        contract,
        EventType.REPORT_REVIEWED,
        f"reports/{report.id}",
        now,
        {
            "report_id": str(report.id),
            "status": report.status,
            "period_start": report.period_start.isoformat(),
            "period_end": report.period_end.isoformat(),
            "units_delivered": report.units_delivered,
        },
    )
    await session.flush()
    return report


async def record_payment(
    session: AsyncSession, *, principal: Principal, now: datetime, contract_id: uuid.UUID, data: PaymentIn
) -> Payment:
    contract = await contract_for_owner(session, principal, contract_id)
    if contract.status != ContractStatus.ACTIVE.value:
        raise Conflict(
            f"The contract is {contract.status}: payments are made under a signed, running contract.",
            pl=f"Umowa ma status {contract.status}: płatności dokonuje się na podstawie podpisanej umowy w trakcie "
            "realizacji.",
        )
    if data.schedule_index is not None and data.schedule_index >= len(contract.payment_schedule):
        raise ValidationProblem.field(
            "schedule_index",
            f"the schedule has {len(contract.payment_schedule)} entries",
            pl=f"harmonogram ma {len(contract.payment_schedule)} pozycji",
        )
    if data.schedule_index is not None and await repository.instalment_paid(session, contract.id, data.schedule_index):
        raise Conflict(
            f"Instalment {data.schedule_index} of the schedule is already paid.",
            pl=f"Rata {data.schedule_index} harmonogramu jest już zapłacona.",
        )
    paid = await repository.paid_total(session, contract.id)
    if paid + data.amount_grosze > contract.value_grosze:
        raise ValidationProblem.field(
            "amount_grosze",
            f"payments would total {format_pln(paid + data.amount_grosze)}, above the contract's "
            f"{format_pln(contract.value_grosze)}",
            pl=f"płatności wyniosłyby łącznie {format_pln(paid + data.amount_grosze)}, więcej niż wartość umowy "
            f"({format_pln(contract.value_grosze)})",
        )
    payment = Payment(contract_id=contract.id, recorded_at=now, **data.model_dump())
    session.add(payment)
    await session.flush()
    outbox.for_the_parties(
        session,
        contract,
        EventType.PAYMENT_RECORDED,
        f"payments/{payment.id}",
        now,
        {
            "payment_id": str(payment.id),
            "amount_grosze": payment.amount_grosze,
            "paid_on": payment.paid_on.isoformat(),
            "schedule_index": payment.schedule_index,
        },
    )
    await session.flush()
    return payment
