"""Award decisions and published results; contracts (public), amendments, completion; delivery reports and
payments (the contract's parties)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response, status

from services.commissioning.calls import service as calls
from services.commissioning.calls.models import Award
from services.commissioning.contracts import awards, repository, service
from services.commissioning.contracts.models import (
    AwardDecision,
    Contract,
    ContractStatus,
)
from services.commissioning.contracts.schemas import (
    ContractAmendmentIn,
    ContractOut,
    DecisionIn,
    DecisionOut,
    EndIn,
    PaymentIn,
    PaymentOut,
    ReportIn,
    ReportOut,
    ReviewIn,
)
from services.commissioning.dependencies import CatalogueDep, ClockDep
from services.commissioning.settings import get_settings
from shared.auth import CurrentPrincipal, OptionalPrincipal
from shared.concurrency import IfMatchHeader, set_etag
from shared.db import ReadSessionDep, SessionDep
from shared.errors import NotFound, problem_responses
from shared.identifiers import GminaTercStr

router = APIRouter(prefix="/v1", tags=["contracts"])


def decision_out(decision: AwardDecision, winners: list[Award], contracts: list[Contract]) -> DecisionOut:
    by_award = {c.award_id: c for c in contracts}
    return DecisionOut(
        id=decision.id,
        call_id=decision.call_id,
        lot_id=decision.lot_id,
        reason=decision.reason,
        ranking=decision.ranking,
        decided_at=decision.decided_at,
        standstill_until=decision.standstill_until,
        winners=[
            {
                "provider_id": str(a.provider_id),
                "provider_name": a.provider_name,
                "offer_id": str(a.offer_id),
                "value_grosze": a.value_grosze,
                "contract_id": str(by_award[a.id].id) if a.id in by_award else None,
            }
            for a in winners
        ],
    )


@router.post(
    "/calls/{call_id}/lots/{lot_id}/award-decision",
    summary="Decide a lot: zero, one or several winners (once per lot); contracts follow after the standstill",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
)
async def decide_lot(
    call_id: uuid.UUID,
    lot_id: uuid.UUID,
    data: DecisionIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    catalogue: CatalogueDep,
    clock: ClockDep,
) -> DecisionOut:
    decision, made = await awards.decide(
        session,
        catalogue,
        principal=principal,
        now=clock.now(),
        call_id=call_id,
        lot_id=lot_id,
        data=data,
        standstill_days=get_settings().standstill_days,
    )
    return decision_out(decision, [a for a, _ in made], [c for _, c in made])


@router.get(
    "/calls/{call_id}/results",
    summary="Published results: decisions with scores and reasons (public)",
    responses=problem_responses(404),
)
async def call_results(call_id: uuid.UUID, session: ReadSessionDep, principal: OptionalPrincipal) -> list[DecisionOut]:
    call = await calls.visible(session, principal, call_id)
    return [decision_out(d, a, c) for d, a, c in await awards.decisions_of(session, call.id)]


@router.get("/contracts", summary="Contracts (public)", responses=problem_responses(422))
async def list_contracts(
    session: ReadSessionDep,
    municipality: Annotated[GminaTercStr | None, Query(description="Municipality TERC.")] = None,
    provider_id: Annotated[uuid.UUID | None, Query(description="Provider.")] = None,
    status_: Annotated[ContractStatus | None, Query(alias="status", description="Status.")] = None,
) -> list[ContractOut]:
    found = await repository.search(session, municipality=municipality, provider_id=provider_id, status=status_)
    return [ContractOut.model_validate(c) for c in found]


@router.get("/contracts/{contract_id}", summary="A contract (public)", responses=problem_responses(404))
async def get_contract(contract_id: uuid.UUID, session: ReadSessionDep, response: Response) -> ContractOut:
    contract = await session.get(Contract, contract_id)
    if contract is None:
        raise NotFound(f"Contract {contract_id} does not exist.")
    set_etag(response, contract.version)
    return ContractOut.model_validate(contract)


@router.post(
    "/contracts/{contract_id}/amendments",
    summary="Amend a contract with a reason (aneks; If-Match)",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
)
async def amend_contract(
    contract_id: uuid.UUID,
    data: ContractAmendmentIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> ContractOut:
    contract = await service.amend_contract(
        session, principal=principal, now=clock.now(), contract_id=contract_id, data=data, if_match=if_match
    )
    set_etag(response, contract.version)
    return ContractOut.model_validate(contract)


@router.post(
    "/contracts/{contract_id}/completion",
    summary="Mark a contract completed",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def complete_contract(
    contract_id: uuid.UUID, data: EndIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ContractOut:
    return ContractOut.model_validate(
        await service.end_contract(
            session,
            principal=principal,
            now=clock.now(),
            contract_id=contract_id,
            reason=data.reason,
            status=ContractStatus.COMPLETED,
        )
    )


@router.post(
    "/contracts/{contract_id}/termination",
    summary="Terminate a contract with a reason",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def terminate_contract(
    contract_id: uuid.UUID, data: EndIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ContractOut:
    return ContractOut.model_validate(
        await service.end_contract(
            session,
            principal=principal,
            now=clock.now(),
            contract_id=contract_id,
            reason=data.reason,
            status=ContractStatus.TERMINATED,
        )
    )


async def _private(session: ReadSessionDep, principal: CurrentPrincipal, contract_id: uuid.UUID) -> Contract:
    contract = await session.get(Contract, contract_id)
    if contract is None or not service.may_read_private(principal, contract):
        raise NotFound(f"Contract {contract_id} does not exist or is not yours.")
    return contract


@router.post(
    "/contracts/{contract_id}/reports",
    summary="Report delivery for a period (the provider)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 404, 409, 422),
)
async def submit_report(
    contract_id: uuid.UUID, data: ReportIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> ReportOut:
    report = await service.submit_report(
        session, principal=principal, now=clock.now(), contract_id=contract_id, data=data
    )
    return ReportOut.model_validate(report)


@router.get(
    "/contracts/{contract_id}/reports",
    summary="Delivery reports (the contract's parties)",
    responses=problem_responses(401, 404),
)
async def list_reports(contract_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal) -> list[ReportOut]:
    contract = await _private(session, principal, contract_id)
    return [ReportOut.model_validate(r) for r in await repository.reports_of(session, contract.id)]


@router.put(
    "/reports/{report_id}/review",
    summary="Accept or return a delivery report (the municipality; If-Match)",
    responses=problem_responses(401, 404, 409, 412, 422, 428),
)
async def review_report(
    report_id: uuid.UUID,
    data: ReviewIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    clock: ClockDep,
    response: Response,
    if_match: IfMatchHeader = None,
) -> ReportOut:
    report = await service.review_report(
        session, principal=principal, now=clock.now(), report_id=report_id, data=data, if_match=if_match
    )
    set_etag(response, report.version)
    return ReportOut.model_validate(report)


@router.post(
    "/contracts/{contract_id}/payments",
    summary="Record a payment against the schedule (the municipality)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def record_payment(
    contract_id: uuid.UUID, data: PaymentIn, session: SessionDep, principal: CurrentPrincipal, clock: ClockDep
) -> PaymentOut:
    payment = await service.record_payment(
        session, principal=principal, now=clock.now(), contract_id=contract_id, data=data
    )
    return PaymentOut.model_validate(payment)


@router.get(
    "/contracts/{contract_id}/payments",
    summary="Payments (the contract's parties)",
    responses=problem_responses(401, 404),
)
async def list_payments(
    contract_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal
) -> list[PaymentOut]:
    contract = await _private(session, principal, contract_id)
    return [PaymentOut.model_validate(p) for p in await repository.payments_of(session, contract.id)]


@router.get(
    "/track-records/{provider_id}", summary="A provider's track record: awards, contracts, accepted reports (public)"
)
async def track_record(provider_id: uuid.UUID, session: ReadSessionDep) -> dict[str, Any]:
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
                "awarded_at": a.awarded_at.isoformat(),
            }
            for a in awards_
        ],
        "contracts": [ContractOut.model_validate(c).model_dump(mode="json") for c in contracts],
        "accepted_reports": accepted,
    }
