"""Award decisions: a lot is decided once, under the call's lock; each winner's contract is created in the same
transaction, and may be signed by the parties when the standstill ends."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.commissioning.calls import repository as calls_repo
from services.commissioning.calls import service as calls
from services.commissioning.calls.eligibility import small_grant_cap
from services.commissioning.calls.events import effective_status, perform_due
from services.commissioning.catalogue_client import CatalogueUnavailable
from services.commissioning.contracts import repository
from services.commissioning.contracts.schemas import DecisionIn
from services.commissioning.evaluation.service import lot_ranking
from services.commissioning.models.calls import Award, Call, CallEvent, CallHistory, CallStatus, Lot
from services.commissioning.models.contracts import AwardDecision, Contract, ContractStatus, OfferComment
from services.commissioning.models.offers import Offer
from services.commissioning.models.outbox import EventType
from services.commissioning.models.standing import Standing
from services.commissioning.offers.decisions import Admitted, StaleStanding, award_winner
from services.commissioning.outbox import service as outbox
from services.commissioning.rules.modes import Mode, rules_version
from services.commissioning.standing.service import Standings
from shared.auth import Principal
from shared.db import touch
from shared.errors import Conflict, NotFound, ValidationProblem
from shared.money import format_pln


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


async def winners_standing(
    session: AsyncSession,
    standings: Standings,
    *,
    principal: Principal,
    call_id: uuid.UUID,
    data: DecisionIn,
    now_of: Callable[[], datetime],
) -> dict[uuid.UUID, Standing]:
    """Each named winner's standing, made fresh (the catalogue asked if need be) before the decision takes the
    call's lock (a slow catalogue must not hold the call)."""
    await calls.for_owner(session, principal, call_id, lock=False)  # only the call's municipality asks
    offers = [await session.get(Offer, winner.offer_id) for winner in data.winners]
    providers = sorted({offer.provider_id for offer in offers if offer is not None and offer.call_id == call_id})
    return await standings.fresh_all(session, providers, now_of) if providers else {}


async def _quantities(session: AsyncSession, data: DecisionIn, lot: Lot) -> list[int]:
    """Units each winner is awarded: at most what it offered; together, at most the lot's quantity."""
    quantities = []
    for i, winner in enumerate(data.winners):
        offer = await session.get(Offer, winner.offer_id)
        offered = offer.quantity if offer else 0
        quantity = winner.quantity or offered
        if quantity > offered:
            raise ValidationProblem.field(
                f"winners.{i}.quantity",
                f"more than the {offered} units the offer offered",
                pl=f"więcej niż {offered} jednostek zaoferowanych w ofercie",
            )
        quantities.append(quantity)
    if len(quantities) > 1 and sum(quantities) > lot.quantity:
        raise ValidationProblem.field(
            "winners",
            f"the winners' {sum(quantities)} units exceed the lot's {lot.quantity} {lot.unit}",
            pl=f"{sum(quantities)} jednostek wybranych ofert przekracza {lot.quantity} ({lot.unit}) tej części",
        )
    return quantities


def _admitted(standing: Standing | None, now: datetime, bound: timedelta, field: str) -> Admitted:
    try:
        return award_winner(standing, now, bound, field)
    except StaleStanding:  # the decision waited longer than the bound for the call's lock
        raise CatalogueUnavailable(
            "The winners' standing could not be confirmed in time; nothing was saved, retry.",
            pl="Nie potwierdzono na czas statusu wybranych podmiotów; niczego nie zapisano, spróbuj ponownie.",
        ) from None


def contract_for(award: Award, call: Call, now: datetime) -> Contract:
    """The contract an award makes, waiting for the standstill to end; schedules from the call's period."""
    return Contract(
        award_id=award.id,
        call_id=call.id,
        lot_id=award.lot_id,
        provider_id=award.provider_id,
        provider_name=award.provider_name,
        municipality_terc=call.municipality_terc,
        value_grosze=award.value_grosze,
        quantity=award.quantity,
        period_start=call.period_start,
        period_end=call.period_end,
        status=ContractStatus.STANDSTILL.value,
        payment_schedule=payment_schedule(award.value_grosze, call.period_start, call.period_end),
        reporting_schedule=reporting_schedule(call.period_start, call.period_end),
        created_at=now,
        updated_at=now,
    )


