"""Offer writes: verified, eligible providers submit per lot before the deadline (the server's clock decides, on
every write); offers stay sealed until then and never touch the call's public dates or history. Each write is
decided by `offers.decisions` on facts gathered here: in the request's unit of work (the full path), or by one
statement on facts this process keeps (`*_at_once`, settled before the routing by `offers.first`)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import acting_provider, acts_for_municipality
from services.commissioning.calls import repository as calls_repo
from services.commissioning.calls.eligibility import needs_past_awards, repeat_awards, small_grant_cap
from services.commissioning.calls.events import deadline_passed
from services.commissioning.calls.service import history_entry
from services.commissioning.catalogue_client import CatalogueUnavailable
from services.commissioning.models.calls import Call, CallStatus
from services.commissioning.models.offers import Offer, OfferFacts, OfferRow, OfferStatus
from services.commissioning.models.outbox import EventType
from services.commissioning.models.standing import Standing
from services.commissioning.offers import decisions, repository
from services.commissioning.offers.known import KnownOffers, RevisionFacts, SubmissionFacts
from services.commissioning.offers.schemas import OfferContent, OfferIn, offer_out
from services.commissioning.outbox import service as outbox
from services.commissioning.standing.service import Standings, usable
from shared.auth import Principal, Role, require_role
from shared.concurrency import etag_for, versions_named
from shared.db import Database, touch
from shared.errors import Conflict, Forbidden, NotFound, ProblemError
from shared.idempotency import KeyedWrite
from shared.schemas import utc_iso

T = TypeVar("T")
F = TypeVar("F")  # the facts a write is decided on
D = TypeVar("D")  # what the decision found
R = TypeVar("R")  # what the write returns

NotVerified = decisions.NotVerified  # the refusal's class, where the routes document it


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
        **({"grant": content.grant.model_dump(mode="json")} if content.grant is not None else {}),
    }
    return hashlib.sha256(orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)).hexdigest()


def revised_content(
    call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID, data: OfferContent, grant: dict[str, Any] | None
) -> dict[str, Any]:
    """What an offer's content is written as (`grant`: its UDPP offer with the totals decided), with its receipt's
    hash."""
    return {
        "total_price_grosze": data.total_price_grosze,
        "quantity": data.quantity,
        "answers": dict(data.answers),
        "grant_offer": grant,
        "content_hash": content_hash(call_id, lot_id, provider_id, data),
    }


def _submitted_content(
    call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID, decided: decisions.Submitted, data: OfferIn
) -> dict[str, Any]:
    return {
        "provider_name": decided.provider.name,
        "provider_nip": decided.provider.nip,
        **revised_content(call_id, lot_id, provider_id, data, decided.grant),
    }


def _decided(decide: Callable[[], T]) -> T:
    """A decision on facts the full path gathered fresh: a standing still stale (the catalogue answered slower
    than the bound) is the catalogue's fault, not the caller's."""
    try:
        return decide()
    except decisions.StaleStanding:
        raise CatalogueUnavailable(
            "The provider's standing could not be confirmed by the catalogue in time; nothing was saved, retry.",
            pl="Katalog nie potwierdził na czas statusu podmiotu; niczego nie zapisano, spróbuj ponownie.",
        ) from None


async def submit(
    session: AsyncSession,
    standings: Standings,
    *,
    principal: Principal,
    now_of: Callable[[], datetime],
    call_id: uuid.UUID,
    data: OfferIn,
) -> Offer:
    """The full path of a submission, in the request's unit of work: the standing made fresh first (the catalogue
    asked with no lock held), then the call locked shared and read as it is now, and the clock read under it, so
    an offer accepted here always comes before the opening at the deadline."""
    provider_id = acting_provider(principal, data.provider_id)
    standing = await standings.fresh(session, provider_id, now_of)
    call, lot = await calls_repo.visible_with_lot(session, call_id, data.lot_id, principal, lock_call=True)
    now = now_of()
    repeats = await repeat_awards(session, call, provider_id, [lot.service_type_id], now_of) if call and lot else 0
    decided = _decided(
        lambda: decisions.submission(
            call_id=call_id,
            call=call,
            lot_id=lot.id if lot else None,
            standing=standing,
            data=data,
            now=now,
            bound=standings.bound,
            repeat_awards=repeats,
        )
    )
    assert call is not None and lot is not None  # decided
    await small_grant_cap(
        session,
        call,
        provider_id=provider_id,
        amount_grosze=data.total_price_grosze,
        at=now,
        field="total_price_grosze",
    )
    content = _submitted_content(call.id, lot.id, provider_id, decided, data)
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
    return offer


class _FullPath(Exception):
    """What the facts at hand do not settle: the full path decides, and says why if it refuses."""


async def _settled(
    cached: F | None,
    read: Callable[[], Awaitable[F | None]],
    decide: Callable[[F], D],
    write: Callable[[F, D], Awaitable[R | None]],
) -> R | None:
    """A write the facts at hand settle: decided on the facts this process keeps, or read afresh (at once when
    none are kept, or when the kept ones are refused: they may be stale). A refusal on facts read afresh is the
    answer; facts that cannot settle it (a standing older than the bound, a mode that reads past awards), or a
    write whose facts changed meanwhile, leave it to the full path (None), which asks the catalogue if need be."""
    facts = cached
    for _ in range(2):
        fresh = facts is None
        if facts is None and (facts := await read()) is None:
            return None
        try:
            decided = decide(facts)
        except _FullPath:
            return None
        except decisions.StaleStanding:
            if fresh:
                return None  # the full path asks the catalogue
        except ProblemError:
            if fresh:
                raise
        else:
            return await write(facts, decided)
        facts = None  # the kept facts may be stale: read them
    return None


async def submit_at_once(
    database: Database,
    known: KnownOffers,
    keyed: KeyedWrite | None,
    *,
    standings: Standings,
    principal: Principal,
    now_of: Callable[[], datetime],
    call_id: uuid.UUID,
    data: OfferIn,
) -> OfferRow | None:
    """A first offer in one statement, decided by `decisions.submission` on the facts this process keeps (or read
    afresh), and written with its Idempotency-Key's answered record only while those facts still hold. None: the
    full path decides (the provider has an offer for the lot, the key was used, the facts changed...); a refusal
    on facts read afresh is raised."""
    if principal.role is not Role.PROVIDER:
        return None
    try:
        provider_id = acting_provider(principal, data.provider_id)
    except ProblemError:
        return None  # perhaps a member by the catalogue's word, which the route asks for
    # The clock read once, as the request is taken: the write holds only while the call is at the version decided
    # on, so the opening at the deadline (which changes it) either comes after it and counts it, or refuses it.
    now, bound = now_of(), standings.bound
    await standings.read_if_stale(provider_id, now)
    async with database.statement() as driver:

        async def read() -> SubmissionFacts | None:
            found = await repository.submission_facts(driver, call_id, data.lot_id, provider_id)
            if found is None:
                return None  # no such published call: the full path says so
            call, service_type_id, told_version = found
            facts = SubmissionFacts(call, service_type_id, known.held.get(provider_id), told_version)
            known.keep_submission_facts(data.lot_id, facts)
            return facts

        def decide(facts: SubmissionFacts) -> decisions.Submitted:
            if needs_past_awards(facts.call) or not usable(facts.standing, facts.told_version):
                raise _FullPath  # the full path counts the past awards, or asks the catalogue
            return decisions.submission(
                call_id=call_id,
                call=facts.call,
                lot_id=data.lot_id if facts.lot_service_type_id else None,
                standing=facts.standing,
                data=data,
                now=now,
                bound=bound,
                repeat_awards=0,
            )

        async def write(facts: SubmissionFacts, decided: decisions.Submitted) -> OfferRow | None:
            assert facts.standing is not None  # decided on it
            content = _submitted_content(facts.call.id, data.lot_id, provider_id, decided, data)
            values = repository.submission_values(
                call_id=facts.call.id, lot_id=data.lot_id, provider_id=provider_id, now=now, content=content
            )
            new = OfferRow(**values, status=OfferStatus.SUBMITTED.value, version=1)
            answer = (
                keyed.record_parameters(201, offer_out(new).model_dump(mode="json"), offer_headers(new))
                if keyed is not None
                else None
            )
            offer = await repository.submit_if_unchanged(
                driver, values=values, call_version=facts.call.version, standing=facts.standing, answer=answer
            )
            if offer is None:
                known.forget_call(call_id)  # perhaps stale: read again next time
            return offer

        offer = await _settled(known.submission_facts(call_id, data.lot_id, provider_id), read, decide, write)
    if offer is not None:
        known.remember(offer, known.call(call_id))
    return offer


def submission_route(call_id: uuid.UUID) -> str:
    """The operation an Idempotency-Key of a submission is kept under."""
    return f"POST /v1/calls/{call_id}/offers"


def offer_headers(offer: Offer | OfferRow) -> dict[str, str]:
    """A written offer's answer headers: where it is, and its version."""
    return {"Location": f"/v1/offers/{offer.id}", "ETag": etag_for(offer.version)}


