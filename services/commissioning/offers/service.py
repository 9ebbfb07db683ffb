"""Offer rules: verified, eligible providers submit per lot before the deadline (the server's clock decides, on
every write); offers stay sealed until then and never touch the call's public dates or history."""

from __future__ import annotations

import hashlib
import uuid
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import acting_provider, acts_for_municipality
from services.commissioning.calls import repository as calls_repo
from services.commissioning.calls.eligibility import needs_past_awards, provider_reasons, reasons_at, small_grant_cap
from services.commissioning.calls.events import deadline_passed
from services.commissioning.calls.service import DeadlinePassed, RuleViolation, history_entry
from services.commissioning.catalogue_client import CatalogueClient
from services.commissioning.models.calls import Call, CallStatus
from services.commissioning.models.offers import Offer, OfferRow, OfferStatus
from services.commissioning.models.outbox import EventType
from services.commissioning.offers import repository
from services.commissioning.offers.known import KnownOffer, KnownOffers, SubmissionFacts
from services.commissioning.offers.schemas import OfferContent, OfferIn, offer_out
from services.commissioning.outbox import service as outbox
from services.commissioning.standing import service as standing
from shared.auth import Principal, Role, require_role
from shared.concurrency import check_if_match, etag_for, versions_named
from shared.db import Database, DriverConnection
from shared.errors import Conflict, Forbidden, NotFound, ProblemError, ValidationProblem
from shared.idempotency import KeyedWrite
from shared.schemas import utc_iso


class NotVerified(ProblemError):
    status, slug, title = 403, "provider-not-verified", "The provider is not verified in the catalogue"


async def open_offers(session: AsyncSession, call: Call, now: datetime) -> None:
    """The deadline's event: the call goes to evaluation, and its history says how many offers were opened (dated
    at the deadline, its legal time, with the moment it was performed)."""
    if call.status == CallStatus.OPEN.value:
        call.status = CallStatus.EVALUATION.value
        opened = await repository.count_active(session, call.id)
        session.add(
            history_entry(
                call,
                "offers-opened",
                "system",
                call.deadline,
                offers=opened,
                deadline=utc_iso(call.deadline),
                opened_at=utc_iso(now),  # when the worker performed it, by the server's clock
            )
        )
        outbox.call_changed(session, call, EventType.OFFERS_OPENED, call.deadline, offers=opened)
    call.next_event = call.next_event_at = None


def content_hash(call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID, content: OfferContent) -> str:
    canonical = {
        "call_id": str(call_id),
        "lot_id": str(lot_id),
        "provider_id": str(provider_id),
        **content.model_dump(mode="json", include={"total_price_grosze", "quantity", "answers"}),
    }
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()


def _check_answers(call_criteria: list[dict[str, Any]], content: OfferContent) -> None:
    criteria = {c["code"]: c for c in call_criteria}
    unknown = sorted(set(content.answers) - set(criteria))
    if unknown:
        raise ValidationProblem.field(
            "answers",
            f"unknown criteria {unknown} (the call's: {sorted(criteria)})",
            pl=f"nieznane kryteria {unknown} (kryteria ogłoszenia: {sorted(criteria)})",
        )
    missing = sorted(code for code, c in criteria.items() if c["kind"] != "price" and code not in content.answers)
    if missing:
        raise ValidationProblem.field(
            "answers",
            f"answer every non-price criterion: missing {missing}",
            pl=f"odpowiedz na każde kryterium pozacenowe: brakuje {missing}",
        )
    for code, value in content.answers.items():
        if isinstance(value, str) and len(value) > 4000:
            raise ValidationProblem.field(f"answers.{code}", "at most 4,000 characters", pl="najwyżej 4000 znaków")


