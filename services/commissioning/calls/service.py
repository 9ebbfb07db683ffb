"""Call rules: drafts from needs, the mode's rules on create and publish, amendments, questions, cancellation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import acting_provider, acts_for_municipality, require_municipality_role
from services.commissioning.calls import repository
from services.commissioning.calls.events import deadline_passed, effective_status
from services.commissioning.calls.schemas import CallCreate, CallUpdate, Criterion, LotIn
from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.clock import WARSAW
from services.commissioning.grants import rules as grants
from services.commissioning.grants.schemas import GrantTerms
from services.commissioning.models.calls import Call, CallEvent, CallHistory, CallStatus, Lot, Question
from services.commissioning.models.outbox import EventType
from services.commissioning.outbox import service as outbox
from services.commissioning.planning.service import need_for
from services.commissioning.rules.advisor import (
    Reason,
    call_violations,
)
from services.commissioning.rules.modes import Mode, rules_in_force, rules_version
from shared.auth import Principal
from shared.concurrency import load_for_write
from shared.db import touch
from shared.errors import Conflict, Forbidden, NotFound, ProblemError, ValidationProblem, found
from shared.schemas import utc_iso


class RuleViolation(ProblemError):
    status, slug, title = 422, "rule-violation", "The commissioning mode's rules forbid this"

    def __init__(self, reasons: list[Reason]) -> None:
        violations = [r.as_dict() for r in reasons]  # in the request's language, both languages beside
        super().__init__(
            "; ".join(v["detail_en"] for v in violations) + ".",
            pl="; ".join(v["detail_pl"] for v in violations) + ".",
            violations=violations,
        )


class DeadlinePassed(ProblemError):
    status, slug, title = 409, "deadline-passed", "The deadline for offers has passed"


UDPP_MODES = frozenset({Mode.OPEN_COMPETITION, Mode.SMALL_GRANT})


def grant_terms_for(mode: Mode, terms: GrantTerms | None, criteria: list[Criterion]) -> dict[str, Any] | None:
    """A call's terms of the grant, which only the UDPP modes have; its criteria then stand for every element of
    the committee's assessment the act names (art. 15 ust. 1 UDPP)."""
    if terms is None:
        return None
    if mode not in UDPP_MODES:
        raise ValidationProblem.field(
            "grant_terms",
            f"only a UDPP call (open competition, small grant) states terms of a grant, not {mode.value}",
            pl=f"warunki dotacji określa tylko ogłoszenie w trybie ustawy o pożytku (otwarty konkurs, mały grant), "
            f"nie {mode.value}",
        )
    gaps = grants.sheet_gaps(terms, [c.element for c in criteria])
    if gaps:
        points = ", ".join(f"{e.value} (pkt {grants.ELEMENT_POINTS[e]})" for e in gaps)
        raise ValidationProblem.field(
            "criteria",
            f"a UDPP call's criteria stand for each element of art. 15 ust. 1: missing {points}",
            pl=f"kryteria ogłoszenia w trybie ustawy o pożytku obejmują każdy element art. 15 ust. 1: brakuje {points}",
        )
    return terms.model_dump(mode="json")


def ocid_for(prefix: str, call_id: uuid.UUID) -> str:
    """`{prefix}-{id}`: assigned at creation, never changes."""
    return f"{prefix}-{call_id}"


def history_entry(call: Call, kind: str, actor: Principal | str, at: datetime, **detail: Any) -> CallHistory:
    who = actor if isinstance(actor, str) else f"{actor.role.value}:{actor.subject}"
    return CallHistory(call_id=call.id, kind=kind, actor=who, at=at, detail=detail)


async def _lots(catalogue: CatalogueClient, default_service_type: uuid.UUID, area: str, lots: list[LotIn]) -> list[Lot]:
    made = []
    for i, lot in enumerate(lots):
        service_type_id = lot.service_type_id or default_service_type
        service_type = await catalogue.service_type(service_type_id, field=f"lots.{i}.service_type_id")
        made.append(
            Lot(
                number=i + 1,
                title=lot.title,
                service_type_id=service_type_id,
                service_type_code=service_type["code"],
                area_code=service_type["area_code"],
                unit=service_type["unit"],
                quantity=lot.quantity,
                area_terc=area,
                value_grosze=lot.value_grosze,
            )
        )
    return made


def _check_mode(call: Call, value_grosze: int, *, published_at: datetime | None = None) -> None:
    reasons = call_violations(
        rules_version(call.rules_version),
        Mode(call.mode),
        value_grosze=value_grosze,
        period_start=call.period_start,
        period_end=call.period_end,
        published_at=published_at,
        deadline=call.deadline,
        vat_rate_percent=call.vat_rate_percent,
    )
    if reasons:
        raise RuleViolation(reasons)


