"""Committee rules: members are assigned by the municipality; after the deadline each declares per bidder; a
declared conflict excludes them from that bidder's offers; formal check, then merit scores, then the ranking."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.access import acts_for_municipality
from services.commissioning.calls import repository as calls_repo
from services.commissioning.calls import service as calls
from services.commissioning.calls.events import deadline_passed
from services.commissioning.evaluation import repository
from services.commissioning.evaluation.ranking import OfferFacts, Ranked, Sheet, rank
from services.commissioning.evaluation.schemas import DeclarationIn, FormalCheckIn, MemberIn, ScoresIn
from services.commissioning.models.calls import Call, Lot
from services.commissioning.models.evaluation import CommitteeMember, Declaration, FormalCheck, ScoreSheet
from services.commissioning.models.offers import Offer, OfferStatus
from services.commissioning.offers import repository as offers_repo
from services.commissioning.offers import service as offers
from shared.auth import Principal, Role
from shared.concurrency import check_if_match
from shared.errors import Conflict, Forbidden, NotFound, PreconditionRequired, ValidationProblem
from shared.schemas import utc_iso


async def add_member(
    session: AsyncSession, *, principal: Principal, now: datetime, call_id: uuid.UUID, data: MemberIn
) -> CommitteeMember:
    call = await calls.for_owner(session, principal, call_id)
    if call.published_at is None:
        raise Conflict(
            "Publish the call before appointing its committee.",
            pl="Opublikuj ogłoszenie przed powołaniem komisji.",
        )
    member = CommitteeMember(
        call_id=call.id, subject=data.subject, name=data.name, nominated_by=data.nominated_by, assigned_at=now
    )
    session.add(member)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            f"{data.subject} is already on this committee.", pl=f"{data.subject} jest już członkiem tej komisji."
        ) from exc
    return member


async def member_of(session: AsyncSession, call_id: uuid.UUID, principal: Principal | None) -> CommitteeMember | None:
    if principal is None or principal.role is not Role.EVALUATOR:
        return None
    return await repository.member(session, call_id, principal.subject)


async def evaluation_access(
    session: AsyncSession, principal: Principal, call_id: uuid.UUID, now: datetime
) -> tuple[Call, CommitteeMember | None]:
    """The call's municipality, or a member of its committee; only after the deadline (before it, nothing is
    revealed: 404 for outsiders, 403 for the municipality and members)."""
    call = await session.get(Call, call_id)
    member = await member_of(session, call_id, principal) if call else None
    owner = call is not None and acts_for_municipality(principal, call.municipality_terc)
    if call is None or not (owner or member):
        raise NotFound(
            f"Call {call_id} does not exist or you are not on its committee.",
            pl=f"Ogłoszenie {call_id} nie istnieje lub nie jesteś członkiem jego komisji.",
        )
    if not deadline_passed(call, now):
        raise Forbidden(
            f"Offers are sealed until the deadline ({utc_iso(call.deadline)}).",
            pl=f"Oferty pozostają zapieczętowane do upływu terminu składania ofert ({utc_iso(call.deadline)}).",
        )
    return call, member


async def committee(session: AsyncSession, principal: Principal, call_id: uuid.UUID) -> list[CommitteeMember]:
    """The call's committee, for its municipality and its members."""
    call = await session.get(Call, call_id)
    if call is None or not (
        acts_for_municipality(principal, call.municipality_terc) or await member_of(session, call_id, principal)
    ):
        raise NotFound(
            f"Call {call_id} does not exist or you are not on its committee.",
            pl=f"Ogłoszenie {call_id} nie istnieje lub nie jesteś członkiem jego komisji.",
        )
    return await members(session, call_id)


async def members(session: AsyncSession, call_id: uuid.UUID) -> list[CommitteeMember]:
    return list(await repository.members(session, call_id))