def _still_open(call: Call | None, call_id: uuid.UUID, now_of: Any) -> datetime:
    """The clock, read only once the call is locked (shared: offers do not block each other, the opening at the
    deadline waits for them), so an offer accepted here always comes before the opening."""
    if call is None or call.published_at is None:
        raise NotFound(
            f"Call {call_id} does not exist or is not published.",
            pl=f"Ogłoszenie {call_id} nie istnieje lub nie zostało opublikowane.",
        )
    now: datetime = now_of()
    if call.status != CallStatus.OPEN.value or now >= call.deadline:
        raise DeadlinePassed(
            f"Offers were due by {utc_iso(call.deadline)}; the server's clock says {utc_iso(now)}."
            if call.status in (CallStatus.OPEN.value, CallStatus.EVALUATION.value)
            else f"The call is {call.status}.",
            pl=f"Termin składania ofert upłynął {utc_iso(call.deadline)}; zegar serwera wskazuje {utc_iso(now)}."
            if call.status in (CallStatus.OPEN.value, CallStatus.EVALUATION.value)
            else f"Ogłoszenie ma status {call.status}.",
        )
    return now


async def _lock_open_call(session: AsyncSession, call_id: uuid.UUID, now_of: Any) -> tuple[Call, datetime]:
    call = await session.get(Call, call_id, with_for_update={"read": True}, populate_existing=True)
    now = _still_open(call, call_id, now_of)
    assert call is not None  # _still_open refused a missing call
    return call, now


async def submit(
    session: AsyncSession,
    catalogue: CatalogueClient,
    known: KnownOffers,
    *,
    principal: Principal,
    now_of: Any,
    call_id: uuid.UUID,
    data: OfferIn,
) -> Offer:
    provider_id = acting_provider(principal, data.provider_id)
    told = await standing.standing_of(session, provider_id)
    local = None if standing.barred(told) else standing.verified_facts(told)
    # With the provider's facts at hand the call is locked as it is read; else the catalogue is asked first, with
    # no lock held (a slow catalogue must not hold the call), and the call locked after.
    locked = local is not None
    call, lot = await calls_repo.visible_with_lot(session, call_id, data.lot_id, principal, lock_call=locked)
    if call is None:
        raise NotFound(
            f"Call {call_id} does not exist or is not published.",
            pl=f"Ogłoszenie {call_id} nie istnieje lub nie zostało opublikowane.",
        )
    if lot is None:
        raise ValidationProblem.field(
            "lot_id", "no such lot in this call", pl="w tym postępowaniu nie ma takiej części"
        )
    _check_answers(call.criteria, data)
    if standing.barred(told):  # the catalogue told of a suspension: no need to ask it
        raise NotVerified(
            "The provider is suspended (or rejected) by its regional centre: it may not submit offers.",
            pl="Podmiot jest zawieszony (lub odrzucony) przez regionalny ośrodek polityki społecznej: nie może "
            "składać ofert.",
        )
    found = local or await catalogue.verified_provider(provider_id)
    if found is None:
        raise NotVerified(
            "Only providers verified by their regional centre may submit offers.",
            pl="Oferty mogą składać tylko podmioty zweryfikowane przez regionalny ośrodek polityki społecznej.",
        )
    facts, provider_name, provider_nip = found
    reasons = await provider_reasons(session, call, facts, [lot.service_type_id], now_of)
    if reasons:
        raise RuleViolation(reasons)
    if locked:
        now = _still_open(call, call.id, now_of)
    else:
        call, now = await _lock_open_call(session, call.id, now_of)
    await small_grant_cap(
        session,
        call,
        provider_id=provider_id,
        amount_grosze=data.total_price_grosze,
        at=now,
        field="total_price_grosze",
    )
    content = _submitted_content(call.id, lot.id, provider_id, provider_name, provider_nip, data)
    offer = await repository.submit_unless_active(
        session, call_id=call.id, lot_id=lot.id, provider_id=provider_id, now=now, content=content
    )
    if offer is None:
        active = await repository.for_lot_and_provider(session, lot.id, provider_id)
        raise Conflict(
            "You already have an offer for this lot: revise it (PUT /v1/offers/{id}) instead.",
            pl="Masz już ofertę w tej części: zmień ją (PUT /v1/offers/{id}).",
            offer_id=str(active.id) if active is not None else None,
        )
    known.remember(offer, call)
    return offer