async def create(
    session: AsyncSession,
    catalogue: CatalogueClient,
    *,
    principal: Principal,
    now: datetime,
    data: CallCreate,
    ocid_prefix: str,
) -> Call:
    require_municipality_role(principal)
    need = await need_for(session, principal, data.need_id)
    call_id = uuid.uuid4()
    call = Call(
        id=call_id,
        ocid=ocid_for(ocid_prefix, call_id),
        municipality_terc=need.municipality_terc,
        need_id=need.id,
        title=data.title,
        description=data.description,
        mode=data.mode.value,
        vat_rate_percent=data.vat_rate_percent
        if "vat_rate_percent" in data.model_fields_set
        else need.vat_rate_percent,
        rules_version=rules_in_force(now.astimezone(WARSAW).date()).version,
        status=CallStatus.DRAFT.value,
        criteria=[c.model_dump() for c in data.criteria],
        eligibility=data.eligibility.model_dump(),
        grant_terms=grant_terms_for(data.mode, data.grant_terms, data.criteria),
        documents=[d.model_dump() for d in data.documents],
        period_start=data.period_start or need.period_start,
        period_end=data.period_end or need.period_end,
        deadline=data.deadline,
        decision_date=data.decision_date,
        created_at=now,
        updated_at=now,
    )
    if call.period_end < call.period_start:
        raise ValidationProblem.field("period_end", "is before period_start", pl="przypada przed period_start")
    lots = await _lots(catalogue, need.service_type_id, need.area_terc, data.lots)
    _check_mode(call, sum(lot.value_grosze for lot in lots))
    session.add(call)
    await session.flush()
    for lot in lots:
        lot.call_id = call.id
        session.add(lot)
    session.add(history_entry(call, "created", principal, now, mode=call.mode))
    await session.flush()
    return call


async def for_owner(
    session: AsyncSession, principal: Principal, call_id: uuid.UUID, *, lock: bool = True, if_match: str | None = "*"
) -> Call:
    """The call, locked, for its own municipality (others: 404 for drafts, 403 for published calls), at the
    version If-Match names (`*`: any)."""
    require_municipality_role(principal)

    def owns(call: Call) -> bool:
        if not acts_for_municipality(principal, call.municipality_terc) and call.published_at is not None:
            raise Forbidden(
                "Only the call's own municipality may do this.",
                pl="Może to zrobić tylko gmina prowadząca postępowanie.",
            )
        return acts_for_municipality(principal, call.municipality_terc)

    missing = NotFound(
        f"Call {call_id} does not exist or is not visible to you.",
        pl=f"Ogłoszenie {call_id} nie istnieje lub nie jest dla Ciebie widoczne.",
    )
    return await load_for_write(session, Call, call_id, if_match=if_match, missing=missing, may_write=owns, lock=lock)


async def visible(session: AsyncSession, principal: Principal | None, call_id: uuid.UUID) -> Call:
    return found(
        await repository.get_visible(session, call_id, principal),
        f"Call {call_id} does not exist or is not published.",
        pl=f"Ogłoszenie {call_id} nie istnieje lub nie zostało opublikowane.",
    )


async def update_draft(
    session: AsyncSession,
    catalogue: CatalogueClient,
    *,
    principal: Principal,
    now: datetime,
    call_id: uuid.UUID,
    data: CallUpdate,
    if_match: str | None,
) -> Call:
    call = await for_owner(session, principal, call_id, if_match=if_match)
    if call.status != CallStatus.DRAFT.value:
        raise Conflict(
            "Only a draft changes freely; a published call changes through amendments.",
            pl="Swobodnie zmienia się tylko projekt; opublikowane ogłoszenie zmienia się w drodze zmiany ogłoszenia.",
        )
    changes = data.model_dump(exclude_unset=True)
    for required in ("title", "mode", "lots", "criteria", "eligibility", "documents", "deadline"):
        if required in changes and changes[required] is None:
            raise ValidationProblem.field(required, "may not be null", pl="nie może być puste (null)")
    if data.lots is not None:
        need = await need_for(session, principal, call.need_id) if call.need_id else None
        default_type = (
            need.service_type_id if need else (await repository.lots_of(session, [call.id]))[0].service_type_id
        )
        lots = await _lots(catalogue, default_type, call.municipality_terc, data.lots)
        await repository.delete_lots(session, call.id)
        for lot in lots:
            lot.call_id = call.id
            session.add(lot)
    for key in ("title", "description", "decision_date", "deadline"):
        if key in changes:
            setattr(call, key, changes[key])
    if data.mode is not None:
        call.mode = data.mode.value
    if data.criteria is not None:
        call.criteria = [c.model_dump() for c in data.criteria]
    if data.eligibility is not None:
        call.eligibility = data.eligibility.model_dump()
    if data.grant_terms is not None or ((data.mode or data.criteria) is not None and call.grant_terms):
        terms = data.grant_terms or GrantTerms.model_validate(call.grant_terms)
        criteria = [Criterion.model_validate(c) for c in call.criteria]
        call.grant_terms = grant_terms_for(Mode(call.mode), terms, criteria)
    if data.documents is not None:
        call.documents = [d.model_dump() for d in data.documents]
    await session.flush()
    _check_mode(call, sum(lot.value_grosze for lot in await repository.lots_of(session, [call.id])))
    touch(call)  # its lots may be all that changed
    await session.flush()
    return call


