"""The rules of a provider's writes to its offers, as plain functions of the facts they are decided on: a call as
the caller may see it, its lot, the offer, the provider's standing and the server's clock. The full path
(`service.submit`, `service.revise`...) and the fast one (`service.submit_at_once`, `service.revise_at_once`)
gather those facts their own way and decide with these; a write then only checks that the facts it was decided on
still hold. Nothing else states these rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from services.commissioning.calls.eligibility import reasons_at
from services.commissioning.calls.service import DeadlinePassed, RuleViolation
from services.commissioning.grants import rules as grants
from services.commissioning.grants.schemas import GrantTerms
from services.commissioning.models.calls import Call, CallStatus
from services.commissioning.models.offers import OfferFacts, OfferStatus
from services.commissioning.models.standing import Standing
from services.commissioning.offers.schemas import OfferContent
from services.commissioning.rules.advisor import ProviderFacts
from services.commissioning.standing.service import barred, is_fresh, verified_facts
from shared.concurrency import check_if_match
from shared.errors import Conflict, NotFound, ProblemError, ValidationProblem
from shared.schemas import utc_iso

ANSWER_LIMIT = 4000  # characters of a text answer


class NotVerified(ProblemError):
    status, slug, title = 403, "provider-not-verified", "The provider is not verified in the catalogue"


class StaleStanding(Exception):
    """The provider's standing is older than the freshness bound (or unknown): read it from the catalogue first."""


@dataclass(frozen=True, slots=True)
class Submitted:
    """A first offer decided: who submits, and the UDPP offer with its totals (None: none)."""

    provider: Admitted
    grant: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class Admitted:
    """A provider that may bid now: its eligibility facts, name and NIP as the catalogue's standing says."""

    facts: ProviderFacts
    name: str
    nip: str


def call_found(call: Call | None, call_id: uuid.UUID) -> Call:
    """The call as the caller may see it (a published one, for a provider)."""
    if call is None:
        raise NotFound(
            f"Call {call_id} does not exist or is not published.",
            pl=f"Ogłoszenie {call_id} nie istnieje lub nie zostało opublikowane.",
        )
    return call


def lot_found(lot_id: uuid.UUID | None) -> uuid.UUID:
    if lot_id is None:
        raise ValidationProblem.field(
            "lot_id", "no such lot in this call", pl="w tym postępowaniu nie ma takiej części"
        )
    return lot_id


def answers_valid(call_criteria: list[dict[str, Any]], content: OfferContent) -> None:
    """An answer to every non-price criterion of the call, and to nothing else."""
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
        if isinstance(value, str) and len(value) > ANSWER_LIMIT:
            raise ValidationProblem.field(f"answers.{code}", "at most 4,000 characters", pl="najwyżej 4000 znaków")


def grant_valid(call: Call, content: OfferContent) -> dict[str, Any] | None:
    """A UDPP offer where the call states its terms of the grant (and nowhere else), with the totals the server
    computes from its cost lines: what is kept with the offer (None: no grant offer)."""
    if not call.grant_terms:
        if content.grant is not None:
            raise ValidationProblem.field(
                "grant",
                "this call states no terms of a grant: send the price and answers only",
                pl="to ogłoszenie nie określa warunków dotacji: podaj tylko cenę i odpowiedzi",
            )
        return None
    if content.grant is None:
        raise ValidationProblem.field(
            "grant",
            "this call asks for the offer as the 2018 template structures it (UDPP art. 14)",
            pl="to ogłoszenie wymaga oferty według wzoru z 2018 r. (art. 14 ustawy o działalności pożytku publicznego)",
        )
    figures = grants.totals(content.grant)
    reasons = grants.beyond_terms(GrantTerms.model_validate(call.grant_terms), figures, content.total_price_grosze)
    if reasons:
        raise RuleViolation(reasons)
    return {"offer": content.grant.model_dump(mode="json"), "totals": figures}


def still_open(call: Call, now: datetime) -> None:
    """Offers are written while the call is open and before its deadline, by the server's clock."""
    if call.status == CallStatus.OPEN.value and now < call.deadline:
        return
    if call.status in (CallStatus.OPEN.value, CallStatus.EVALUATION.value):
        raise DeadlinePassed(
            f"Offers were due by {utc_iso(call.deadline)}; the server's clock says {utc_iso(now)}.",
            pl=f"Termin składania ofert upłynął {utc_iso(call.deadline)}; zegar serwera wskazuje {utc_iso(now)}.",
        )
    raise DeadlinePassed(f"The call is {call.status}.", pl=f"Ogłoszenie ma status {call.status}.")