def _submitted_content(
    call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID, name: str, nip: str, data: OfferIn
) -> dict[str, Any]:
    return {
        "provider_name": name,
        "provider_nip": nip,
        "total_price_grosze": data.total_price_grosze,
        "quantity": data.quantity,
        "answers": dict(data.answers),
        "content_hash": content_hash(call_id, lot_id, provider_id, data),
    }


class _FullPath(Exception):
    """What the facts at hand do not settle: the full path decides, and says why if it refuses."""


async def submit_at_once(
    database: Database,
    known: KnownOffers,
    keyed: KeyedWrite | None,
    *,
    principal: Principal,
    now_of: Any,
    call_id: uuid.UUID,
    data: OfferIn,
) -> OfferRow | None:
    """A submission the facts at hand settle, in one statement made once (`repository.submit_if_unchanged`),
    atomic on its own: the offer and its Idempotency-Key's answered record written only while every fact it was
    decided on still holds. The facts are this process's (`KnownOffers`), or read first without a lock. That is
    every first offer of a burst at a deadline from a provider the catalogue's events told of, to a call whose
    mode reads no past awards. The same rules as `submit`, in the same order; None (nothing written) whenever
    anything is off, and the full path then decides, with the right refusal."""
    if principal.role is not Role.PROVIDER:
        return None
    provider_id = acting_provider(principal, data.provider_id)
    facts = known.submission_facts(call_id, data.lot_id, provider_id)
    try:
        async with database.statement() as driver:
            if facts is None:
                facts = await _read_facts(driver, call_id, data.lot_id, provider_id)
                known.keep_submission_facts(data.lot_id, facts)
            offer = await _submitted_at_once(driver, keyed, facts, provider_id, now_of, data)
    except _FullPath:
        known.forget_submission_facts(call_id, provider_id)  # perhaps stale: read again next time
        return None
    known.remember(offer, facts.call)
    return offer


async def _read_facts(
    driver: DriverConnection, call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID
) -> SubmissionFacts:
    found = await repository.submission_facts(driver, call_id, lot_id, provider_id)
    if found is None:
        raise _FullPath  # no such published call
    call, lot, told = found
    if lot is None or told is None:
        raise _FullPath  # no such lot, or the catalogue is to be asked
    return SubmissionFacts(call, lot.service_type_id, told)


async def _submitted_at_once(
    driver: DriverConnection,
    keyed: KeyedWrite | None,
    facts: SubmissionFacts,
    provider_id: uuid.UUID,
    now_of: Any,
    data: OfferIn,
) -> OfferRow:
    """The rules decided on the facts, then one statement that writes the offer if they still hold."""
    call, told = facts.call, facts.standing
    local = None if standing.barred(told) else standing.verified_facts(told)
    if local is None or needs_past_awards(call):
        raise _FullPath
    try:
        _check_answers(call.criteria, data)
        now = _still_open(call, call.id, now_of)
    except ProblemError:
        raise _FullPath from None
    eligibility, name, nip = local
    if reasons_at(call, eligibility, repeat_awards=0):
        raise _FullPath
    content = _submitted_content(call.id, data.lot_id, provider_id, name, nip, data)
    values = repository.submission_values(
        call_id=call.id, lot_id=data.lot_id, provider_id=provider_id, now=now, content=content
    )
    new = OfferRow(**values, status=OfferStatus.SUBMITTED.value, version=1)
    answer = (
        keyed.record_parameters(201, offer_out(new).model_dump(mode="json"), offer_headers(new))
        if keyed is not None
        else None
    )
    offer = await repository.submit_if_unchanged(
        driver, values=values, call_version=call.version, standing=told, answer=answer
    )
    if offer is None:
        raise _FullPath  # something changed, it has an offer for the lot, or the key was used: the full path says
    return offer