async def publish(session: AsyncSession, *, principal: Principal, now: datetime, call_id: uuid.UUID) -> Call:
    call = await for_owner(session, principal, call_id)
    if call.status != CallStatus.DRAFT.value:
        raise Conflict(
            f"The call is {call.status}; only a draft is published.",
            pl=f"Ogłoszenie ma status {call.status}; publikuje się tylko projekt.",
        )
    if call.deadline <= now:
        raise ValidationProblem.field(
            "deadline",
            "is not in the future; change the draft's deadline first",
            pl="nie przypada w przyszłości; najpierw zmień termin w projekcie",
        )
    lots = await repository.lots_of(session, [call.id])
    # The rules are those in force when the procedure starts: the call's announcement (UDPP) or the notice's
    # publication (Pzp); a draft only previews them.
    call.rules_version = rules_in_force(now.astimezone(WARSAW).date()).version
    _check_mode(call, sum(lot.value_grosze for lot in lots), published_at=now)
    call.status = CallStatus.OPEN.value
    call.published_at = now
    call.next_event, call.next_event_at = CallEvent.OPEN_OFFERS.value, call.deadline
    session.add(history_entry(call, "published", principal, now, deadline=utc_iso(call.deadline)))
    outbox.call_changed(session, call, EventType.CALL_PUBLISHED, now)
    await session.flush()
    return call


async def cancel(
    session: AsyncSession, *, principal: Principal, now: datetime, call_id: uuid.UUID, reason: str
) -> Call:
    call = await for_owner(session, principal, call_id)
    if call.status == CallStatus.CANCELLED.value:
        raise Conflict("The call is already cancelled.", pl="Postępowanie jest już unieważnione.")
    call.status = CallStatus.CANCELLED.value
    call.cancelled_reason = reason
    call.next_event = call.next_event_at = None
    session.add(history_entry(call, "cancelled", principal, now, reason=reason))
    if call.published_at is not None:  # a draft's end is nobody else's business
        outbox.call_changed(session, call, EventType.CALL_CANCELLED, now, reason=reason)
    await session.flush()
    return call


def require_open_for_changes(call: Call, now: datetime) -> None:
    status = effective_status(call, now)
    if status is not CallStatus.OPEN:
        raise DeadlinePassed(
            f"The call is {status.value}: it no longer takes amendments, questions or offers.",
            pl="Termin składania ofert upłynął: ogłoszenie nie przyjmuje już zmian, pytań ani ofert.",
        )


async def ask(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    call_id: uuid.UUID,
    question: str,
    provider_id: uuid.UUID | None = None,
) -> Question:
    asking = acting_provider(principal, provider_id)
    call = await visible(session, principal, call_id)
    require_open_for_changes(call, now)
    asked = Question(call_id=call.id, asked_by_provider=asking, question=question, asked_at=now)
    session.add(asked)
    await session.flush()
    return asked


async def answer(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    call_id: uuid.UUID,
    question_id: uuid.UUID,
    text: str,
) -> Question:
    call = await for_owner(session, principal, call_id)
    require_open_for_changes(call, now)
    question = await session.get(Question, question_id)
    if question is None or question.call_id != call.id:
        raise NotFound(
            f"Question {question_id} does not exist in this call.",
            pl=f"Pytanie {question_id} nie istnieje w tym postępowaniu.",
        )
    if question.answer is not None:
        raise Conflict(
            "This question is already answered; amend the call to change what it says.",
            pl="Na to pytanie już odpowiedziano; aby zmienić treść, zmień ogłoszenie.",
        )
    question.answer, question.answered_at = text, now
    touch(call)  # its public answers changed
    session.add(history_entry(call, "answered", principal, now, question_id=str(question.id)))
    await session.flush()
    return question


def questions_for(principal: Principal | None, call: Call, questions: list[Question]) -> list[Question]:
    """The public reads answered questions; the municipality all; a provider also its own unanswered ones."""
    if acts_for_municipality(principal, call.municipality_terc):
        return questions
    own = principal.providers if principal else frozenset()
    return [q for q in questions if q.answer is not None or q.asked_by_provider in own]


def is_sealed_for(principal: Principal | None, call: Call, now: datetime) -> bool:
    return not (deadline_passed(call, now) and acts_for_municipality(principal, call.municipality_terc))