def admitted(standing: Standing | None, now: datetime, bound: timedelta) -> Admitted:
    """May the provider bid now? Only verified by its regional centre, by a standing read from the catalogue within
    `bound` (None: the catalogue knows no such provider)."""
    if standing is not None and not is_fresh(standing, now, bound):
        raise StaleStanding
    if barred(standing):
        raise NotVerified(
            "The provider is suspended (or rejected) by its regional centre: it may not submit offers.",
            pl="Podmiot jest zawieszony (lub odrzucony) przez regionalny ośrodek polityki społecznej: nie może "
            "składać ofert.",
        )
    found = verified_facts(standing)
    if found is None:
        raise NotVerified(
            "Only providers verified by their regional centre may submit offers.",
            pl="Oferty mogą składać tylko podmioty zweryfikowane przez regionalny ośrodek polityki społecznej.",
        )
    return Admitted(*found)


def submission(
    *,
    call_id: uuid.UUID,
    call: Call | None,
    lot_id: uuid.UUID | None,
    standing: Standing | None,
    data: OfferContent,
    now: datetime,
    bound: timedelta,
    repeat_awards: int,
) -> Submitted:
    """A first offer for a lot (or a withdrawn one submitted again). `repeat_awards`: the provider's awards the
    mode looks back on (art. 361 Pzp), counted by the gatherer where the mode looks back."""
    found = call_found(call, call_id)
    lot_found(lot_id)
    answers_valid(found.criteria, data)
    grant = grant_valid(found, data)
    provider = admitted(standing, now, bound)
    reasons = reasons_at(found, provider.facts, repeat_awards=repeat_awards)
    if reasons:
        raise RuleViolation(reasons)
    still_open(found, now)
    return Submitted(provider, grant)


def _changeable(offer: OfferFacts, if_match: str | None) -> None:
    check_if_match(if_match, offer.version)
    if offer.status == OfferStatus.WITHDRAWN.value:
        raise Conflict("The offer is withdrawn: submit a new one.", pl="Oferta została wycofana: złóż nową.")


def revision(
    *,
    offer: OfferFacts,
    call: Call,
    standing: Standing | None,
    data: OfferContent,
    if_match: str | None,
    now: datetime,
    bound: timedelta,
) -> dict[str, Any] | None:
    """A provider revises its sealed offer: at the version it names, before the deadline, while it may bid; the
    UDPP offer with its totals (None: none)."""
    _changeable(offer, if_match)
    still_open(call, now)
    answers_valid(call.criteria, data)
    grant = grant_valid(call, data)
    admitted(standing, now, bound)
    return grant


def confirmation(*, offer: OfferFacts, call: Call, standing: Standing | None, now: datetime, bound: timedelta) -> None:
    """After an amendment, the author confirms its offer stands under the amended call, while it may bid."""
    if offer.status != OfferStatus.NEEDS_CONFIRMATION.value:
        raise Conflict(
            f"The offer is {offer.status}; only an offer awaiting confirmation is confirmed.",
            pl=f"Oferta ma status {offer.status}; potwierdza się tylko ofertę oczekującą na potwierdzenie.",
        )
    still_open(call, now)
    admitted(standing, now, bound)


def withdrawal(*, offer: OfferFacts, call: Call, if_match: str | None, now: datetime) -> None:
    """A provider withdraws its offer before the deadline (a suspended one too: withdrawing takes nothing)."""
    check_if_match(if_match, offer.version)
    if offer.status == OfferStatus.WITHDRAWN.value:
        raise Conflict("The offer is already withdrawn.", pl="Oferta jest już wycofana.")
    still_open(call, now)


def award_winner(standing: Standing | None, now: datetime, bound: timedelta, field: str) -> Admitted:
    """A lot is awarded only to a provider that may bid now (suspended after the deadline: not awarded)."""
    try:
        return admitted(standing, now, bound)
    except NotVerified as exc:
        raise NotVerified(
            f"{field}: {exc.detail} It cannot be awarded the lot.",
            pl=f"{field}: {exc.detail_pl} Nie można mu udzielić zamówienia ani dotacji w tej części.",
        ) from None