async def bidders(
    session: AsyncSession, call_id: uuid.UUID, readable: set[uuid.UUID] | None = None
) -> list[dict[str, Any]]:
    """Who bid, on which lots; offer ids only of the bidders in `readable` (None: all)."""
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for offer in await offers_repo.of_call(session, call_id, include_withdrawn=False):
        entry = found.setdefault(
            offer.provider_id,
            {"provider_id": offer.provider_id, "provider_name": offer.provider_name, "lots": [], "offer_ids": []},
        )
        entry["lots"].append(offer.lot_id)
        if readable is None or offer.provider_id in readable:
            entry["offer_ids"].append(offer.id)
    return list(found.values())


async def cleared_bidders(session: AsyncSession, member: CommitteeMember) -> set[uuid.UUID]:
    """The bidders a member declared no conflict with: the only ones whose offers it reads."""
    return {d.provider_id for d in await repository.declarations_of(session, [member.id]) if not d.conflict}


async def bidders_for(
    session: AsyncSession, principal: Principal, call_id: uuid.UUID, now: datetime
) -> list[dict[str, Any]]:
    _, member = await evaluation_access(session, principal, call_id, now)
    return await bidders(session, call_id, await cleared_bidders(session, member) if member else None)


async def readable_offer(session: AsyncSession, principal: Principal, offer_id: uuid.UUID, now: datetime) -> Offer:
    """Its provider always; after the deadline the municipality, and members cleared of conflict with its bidder."""
    if principal.role is Role.EVALUATOR:
        found = await session.get(Offer, offer_id)
        call = await session.get(Call, found.call_id) if found else None
        if call is None or not deadline_passed(call, now):  # sealed: not even whether it exists
            raise NotFound(
                f"Offer {offer_id} does not exist or is sealed until the deadline.",
                pl=f"Oferta {offer_id} nie istnieje albo jest zapieczętowana do upływu terminu składania ofert.",
            )
        _, offer, _ = await offer_for_evaluation(session, principal, offer_id, now)
        return offer
    return await offers.readable(session, principal, offer_id, now)


async def call_of(session: AsyncSession, offer: Offer) -> Call:
    call = await session.get(Call, offer.call_id)
    assert call is not None  # an offer's call is kept as long as it
    return call


async def offers_of_call(session: AsyncSession, principal: Principal, call_id: uuid.UUID, now: datetime) -> list[Offer]:
    if principal.role is Role.EVALUATOR:
        call, member = await evaluation_access(session, principal, call_id, now)
        assert member is not None  # evaluation_access admits an evaluator only as a member
        cleared = await cleared_bidders(session, member)
        return [
            o for o in await offers_repo.of_call(session, call.id, include_withdrawn=False) if o.provider_id in cleared
        ]
    return await offers.of_call(session, principal, call_id, now)


async def declare(
    session: AsyncSession, *, principal: Principal, now: datetime, call_id: uuid.UUID, data: DeclarationIn
) -> Declaration:
    return (await declare_all(session, principal=principal, now=now, call_id=call_id, data=[data], batch=False))[0]


async def declare_all(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    call_id: uuid.UUID,
    data: list[DeclarationIn],
    batch: bool = True,
) -> list[Declaration]:
    """A member's declarations, one per bidder, all or nothing: one refused, none is kept."""
    _, member = await evaluation_access(session, principal, call_id, now)
    if member is None:
        raise Forbidden(
            "Declarations are made by committee members (role evaluator).",
            pl="Oświadczenia składają członkowie komisji (rola evaluator).",
        )
    bidder_ids = {b["provider_id"] for b in await bidders(session, call_id)}
    declared = {d.provider_id for d in await repository.declarations_of(session, [member.id])}
    seen: set[uuid.UUID] = set()
    for i, item in enumerate(data):
        field = f"{i}.provider_id" if batch else "provider_id"
        if item.provider_id not in bidder_ids:
            raise ValidationProblem.field(
                field, "not a bidder in this call", pl="nie jest oferentem w tym postępowaniu"
            )
        if item.provider_id in seen:
            raise ValidationProblem.field(field, "listed twice", pl="podany dwukrotnie")
        if item.provider_id in declared:
            raise Conflict(
                "You already declared for this bidder; a declaration cannot be changed.",
                pl="Złożono już oświadczenie wobec tego oferenta; oświadczenia nie można zmienić.",
            )
        seen.add(item.provider_id)
    made = [
        Declaration(
            member_id=member.id,
            provider_id=item.provider_id,
            conflict=item.conflict,
            statement=item.statement,
            declared_at=now,
        )
        for item in data
    ]
    session.add_all(made)
    try:
        await session.flush()
    except IntegrityError as exc:  # the same member declaring at the same moment
        raise Conflict(
            "You already declared for this bidder; a declaration cannot be changed.",
            pl="Złożono już oświadczenie wobec tego oferenta; oświadczenia nie można zmienić.",
        ) from exc
    return made


