"""Calls: drafts, publication, public reads, history, amendments, questions and answers, cancellation."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import require_municipality_role
from services.commissioning.calls import eligibility, repository, service
from services.commissioning.calls.exports import CALL_COLUMNS
from services.commissioning.calls.schemas import (
    AnswerIn,
    CallCreate,
    CallOut,
    CallUpdate,
    Cancellation,
    EligibilityOut,
    HistoryOut,
    QuestionIn,
    QuestionOut,
    call_out,
)
from services.commissioning.clock import Clock
from services.commissioning.dependencies import CatalogueDep, ClockDep, SettingsDep, TimedChangeDep, TimedWriteDep
from services.commissioning.models.calls import Call, CallStatus
from services.commissioning.models.idempotency import IdempotencyRecord
from services.commissioning.models.public import PUBLIC_CALLS
from services.commissioning.rules.modes import Mode
from shared.auth import OptionalPrincipal, Principal
from shared.cache import cached_json
from shared.db import ReadSessionDep
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
from shared.routes import Write, created_once, tagged
from shared.schemas import Timestamp

CallSort = Literal["deadline", "-deadline", "published", "-published", "value", "-value"]

router = APIRouter(prefix="/v1/calls", tags=["calls"])


async def _outs(
    session: AsyncSession, calls: Sequence[Call], now: datetime, principal: Principal | None
) -> list[CallOut]:
    """The calls' answers: their lots and, for open competitions, the prior tasks of the same kind (a query each
    for all of them)."""
    ids = [c.id for c in calls]
    lots = list(await repository.lots_of(session, ids))
    prior = await repository.prior_tasks(session, ids, now)
    return [call_out(c, lots, now, principal, prior) for c in calls]


async def _out(write: Write, call: Call) -> CallOut:
    """The call written, with its lots and its status at the time of the write."""
    return (await _outs(write.session, [call], write.named["now"], write.principal))[0]


@router.post(
    "",
    summary="Create a draft call from a need",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 422, 503),
    description=(
        "A municipality drafts a call from a need: mode, lots, weighted criteria, eligibility, deadline. The "
        "mode's rules are checked now and again at publication. The draft is private; its ocid is assigned "
        "now. Idempotency-Key accepted."
    ),
)
async def create_call(
    data: CallCreate,
    write: TimedWriteDep,
    catalogue: CatalogueDep,
    settings: SettingsDep,
    idempotency_key: IdempotencyKeyHeader = None,
) -> CallOut:
    require_municipality_role(write.principal)

    async def create() -> CallOut:
        call = await write(service.create, catalogue=catalogue, data=data, ocid_prefix=settings.ocid_prefix)
        write.response.headers["Location"] = f"/v1/calls/{call.id}"
        return await _out(write, write.tagged(call))

    route = "POST /v1/calls"
    return await created_once(write, idempotency_key, data, create, out=CallOut, record=IdempotencyRecord, route=route)


@router.get(
    "",
    summary="Search calls (published ones are public); as a spreadsheet with format=csv|xlsx",
    response_model=Page[CallOut],
    responses={**export_responses(), **problem_responses(401, 422)},
    description=(
        "Calls: published ones are public, drafts only to their municipality. Filter by status (as of now, by"
        " the server's clock), mode, municipality, place, service type, statutory area and deadline; sort by "
        "deadline, publication or value."
    ),
)
async def search_calls(
    request: Request,
    session: ReadSessionDep,
    principal: OptionalPrincipal,
    clock: ClockDep,
    paging: PageParamsDep,
    status_: Annotated[CallStatus | None, Query(alias="status", description="Status as of now.")] = None,
    mode: Annotated[Mode | None, Query(description="Commissioning mode.")] = None,
    municipality: Annotated[GminaTercStr | None, Query(description="Municipality TERC.")] = None,
    place: Annotated[
        TercStr | None, Query(description="Calls of the municipalities in this unit (voivodeship, powiat, gmina).")
    ] = None,
    service_type_id: Annotated[uuid.UUID | None, Query(description="A lot of this service type.")] = None,
    area: Annotated[
        str | None, Query(max_length=64, description="A lot in this statutory area (GET /v1/areas).")
    ] = None,
    deadline_from: Annotated[Timestamp | None, Query(description="Deadline at or after (with its offset).")] = None,
    deadline_to: Annotated[Timestamp | None, Query(description="Deadline at or before.")] = None,
    sort: Annotated[CallSort, Query(description="Order: by deadline, publication or value; `-` for descending.")] = (
        "-deadline"
    ),
    format_: ExportFormatQuery = None,
) -> Page[CallOut] | Response:  # a spreadsheet is a Response
    now = clock.now()
    filters = repository.CallFilters(
        place=place,
        service_type_id=service_type_id,
        area=area,
        deadline_from=deadline_from,
        deadline_to=deadline_to,
        sort=sort,
    )
    search = functools.partial(
        repository.search,
        principal=principal,
        now=now,
        status=status_,
        mode=mode.value if mode else None,
        municipality=municipality,
        filters=filters,
    )
    if (wanted_format := wanted(request, format_)) is not ExportFormat.JSON:

        async def batch(own: AsyncSession, offset: int, limit: int) -> list[CallOut]:
            calls, _ = await search(own, offset=offset, limit=limit)
            return await _outs(own, calls, now, principal)

        every_call = in_batches(request, batch, EXPORT_BATCH)
        return await export([Sheet("Ogłoszenia", CALL_COLUMNS, every_call)], wanted_format, "ogloszenia")

    async def page() -> Page[CallOut]:
        rows, total = await search(session, offset=paging.offset, limit=paging.per_page)
        return Page.build(await _outs(session, rows, now, principal), total, paging)

    if principal is None and type(clock) is Clock:  # the public's list, on the system clock: kept (shared.cache)

        async def public() -> dict[str, Any]:
            return (await page()).model_dump(mode="json")

        # until the next write, or the next deadline of an open call, when statuses change by the clock alone
        upcoming = await repository.next_deadline(session, now)
        fresh_for = (upcoming - now).total_seconds() if upcoming is not None else 0  # 0: as long as any entry
        return await cached_json(request, PUBLIC_CALLS, public, max_age=0, fresh_for=fresh_for)
    return await page()


@router.get(
    "/{call_id}",
    summary="Read a call",
    responses=problem_responses(401, 404),
    description="One call (published: public; a draft: its municipality); its ETag for If-Match.",
)
async def get_call(
    call_id: uuid.UUID, session: ReadSessionDep, principal: OptionalPrincipal, clock: ClockDep, response: Response
) -> CallOut:
    call = tagged(response, await service.visible(session, principal, call_id))
    return (await _outs(session, [call], clock.now(), principal))[0]


@router.patch(
    "/{call_id}",
    summary="Change a draft call (If-Match)",
    responses=problem_responses(400, 401, 403, 404, 409, 412, 422, 428, 503),
    description="The municipality changes its draft (If-Match); a published call changes only through amendments.",
)
async def update_call(call_id: uuid.UUID, data: CallUpdate, change: TimedChangeDep, catalogue: CatalogueDep) -> CallOut:
    return await _out(change.write, await change(service.update_draft, catalogue=catalogue, call_id=call_id, data=data))


@router.post(
    "/{call_id}/publication",
    summary="Publish a draft call (the mode's rules are checked)",
    responses=problem_responses(401, 403, 404, 409, 422),
    description=(
        "Publish a draft: the rule set in force today applies (the start of the procedure) and the mode's "
        "limits and minimum publication period are checked; offers are accepted until the deadline."
    ),
)
async def publish_call(call_id: uuid.UUID, write: TimedWriteDep) -> CallOut:
    return await _out(write, write.tagged(await write(service.publish, call_id=call_id)))


@router.post(
    "/{call_id}/cancellation",
    summary="Cancel a call with a reason (unieważnienie)",
    responses=problem_responses(401, 403, 404, 409, 422),
    description="Cancel the call (unieważnienie) with a reason; submitted offers are never opened.",
)
async def cancel_call(call_id: uuid.UUID, data: Cancellation, write: TimedWriteDep) -> CallOut:
    return await _out(write, write.tagged(await write(service.cancel, call_id=call_id, reason=data.reason)))


@router.get(
    "/{call_id}/history",
    summary="The call's public change history",
    responses=problem_responses(404),
    description=(
        "The call's public history: created, published, amended, answered, offers opened (how many, after the"
        " deadline), awarded. Offers never appear in it before the deadline."
    ),
)
async def call_history(
    call_id: uuid.UUID, session: ReadSessionDep, principal: OptionalPrincipal, paging: PageParamsDep
) -> Page[HistoryOut]:
    call = await service.visible(session, principal, call_id)
    return page_of([HistoryOut.model_validate(h) for h in await repository.history(session, call.id)], paging)


@router.post(
    "/{call_id}/questions",
    summary="Ask a question about a published call (providers, before the deadline)",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
    description="A provider asks about a published call before the deadline; answers are public, askers are not.",
)
async def ask_question(call_id: uuid.UUID, data: QuestionIn, write: TimedWriteDep) -> QuestionOut:
    asked = await write(service.ask, call_id=call_id, question=data.question, provider_id=data.provider_id)
    return QuestionOut.model_validate(asked)


@router.put(
    "/{call_id}/questions/{question_id}/answer",
    summary="Answer a question; the answer is published (the asker is not)",
    responses=problem_responses(401, 403, 404, 409, 422),
    description="The municipality answers a question; the answer is public.",
)
async def answer_question(
    call_id: uuid.UUID, question_id: uuid.UUID, data: AnswerIn, write: TimedWriteDep
) -> QuestionOut:
    answered = await write(service.answer, call_id=call_id, question_id=question_id, text=data.answer)
    return QuestionOut.model_validate(answered)


@router.get(
    "/{call_id}/questions",
    summary="Questions and published answers",
    responses=problem_responses(401, 404),
    description="Answered questions (public); a provider also sees its own unanswered ones.",
)
async def list_questions(
    call_id: uuid.UUID, session: ReadSessionDep, principal: OptionalPrincipal, paging: PageParamsDep
) -> Page[QuestionOut]:
    call = await service.visible(session, principal, call_id)
    shown = service.questions_for(principal, call, list(await repository.questions(session, call.id)))
    return page_of([QuestionOut.model_validate(q) for q in shown], paging)


@router.get(
    "/{call_id}/eligibility",
    summary="May this provider answer this call? The same rules as at submission, with reasons (public)",
    responses=problem_responses(404, 422, 503),
    description=(
        "May this provider answer the call? Verification, legal form, PES status, excluded employees' share, "
        "repeat awards and yearly caps, checked by the rules applied at submission."
    ),
)
async def call_eligibility(
    call_id: uuid.UUID,
    provider_id: Annotated[uuid.UUID, Query(description="The provider (catalogue id).")],
    session: ReadSessionDep,
    principal: OptionalPrincipal,
    catalogue: CatalogueDep,
    clock: ClockDep,
) -> EligibilityOut:
    call = await service.visible(session, principal, call_id)
    found = await eligibility.eligibility(session, catalogue, call=call, provider_id=provider_id, now=clock.now())
    return EligibilityOut.model_validate(found)