async def _own_offer_for_write(
    session: AsyncSession, principal: Principal, offer_id: uuid.UUID
) -> tuple[Offer, Call, OfferFacts]:
    """The caller's offer, locked for the write, and its call, locked shared (one round trip: the burst at a
    deadline is made of these)."""
    require_role(principal, Role.PROVIDER)
    found = await repository.locked_with_call(session, offer_id)
    if found is None or not principal.acts_for_provider(found[0].provider_id):
        raise NotFound(
            f"Offer {offer_id} does not exist or is not yours.",
            pl=f"Oferta {offer_id} nie istnieje lub nie jest Twoja.",
        )
    offer, call = found
    facts = OfferFacts(offer.id, offer.call_id, offer.lot_id, offer.provider_id, offer.version, offer.status)
    return offer, call, facts


async def _standing_for(
    session: AsyncSession,
    standings: Standings,
    principal: Principal,
    offer_id: uuid.UUID,
    now_of: Callable[[], datetime],
) -> Standing | None:
    """The standing of the provider of the caller's offer, made fresh before any lock is taken (the catalogue may
    be asked); the offer is found again, locked, after."""
    offer = await session.get(Offer, offer_id)
    if offer is None or not principal.acts_for_provider(offer.provider_id):
        return None  # refused as not found under the lock
    return await standings.fresh(session, offer.provider_id, now_of)