async def committees_of(session: AsyncSession, principal: Principal) -> list[tuple[CommitteeMember, Call]]:
    """The committees an evaluator sits on, with their calls."""
    if principal.role is not Role.EVALUATOR:
        raise Forbidden(
            "Committees are for evaluators (role evaluator).",
            pl="Komisje są dla członków komisji (rola evaluator).",
        )
    return list(await repository.committees_of(session, principal.subject))


async def _declaration(session: AsyncSession, member: CommitteeMember, provider_id: uuid.UUID) -> Declaration | None:
    return await repository.declaration(session, member.id, provider_id)


async def offer_for_evaluation(
    session: AsyncSession, principal: Principal, offer_id: uuid.UUID, now: datetime
) -> tuple[Call, Offer, CommitteeMember | None]:
    """The offer, for the municipality, or for a member who declared no conflict with its provider."""
    offer = await session.get(Offer, offer_id)
    if offer is None or offer.status == OfferStatus.WITHDRAWN.value:
        raise NotFound(
            f"Offer {offer_id} does not exist or is sealed.",
            pl=f"Oferta {offer_id} nie istnieje albo jest zapieczętowana.",
        )
    call, member = await evaluation_access(session, principal, offer.call_id, now)
    if member is not None:
        declaration = await _declaration(session, member, offer.provider_id)
        if declaration is None:
            raise Forbidden(
                "Declare whether you have a conflict of interest with this bidder first.",
                pl="Najpierw złóż oświadczenie o braku (lub istnieniu) konfliktu interesów wobec tego oferenta.",
            )
        if declaration.conflict:
            raise Forbidden(
                "You declared a conflict of interest with this bidder: you are excluded from its offers.",
                pl="Zadeklarowano konflikt interesów wobec tego oferenta: podlegasz wyłączeniu z oceny jego ofert.",
            )
    return call, offer, member


async def formal_check(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    offer_id: uuid.UUID,
    data: FormalCheckIn,
    if_match: str | None,
) -> FormalCheck:
    _, offer, member = await offer_for_evaluation(session, principal, offer_id, now)
    if member is not None:
        raise Forbidden(
            "The municipality records formal checks; members score on merit.",
            pl="Ocenę formalną wpisuje gmina; członkowie komisji dokonują oceny merytorycznej.",
        )
    if not data.passed and not data.reasons:
        raise ValidationProblem.field(
            "reasons",
            "give the reasons an offer fails the formal check",
            pl="podaj przyczyny negatywnej oceny formalnej oferty",
        )
    check = await session.get(FormalCheck, offer.id, with_for_update=True)
    if check is None:
        check = FormalCheck(offer_id=offer.id)
        session.add(check)
    else:
        check_if_match(if_match, check.version)
    check.passed, check.reasons = data.passed, list(data.reasons)
    check.checked_by, check.checked_at = f"{principal.role.value}:{principal.subject}", now
    await session.flush()
    return check