def offer_headers(offer: Offer | OfferRow) -> dict[str, str]:
    """A written offer's answer headers: where it is, and its version."""
    return {"Location": f"/v1/offers/{offer.id}", "ETag": etag_for(offer.version)}


async def _own_offer_for_write(session: AsyncSession, principal: Principal, offer_id: uuid.UUID) -> tuple[Offer, Call]:
    """The caller's offer, locked for the write, and its call, locked shared (one round trip: the burst at a
    deadline is made of these)."""
    require_role(principal, Role.PROVIDER)
    found = await repository.locked_with_call(session, offer_id)
    if found is None or not principal.acts_for_provider(found[0].provider_id):
        raise NotFound(
            f"Offer {offer_id} does not exist or is not yours.",
            pl=f"Oferta {offer_id} nie istnieje lub nie jest Twoja.",
        )
    return found


async def revise(
    database: Database,
    known: KnownOffers,
    *,
    principal: Principal,
    now_of: Any,
    offer_id: uuid.UUID,
    data: OfferContent,
    if_match: str | None,
) -> Offer:
    """The full path of a revision, in a unit of work, which says why one is refused: a plain revision of an offer
    this process knows was settled before the routing in one statement (`revise_at_once`, offers.first)."""
    async with database.unit_of_work() as session:
        offer, call = await _own_offer_for_write(session, principal, offer_id)
        check_if_match(if_match, offer.version)
        if offer.status == OfferStatus.WITHDRAWN.value:
            raise Conflict("The offer is withdrawn: submit a new one.", pl="Oferta została wycofana: złóż nową.")
        now = _still_open(call, call.id, now_of)
        _check_answers(call.criteria, data)
        offer.total_price_grosze, offer.quantity = data.total_price_grosze, data.quantity
        offer.answers = dict(data.answers)
        offer.content_hash = content_hash(call.id, offer.lot_id, offer.provider_id, data)
        offer.status, offer.submitted_at = OfferStatus.SUBMITTED.value, now
        await session.flush()
    known.remember(offer, call)  # after the commit: what this process knows was written
    return offer


async def revise_at_once(
    database: Database,
    known: KnownOffers,
    *,
    principal: Principal,
    now_of: Any,
    offer_id: uuid.UUID,
    data: OfferContent,
    if_match: str | None,
) -> OfferRow | None:
    """A revision in one statement (two when another worker took the offer's last write), or None (nothing
    written): the full path then decides."""
    async with database.statement() as driver:
        facts = known.get(offer_id)
        if facts is None and if_match is not None and principal.role is Role.PROVIDER:
            # another worker took its last write: one read of what the statement checks, then the statement
            found = await repository.facts_for_writes(driver, offer_id)
            if found is not None:
                facts = KnownOffer(**found)
                known.keep(offer_id, facts)
        return await _revise_known(driver, facts, principal, now_of, offer_id, data, if_match)


async def _revise_known(
    driver: DriverConnection,
    known: KnownOffer | None,
    principal: Principal,
    now_of: Any,
    offer_id: uuid.UUID,
    data: OfferContent,
    if_match: str | None,
) -> OfferRow | None:
    """The same rules as the full path, checked here where the known facts suffice and by the statement where
    they are the database's; None whenever anything is off (the full path then decides, with the right refusal)."""
    if known is None or if_match is None or not principal.acts_for_provider(known.provider_id):
        return None
    if principal.role is not Role.PROVIDER:
        return None
    versions = versions_named(if_match)
    if versions is not None and not versions:
        return None
    try:
        _check_answers(known.criteria, data)
    except ValidationProblem:
        return None  # perhaps only by this process's criteria: the full path reads the call's
    now: datetime = now_of()  # before the call's lock, unlike the full path; the statement compares it under it
    return await repository.revise_if_current(
        driver,
        offer_id=offer_id,
        call_id=known.call_id,
        call_version=known.call_version,
        versions=versions,
        now=now,
        content={
            "total_price_grosze": data.total_price_grosze,
            "quantity": data.quantity,
            "answers": dict(data.answers),
            "content_hash": content_hash(known.call_id, known.lot_id, known.provider_id, data),
        },
    )