async def decide(
    session: AsyncSession,
    *,
    principal: Principal,
    now: datetime,
    call_id: uuid.UUID,
    lot_id: uuid.UUID,
    data: DecisionIn,
    standstill_days: int,
    standing: Mapping[uuid.UUID, Standing],
    bound: timedelta,
) -> tuple[AwardDecision, list[tuple[Award, Contract]]]:
    """Decide a lot once: `standing` is what `winners_standing` found for the named winners, fresh within
    `bound`."""
    call = await calls.for_owner(session, principal, call_id)  # the call's row lock serialises decisions
    await perform_due(session, call, now)  # an opening the worker has not performed yet
    if effective_status(call, now) is not CallStatus.EVALUATION:
        raise Conflict(
            f"The call is {effective_status(call, now).value}: lots are decided during evaluation.",
            pl=f"Ogłoszenie ma status {effective_status(call, now).value}: o częściach rozstrzyga się w trakcie oceny.",
        )
    lot = await calls_repo.lot(session, call.id, lot_id)
    if lot is None:
        raise NotFound(f"Lot {lot_id} is not in this call.", pl=f"Część {lot_id} nie należy do tego postępowania.")
    if await repository.lot_is_decided(session, lot.id):
        raise Conflict(
            f"Lot {lot.number} is already decided: a lot is awarded once.",
            pl=f"O części {lot.number} już rozstrzygnięto: część rozstrzyga się raz.",
        )
    ranking = await lot_ranking(session, call, lot)
    by_offer = {r.offer_id: r for r in ranking}
    offer_ids = [str(w.offer_id) for w in data.winners]
    if len(set(offer_ids)) != len(offer_ids):
        raise ValidationProblem.field("winners", "an offer is listed twice", pl="oferta podana dwukrotnie")
    if len(offer_ids) > 1 and call.mode != Mode.OPEN_COMPETITION.value:
        raise ValidationProblem.field(
            "winners",
            "only an open competition splits a lot among several winners",
            pl="tylko w otwartym konkursie ofert część można podzielić między kilka ofert",
        )
    for i, offer_id in enumerate(offer_ids):
        entry = by_offer.get(offer_id)
        if entry is None or not entry.formal_passed:
            raise ValidationProblem.field(
                f"winners.{i}.offer_id",
                "not a formally passed offer of this lot",
                pl="to nie jest oferta tej części oceniona pozytywnie pod względem formalnym",
            )
    admitted = [
        _admitted(standing.get(uuid.UUID(by_offer[offer_id].provider_id)), now, bound, f"winners.{i}.offer_id")
        for i, offer_id in enumerate(offer_ids)
    ]
    values = [w.value_grosze or by_offer[str(w.offer_id)].total_price_grosze for w in data.winners]
    quantities = await _quantities(session, data, lot)
    if len(values) > 1 and sum(values) > lot.value_grosze:
        raise ValidationProblem.field(
            "winners",
            f"the awards ({format_pln(sum(values))}) exceed the lot's funds ({format_pln(lot.value_grosze)})",
            pl=f"przyznane kwoty ({format_pln(sum(values))}) przekraczają środki tej części "
            f"({format_pln(lot.value_grosze)})",
        )
    for i, (winner, value) in enumerate(zip(data.winners, values, strict=True)):
        provider_id = uuid.UUID(by_offer[str(winner.offer_id)].provider_id)
        await small_grant_cap(
            session, call, provider_id=provider_id, amount_grosze=value, at=now, field=f"winners.{i}.value_grosze"
        )
    # The contract waits for the standstill, and where the mode publishes the winning offer for comments (a small
    # grant: 7 days, UDPP art. 19a), for that period too.
    comment_days = rules_version(call.rules_version).get(Mode(call.mode)).offer_comment_days or 0
    standstill_until = now + timedelta(days=max(standstill_days, comment_days))
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
        raise Conflict(
            f"Lot {lot.number} is already decided: a lot is awarded once.",
            pl=f"O części {lot.number} już rozstrzygnięto: część rozstrzyga się raz.",
        ) from exc
    made: list[tuple[Award, Contract]] = []
    for winner, value, quantity, provider in zip(data.winners, values, quantities, admitted, strict=True):
        entry = by_offer[str(winner.offer_id)]
        award = Award(
            call_id=call.id,
            lot_id=lot.id,
            decision_id=decision.id,
            offer_id=winner.offer_id,
            provider_id=uuid.UUID(entry.provider_id),
            provider_name=entry.provider_name,
            provider_nip=provider.nip or None,
            is_pes=provider.facts.is_pes,
            municipality_terc=call.municipality_terc,
            mode=call.mode,
            service_type_id=lot.service_type_id,
            value_grosze=value,
            quantity=quantity,
            awarded_at=now,
        )
        session.add(award)
        await session.flush()
        contract = contract_for(award, call, now)
        session.add(contract)
        made.append((award, contract))
    await session.flush()
    if made and (call.next_event_at is None or call.next_event_at > standstill_until):
        call.next_event, call.next_event_at = CallEvent.END_STANDSTILL.value, standstill_until
    lots = await calls_repo.lots_of(session, [call.id])
    if {lot_.id for lot_ in lots} <= await repository.decided_lots(session, call.id):
        winners = await repository.award_count(session, call.id)
        call.status = (CallStatus.AWARDED if winners else CallStatus.UNSUCCESSFUL).value
    touch(call)  # its published results changed
    session.add(
        CallHistory(
            call_id=call.id,
            kind="awarded" if made else "not-awarded",
            actor=decision.decided_by,
            at=now,
            detail={"lot": lot.number, "winners": [a.provider_name for a, _ in made], "reason": data.reason},
        )
    )
    outbox.call_changed(
        session,
        call,
        EventType.AWARD_DECIDED,
        now,
        lot_id=str(lot.id),
        winners=[
            {
                "provider_id": str(a.provider_id),
                "provider_name": a.provider_name,
                "value_grosze": a.value_grosze,
                "quantity": a.quantity,
                "contract_id": str(c.id),
            }
            for a, c in made
        ],
    )
    await session.flush()
    return decision, made