async def save_scores(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    offer_id: uuid.UUID,
    data: ScoresIn,
    if_match: str | None,
) -> tuple[ScoreSheet, bool]:
    call, offer, member = await offer_for_evaluation(session, principal, offer_id, now)
    if member is None:
        raise Forbidden(
            "Merit scores are given by committee members (role evaluator).",
            pl="Oceny merytoryczne wystawiają członkowie komisji (rola evaluator).",
        )
    check = await session.get(FormalCheck, offer.id)
    if check is None or not check.passed:
        raise Conflict(
            "Only offers that passed the formal check are scored on merit.",
            pl="Ocenie merytorycznej podlegają tylko oferty, które przeszły ocenę formalną.",
        )
    merit = {c["code"] for c in call.criteria if c["kind"] != "price"}
    unknown = sorted(set(data.scores) - merit)
    if unknown:
        raise ValidationProblem.field(
            "scores",
            f"not merit criteria of this call: {unknown} (merit: {sorted(merit)})",
            pl=f"to nie są kryteria merytoryczne tego postępowania: {unknown} (merytoryczne: {sorted(merit)})",
        )
    sheet = await repository.sheet_for_update(session, member.id, offer.id)
    created = sheet is None
    if sheet is None:
        sheet = ScoreSheet(member_id=member.id, offer_id=offer.id, scores={})
        session.add(sheet)
    elif if_match is None:
        raise PreconditionRequired(
            "Your sheet exists: send If-Match with its ETag to change it.",
            pl="Twoja karta oceny już istnieje: aby ją zmienić, wyślij If-Match z jej ETagiem.",
        )
    else:
        check_if_match(if_match, sheet.version)
    sheet.scores = {**sheet.scores, **{k: v.model_dump() for k, v in data.scores.items()}}
    try:
        await session.flush()
    except IntegrityError as exc:  # the same member's two first saves at once
        raise Conflict(
            "Your sheet was created at the same moment; read it and retry with If-Match.",
            pl="Twoja karta oceny powstała w tej samej chwili; odczytaj ją i ponów z If-Match.",
        ) from exc
    return sheet, created


async def sheets_for(
    session: AsyncSession, principal: Principal, offer_id: uuid.UUID, now: datetime
) -> list[ScoreSheet]:
    _, offer, member = await offer_for_evaluation(session, principal, offer_id, now)
    return list(await repository.sheets(session, [offer.id], member_id=member.id if member else None))


async def lot_ranking(session: AsyncSession, call: Call, lot: Lot) -> list[Ranked]:
    offers = [o for o in await offers_repo.of_call(session, call.id, include_withdrawn=False) if o.lot_id == lot.id]
    ids = [o.id for o in offers]
    checks = {c.offer_id: c for c in await repository.formal_checks(session, ids)}
    sheets = await repository.sheets(session, ids)
    member_ids = {m.id for m in await members(session, call.id)}
    conflicts = {
        (str(d.member_id), str(d.provider_id))
        for d in await repository.declarations_of(session, member_ids)
        if d.conflict
    }
    facts = [
        OfferFacts(
            str(o.id),
            str(o.provider_id),
            o.provider_name,
            o.total_price_grosze,
            checks[o.id].passed if o.id in checks else None,
            tuple(checks[o.id].reasons) if o.id in checks else ("not checked yet",),
        )
        for o in offers
    ]
    return rank(call.criteria, facts, [Sheet(str(s.member_id), str(s.offer_id), s.scores) for s in sheets], conflicts)


async def ranking_for(
    session: AsyncSession, principal: Principal, *, call_id: uuid.UUID, lot_id: uuid.UUID, now: datetime
) -> list[Ranked]:
    """The lot's ranking for the municipality; a member sees only the bidders it declared no conflict with
    (nothing of a bidder it is excluded from, not its price, not its points)."""
    call, member = await evaluation_access(session, principal, call_id, now)
    lot = await calls_repo.lot(session, call.id, lot_id)
    if lot is None:
        raise NotFound(f"Lot {lot_id} is not in this call.", pl=f"Część {lot_id} nie należy do tego postępowania.")
    ranked = await lot_ranking(session, call, lot)
    if member is None:
        return ranked
    cleared = {str(provider_id) for provider_id in await cleared_bidders(session, member)}
    return [entry for entry in ranked if entry.provider_id in cleared]
