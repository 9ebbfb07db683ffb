"""Award decisions and published results; contracts (public), amendments, completion; delivery reports and
payments (the contract's parties)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import require_municipality_role
from services.commissioning.contracts import awards, repository, service
from services.commissioning.contracts.exports import CONTRACT_COLUMNS, PAYMENT_COLUMNS
from services.commissioning.contracts.schemas import (
    CommentIn,
    CommentOut,
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
    SignatureIn,
    TrackRecordOut,
    decision_out,
)
from services.commissioning.dependencies import (
    ClockDep,
    SettingsDep,
    StandingsDep,
    TimedChangeDep,
    TimedWriteDep,
)
from services.commissioning.models.contracts import Contract, ContractStatus
from services.commissioning.models.idempotency import IdempotencyRecord
from shared.auth import CurrentPrincipal, OptionalPrincipal
from shared.db import ReadSessionDep, SessionDep
from shared.errors import problem_responses
from shared.exports import (
    EXPORT_BATCH,
    ExportFormat,
    ExportFormatQuery,
    Sheet,
    export,
    export_responses,
    in_batches,
    wanted,
)
from shared.idempotency import IdempotencyKeyHeader
from shared.identifiers import GminaTercStr, TercStr
from shared.pagination import Page, PageParamsDep, page_of
from shared.routes import created_once, tagged
from shared.schemas import CalendarDate

router = APIRouter(prefix="/v1", tags=["contracts"])


@router.post(
    "/calls/{call_id}/lots/{lot_id}/award-decision",
    summary="Decide a lot: zero, one or several winners (once per lot); contracts follow after the standstill",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422, 503),
    description=(
        "The municipality decides a lot once: zero, one or several winners (several only in an open "
        "competition), each with its value and quantity, within the lot and the yearly caps. The contracts "
        "wait for the standstill (and a small grant's 7 days for comments)."
    ),
)
async def record_award_decision(
    call_id: uuid.UUID,
    lot_id: uuid.UUID,
    data: DecisionIn,
    session: SessionDep,
    principal: CurrentPrincipal,
    standings: StandingsDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> DecisionOut:
    winners = await awards.winners_standing(
        session, standings, principal=principal, call_id=call_id, data=data, now_of=clock.now
    )
    decision, made = await awards.decide(
        session,
        standing=winners,
        bound=standings.bound,
        principal=principal,
        now=clock.now(),
        call_id=call_id,
        lot_id=lot_id,
        data=data,
        standstill_days=settings.standstill_days,
    )
    return decision_out(decision, [a for a, _ in made], [c for _, c in made])


@router.get(
    "/calls/{call_id}/results",
    summary="Published results: decisions with scores and reasons (public)",
    responses=problem_responses(404),
    description="The published results: each lot's decision with the ranking, winners and contracts (public).",
)
async def call_results(
    call_id: uuid.UUID, session: ReadSessionDep, principal: OptionalPrincipal, paging: PageParamsDep
) -> Page[DecisionOut]:
    decisions, published = await awards.results(session, principal, call_id)
    return page_of([decision_out(d, a, c, published) for d, a, c in decisions], paging)


@router.post(
    "/calls/{call_id}/offers/{offer_id}/comments",
    summary="Comment on a winning offer published before its contract (a small grant: 7 days, UDPP art. 19a)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 404, 409, 422),
    description=(
        "Anyone comments on a small grant's winning offer during its 7 days (UDPP art. 19a); comments are "
        "public, their authors are not. Idempotency-Key accepted."
    ),
)
async def comment_on_offer(
    call_id: uuid.UUID,
    offer_id: uuid.UUID,
    data: CommentIn,
    write: TimedWriteDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> CommentOut:
    async def comment() -> CommentOut:
        made = await write(awards.comment_on_offer, call_id=call_id, offer_id=offer_id, text=data.comment)
        return CommentOut.model_validate(made)

    route = f"POST /v1/calls/{call_id}/offers/{offer_id}/comments"
    return await created_once(
        write, idempotency_key, data, comment, out=CommentOut, record=IdempotencyRecord, route=route
    )


@router.get(
    "/calls/{call_id}/comments",
    summary="Comments on the offers the call published (public; authors are not shown)",
    responses=problem_responses(404),
    description="The comments on a call's published offers (public).",
)
async def list_comments(
    call_id: uuid.UUID, session: ReadSessionDep, principal: OptionalPrincipal, paging: PageParamsDep
) -> Page[CommentOut]:
    return page_of(
        [CommentOut.model_validate(c) for c in await service.offer_comments(session, principal, call_id)], paging
    )


ContractSort = Literal["created", "-created", "signed_on", "-signed_on", "value", "-value"]


@router.get(
    "/contracts",
    summary="Contracts (public), filtered and sorted, a page at a time; as a spreadsheet with format=csv|xlsx",
    response_model=Page[ContractOut],
    responses={**export_responses(), **problem_responses(422)},
    description=(
        "Contracts (public): by municipality, place, provider, status and period; sorted by award, signature "
        "or value. `format=csv|xlsx` for a spreadsheet of all of them."
    ),
)
async def list_contracts(
    request: Request,
    session: ReadSessionDep,
    paging: PageParamsDep,
    municipality: Annotated[GminaTercStr | None, Query(description="Municipality TERC.")] = None,
    place: Annotated[TercStr | None, Query(description="Contracts of the municipalities in this unit.")] = None,
    provider_id: Annotated[uuid.UUID | None, Query(description="Provider.")] = None,
    status_: Annotated[ContractStatus | None, Query(alias="status", description="Status.")] = None,
    period_from: Annotated[CalendarDate | None, Query(description="Running on or after this day.")] = None,
    period_to: Annotated[CalendarDate | None, Query(description="Running on or before this day.")] = None,
    sort: Annotated[
        ContractSort, Query(description="Order: by award (created), signature date or value; `-` for descending.")
    ] = "-created",
    format_: ExportFormatQuery = None,
) -> Page[ContractOut] | Response:  # a spreadsheet is a Response
    filters = repository.ContractFilters(
        municipality=municipality,
        place=place,
        provider_id=provider_id,
        status=status_,
        period_from=period_from,
        period_to=period_to,
        sort=sort,
    )
    if (wanted_format := wanted(request, format_)) is not ExportFormat.JSON:

        async def batch(own: AsyncSession, offset: int, limit: int) -> Sequence[Contract]:
            rows, _ = await repository.search_page(own, filters=filters, offset=offset, limit=limit, with_total=False)
            return rows

        every_contract = in_batches(request, batch, EXPORT_BATCH)
        return await export([Sheet("Umowy", CONTRACT_COLUMNS, every_contract)], wanted_format, "umowy")
    rows, total = await repository.search_page(session, filters=filters, offset=paging.offset, limit=paging.per_page)
    return Page.build([ContractOut.model_validate(c) for c in rows], total, paging)


@router.get(
    "/contracts/{contract_id}",
    summary="A contract (public)",
    responses=problem_responses(404),
    description="One contract (public); its ETag for If-Match.",
)
async def get_contract(contract_id: uuid.UUID, session: ReadSessionDep, response: Response) -> ContractOut:
    return ContractOut.model_validate(tagged(response, await service.get_contract(session, contract_id)))


@router.post(
    "/contracts/{contract_id}/amendments",
    summary="Amend a contract with a reason (aneks; If-Match)",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
    description=(
        "The municipality amends a contract both parties signed (aneks, If-Match): value, end, schedule, "
        "within the mode's limits; a Pzp contract's value on a basis of art. 455, a grant within its "
        "announced funds."
    ),
)
async def amend_contract(contract_id: uuid.UUID, data: ContractAmendmentIn, change: TimedChangeDep) -> ContractOut:
    return ContractOut.model_validate(await change(service.amend_contract, contract_id=contract_id, data=data))


@router.post(
    "/contracts/{contract_id}/signature",
    summary="Record the municipality's signature: the contract's number and date (after the standstill; If-Match)",
    responses=problem_responses(401, 403, 404, 409, 412, 422, 428),
    description=(
        "After the standstill the municipality records its signature: the contract's number and date (If-Match)."
    ),
)
async def sign_contract(contract_id: uuid.UUID, data: SignatureIn, change: TimedChangeDep) -> ContractOut:
    return ContractOut.model_validate(await change(service.record_signature, contract_id=contract_id, data=data))


@router.post(
    "/contracts/{contract_id}/confirmation",
    summary="Confirm the contract the municipality signed (its provider; If-Match): it is in force",
    responses=problem_responses(401, 404, 409, 412, 428),
    description=(
        "The provider confirms the signed contract (If-Match): it is in force, and the catalogue commits the "
        "capacity it buys."
    ),
)
async def confirm_contract(contract_id: uuid.UUID, change: TimedChangeDep) -> ContractOut:
    return ContractOut.model_validate(await change(service.confirm_signature, contract_id=contract_id))


def _ending(status: ContractStatus) -> Callable[..., Awaitable[ContractOut]]:
    """The endpoint that ends a contract with this status (completion and termination differ only in it)."""

    async def end(contract_id: uuid.UUID, data: EndIn, write: TimedWriteDep) -> ContractOut:
        ended = await write(service.end_contract, contract_id=contract_id, reason=data.reason, status=status)
        return ContractOut.model_validate(ended)

    return end


for _path, _name, _summary, _description, _status in (
    (
        "completion",
        "complete_contract",
        "Mark a contract completed",
        "The municipality records a running contract as completed, with a note; it commits no capacity any more.",
        ContractStatus.COMPLETED,
    ),
    (
        "termination",
        "terminate_contract",
        "Terminate a contract with a reason",
        "The municipality terminates a running contract early, with the reason; it commits no capacity any more.",
        ContractStatus.TERMINATED,
    ),
):
    router.add_api_route(
        f"/contracts/{{contract_id}}/{_path}",
        _ending(_status),
        methods=["POST"],
        name=_name,
        summary=_summary,
        description=_description,
        responses=problem_responses(401, 403, 404, 409, 422),
    )


@router.post(
    "/contracts/{contract_id}/reports",
    summary="Report delivery for a period (the provider)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 404, 409, 422),
    description=(
        "The provider reports a period of the contract once it has ended: units delivered, people served by "
        "target group, outcomes, issues."
    ),
)
async def submit_report(contract_id: uuid.UUID, data: ReportIn, write: TimedWriteDep) -> ReportOut:
    report = await write(service.submit_report, contract_id=contract_id, data=data)
    return ReportOut.model_validate(write.tagged(report))  # the review needs its ETag (If-Match)


@router.get(
    "/contracts/{contract_id}/reports",
    summary="Delivery reports (the contract's parties)",
    responses=problem_responses(401, 404),
    description="The contract's delivery reports (its parties).",
)
async def list_reports(
    contract_id: uuid.UUID, session: ReadSessionDep, principal: CurrentPrincipal, paging: PageParamsDep
) -> Page[ReportOut]:
    contract = await service.private_contract(session, principal, contract_id)
    return page_of([ReportOut.model_validate(r) for r in await repository.reports_of(session, contract.id)], paging)


@router.put(
    "/reports/{report_id}/review",
    summary="Accept or return a delivery report (the municipality; If-Match)",
    responses=problem_responses(401, 404, 409, 412, 422, 428),
    description="The municipality accepts a report, or returns it with what to correct (If-Match).",
)
async def review_report(report_id: uuid.UUID, data: ReviewIn, change: TimedChangeDep) -> ReportOut:
    return ReportOut.model_validate(await change(service.review_report, report_id=report_id, data=data))


@router.post(
    "/contracts/{contract_id}/payments",
    summary="Record a payment against the schedule (the municipality)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
    description=(
        "The municipality records a payment under a running contract, an instalment of the schedule at most "
        "once; payments never exceed the contract's value. Idempotency-Key accepted."
    ),
)
async def record_payment(
    contract_id: uuid.UUID, data: PaymentIn, write: TimedWriteDep, idempotency_key: IdempotencyKeyHeader = None
) -> PaymentOut:
    require_municipality_role(write.principal)

    async def pay() -> PaymentOut:
        return PaymentOut.model_validate(await write(service.record_payment, contract_id=contract_id, data=data))

    route = f"POST /v1/contracts/{contract_id}/payments"
    return await created_once(write, idempotency_key, data, pay, out=PaymentOut, record=IdempotencyRecord, route=route)


@router.get(
    "/contracts/{contract_id}/payments",
    summary="Payments (the contract's parties)",
    response_model=Page[PaymentOut],
    responses={**export_responses(), **problem_responses(401, 404)},
    description="The contract's payments (its parties); `format=csv|xlsx` for a spreadsheet.",
)
async def list_payments(
    contract_id: uuid.UUID,
    request: Request,
    session: ReadSessionDep,
    principal: CurrentPrincipal,
    paging: PageParamsDep,
    format_: ExportFormatQuery = None,
) -> Page[PaymentOut] | Response:  # a spreadsheet is a Response
    contract = await service.private_contract(session, principal, contract_id)
    payments = [PaymentOut.model_validate(p) for p in await repository.payments_of(session, contract.id)]
    if (wanted_format := wanted(request, format_)) is not ExportFormat.JSON:
        sheet = Sheet("Płatności", PAYMENT_COLUMNS, payments)
        return await export([sheet], wanted_format, f"platnosci-{contract.number or contract.id}")
    return page_of(payments, paging)


@router.get(
    "/track-records/{provider_id}",
    summary="A provider's track record: awards, contracts, accepted reports (public)",
    description="A provider's public track record: awards, contracts and how many reports were accepted.",
)
async def track_record(provider_id: uuid.UUID, session: ReadSessionDep) -> TrackRecordOut:
    return TrackRecordOut.model_validate(await service.track_record(session, provider_id))