async def revise(
    session: AsyncSession,
    standings: Standings,
    *,
    principal: Principal,
    now_of: Callable[[], datetime],
    offer_id: uuid.UUID,
    data: OfferContent,
    if_match: str | None,
) -> Offer:
    """The full path of a revision, in the request's unit of work."""
    standing = await _standing_for(session, standings, principal, offer_id, now_of)
    offer, call, facts = await _own_offer_for_write(session, principal, offer_id)
    now = now_of()
    grant = _decided(
        lambda: decisions.revision(
            offer=facts, call=call, standing=standing, data=data, if_match=if_match, now=now, bound=standings.bound
        )
    )
    for name, value in revised_content(call.id, offer.lot_id, offer.provider_id, data, grant).items():
        setattr(offer, name, value)
    offer.status, offer.submitted_at = OfferStatus.SUBMITTED.value, now
    touch(offer)  # a new receipt, even for the same content
    await session.flush()
    return offer


async def revise_at_once(
    database: Database,
    known: KnownOffers,
    *,
    standings: Standings,
    principal: Principal,
    now_of: Callable[[], datetime],
    offer_id: uuid.UUID,
    data: OfferContent,
    if_match: str | None,
) -> OfferRow | None:
    """A revision in one statement, decided by `decisions.revision` on the facts this process keeps (or read
    afresh: one more statement), written only while they still hold. None: the full path decides; a refusal on
    facts read afresh is raised."""
    if principal.role is not Role.PROVIDER:
        return None
    kept = known.revision_facts(offer_id)
    author = kept.offer.provider_id if kept is not None else principal.provider_id
    now, bound = now_of(), standings.bound  # read once, as the request is taken (see submit_at_once)
    if author is not None:
        await standings.read_if_stale(author, now)
    async with database.statement() as driver:

        async def read() -> RevisionFacts | None:
            found = await repository.revision_facts(driver, offer_id)
            if found is None or not principal.acts_for_provider(found[0].provider_id):
                return None  # not found, or not the caller's: the full path says so
            offer, call, told_version = found
            facts = RevisionFacts(offer, call, known.held.get(offer.provider_id), told_version)
            known.keep_revision_facts(facts)
            return facts

        def decide(facts: RevisionFacts) -> dict[str, Any] | None:
            if not principal.acts_for_provider(facts.offer.provider_id):
                raise _FullPath
            if not usable(facts.standing, facts.told_version):
                raise _FullPath
            return decisions.revision(
                offer=facts.offer,
                call=facts.call,
                standing=facts.standing,
                data=data,
                if_match=if_match,
                now=now,
                bound=bound,
            )

        async def write(facts: RevisionFacts, grant: dict[str, Any] | None) -> OfferRow | None:
            offer = facts.offer
            assert facts.standing is not None  # decided on it
            revised = await repository.revise_if_unchanged(
                driver,
                offer=offer,
                call_version=facts.call.version,
                standing=facts.standing,
                now=now,
                content=revised_content(offer.call_id, offer.lot_id, offer.provider_id, data, grant),
            )
            if revised is None:
                known.forget_offer(offer_id)
            return revised

        revised = await _settled(_as_named(known.revision_facts(offer_id), if_match), read, decide, write)
    if revised is not None:
        known.remember(revised, known.call(revised.call_id))
    return revised


def _as_named(kept: RevisionFacts | None, if_match: str | None) -> RevisionFacts | None:
    """Kept facts, with the offer at the one version the caller names (another process may have written it since
    this one did): the write checks that it is at that version, in the status kept."""
    named = versions_named(if_match) if if_match and "," not in if_match else None
    if kept is None or not named or len(named) != 1:
        return kept
    return replace(kept, offer=replace(kept.offer, version=next(iter(named))))


async def confirm(
    session: AsyncSession,
    standings: Standings,
    *,
    principal: Principal,
    now_of: Callable[[], datetime],
    offer_id: uuid.UUID,
) -> Offer:
    """After an amendment: the author confirms its offer stands under the amended call."""
    standing = await _standing_for(session, standings, principal, offer_id, now_of)
    offer, call, facts = await _own_offer_for_write(session, principal, offer_id)
    now = now_of()
    _decided(lambda: decisions.confirmation(offer=facts, call=call, standing=standing, now=now, bound=standings.bound))
    offer.status, offer.submitted_at = OfferStatus.SUBMITTED.value, now
    touch(offer)
    await session.flush()
    return offer


async def withdraw(
    session: AsyncSession,
    *,
    principal: Principal,
    now_of: Callable[[], datetime],
    offer_id: uuid.UUID,
    if_match: str | None,
) -> Offer:
    offer, call, facts = await _own_offer_for_write(session, principal, offer_id)
    decisions.withdrawal(offer=facts, call=call, if_match=if_match, now=now_of())
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