async def confirm(session: AsyncSession, *, principal: Principal, now_of: Any, offer_id: uuid.UUID) -> Offer:
    """After an amendment: the author confirms its offer stands under the amended call."""
    offer, call = await _own_offer_for_write(session, principal, offer_id)
    if offer.status != OfferStatus.NEEDS_CONFIRMATION.value:
        raise Conflict(
            f"The offer is {offer.status}; only an offer awaiting confirmation is confirmed.",
            pl=f"Oferta ma status {offer.status}; potwierdza się tylko ofertę oczekującą na potwierdzenie.",
        )
    now = _still_open(call, call.id, now_of)
    offer.status, offer.submitted_at = OfferStatus.SUBMITTED.value, now
    await session.flush()
    return offer


async def withdraw(
    session: AsyncSession, *, principal: Principal, now_of: Any, offer_id: uuid.UUID, if_match: str | None
) -> Offer:
    offer, call = await _own_offer_for_write(session, principal, offer_id)
    check_if_match(if_match, offer.version)
    if offer.status == OfferStatus.WITHDRAWN.value:
        raise Conflict("The offer is already withdrawn.", pl="Oferta jest już wycofana.")
    _still_open(call, call.id, now_of)
    offer.status = OfferStatus.WITHDRAWN.value
    await session.flush()
    return offer


async def readable(session: AsyncSession, principal: Principal | None, offer_id: uuid.UUID, now: datetime) -> Offer:
    """Its provider always; the call's municipality once the deadline has passed; nobody else, ever."""
    offer = await session.get(Offer, offer_id)
    if offer is not None:
        if principal is not None and principal.acts_for_provider(offer.provider_id):
            return offer
        call = await session.get(Call, offer.call_id)
        if call is not None and deadline_passed(call, now) and acts_for_municipality(principal, call.municipality_terc):
            return offer
    raise NotFound(
        f"Offer {offer_id} does not exist or is sealed until the deadline.",
        pl=f"Oferta {offer_id} nie istnieje albo jest zapieczętowana do upływu terminu składania ofert.",
    )


async def of_call(session: AsyncSession, principal: Principal, call_id: uuid.UUID, now: datetime) -> list[Offer]:
    """Before the deadline a provider sees only its own offers and the municipality sees nothing, not even how
    many there are; after it the municipality sees all (withdrawn ones excluded)."""
    call = await calls_repo.get_visible(session, call_id, principal)
    if call is None:
        raise NotFound(
            f"Call {call_id} does not exist or is not published.",
            pl=f"Ogłoszenie {call_id} nie istnieje lub nie zostało opublikowane.",
        )
    if principal.role is Role.PROVIDER:
        return [
            offer
            for provider_id in sorted(principal.providers)
            for offer in await repository.of_call(session, call.id, provider_id=provider_id, include_withdrawn=True)
        ]
    if acts_for_municipality(principal, call.municipality_terc):
        if not deadline_passed(call, now):
            raise Forbidden(
                f"Offers are sealed until the deadline ({utc_iso(call.deadline)}).",
                pl=f"Oferty pozostają zapieczętowane do upływu terminu składania ofert ({utc_iso(call.deadline)}).",
            )
        return list(await repository.of_call(session, call.id, include_withdrawn=False))
    raise Forbidden(
        "Only the call's municipality (after the deadline) and the offers' own providers read offers.",
        pl="Oferty czytają tylko gmina prowadząca postępowanie (po terminie składania ofert) i ich oferenci.",
    )