async def end_standstill(session: AsyncSession, call: Call, now: datetime) -> int:
    """The END_STANDSTILL event: the call's contracts whose standstill ended may now be signed (by the parties:
    the municipality records the number and date, the provider confirms)."""
    due = await repository.contracts_past_standstill(session, call.id, now)
    for contract in due:
        contract.status = ContractStatus.AWAITING_SIGNATURE.value
    if due:
        session.add(
            CallHistory(
                call_id=call.id, kind="standstill-ended", actor="system", at=now, detail={"contracts": len(due)}
            )
        )
    pending = await repository.next_standstill_end(session, call.id)
    call.next_event, call.next_event_at = (CallEvent.END_STANDSTILL.value, pending) if pending else (None, None)
    await session.flush()
    return len(due)


async def results(
    session: AsyncSession, principal: Principal | None, call_id: uuid.UUID
) -> tuple[list[tuple[AwardDecision, list[Award], list[Contract]]], dict[uuid.UUID, Offer]]:
    """The call's decisions, with their winners and contracts (public once the call is), and the winning offers
    the mode publishes (a small grant's, for comments before the contract)."""
    call = await calls.visible(session, principal, call_id)
    decisions = await repository.decisions_of(session, call.id)
    published: dict[uuid.UUID, Offer] = {}
    if rules_version(call.rules_version).get(Mode(call.mode)).offer_comment_days:
        for _, winners, _ in decisions:
            for award in winners:
                offer = await session.get(Offer, award.offer_id) if award.offer_id else None
                if offer is not None:
                    published[offer.id] = offer
    return decisions, published


async def comment_on_offer(
    session: AsyncSession, *, principal: Principal, now: datetime, call_id: uuid.UUID, offer_id: uuid.UUID, text: str
) -> OfferComment:
    """Anyone may comment on an offer the mode publishes, while it is published (before the contract)."""
    call = await calls.visible(session, principal, call_id)
    comment_days = rules_version(call.rules_version).get(Mode(call.mode)).offer_comment_days
    award = await repository.award_of_offer(session, offer_id)
    if not comment_days or award is None or award.call_id != call.id:
        raise NotFound(
            f"Offer {offer_id} is not published for comments in this call.",
            pl=f"Oferta {offer_id} nie jest w tym postępowaniu opublikowana do zgłaszania uwag.",
        )
    decision = await session.get(AwardDecision, award.decision_id) if award.decision_id else None
    if decision is None or now >= decision.standstill_until:
        raise Conflict(
            "The period for comments on this offer is over.", pl="Termin zgłaszania uwag do tej oferty upłynął."
        )
    comment = OfferComment(
        call_id=call.id, offer_id=offer_id, comment=text, author=f"{principal.role.value}:{principal.subject}", at=now
    )
    session.add(comment)
    await session.flush()
    return comment
