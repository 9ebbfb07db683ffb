"""What this process keeps of the facts offer writes are decided on: the published calls it read (at a version,
with their lots' service types), the providers' standing as held, and the offers it wrote. With them a revision
or a first offer, most of the burst at a deadline, is one statement. Nothing here is trusted: a write checks that
every fact it was decided on still holds (the call's version, the standing's version and facts, the offer's
version), so a stale entry costs only a fresh read or the full path, never a wrong answer. Entries are kept only
from what a committed statement returned."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from services.commissioning.models.calls import Call
from services.commissioning.models.offers import Offer, OfferFacts, OfferRow
from services.commissioning.models.standing import ProviderStanding


@dataclass(frozen=True, slots=True)
class SubmissionFacts:
    """A first offer's facts: the call, the service type of the lot named (None: the call has no such lot), and
    the provider's standing as held."""

    call: Call
    lot_service_type_id: uuid.UUID | None
    standing: ProviderStanding


@dataclass(frozen=True, slots=True)
class RevisionFacts:
    """A revision's facts: the offer, its call and its provider's standing as held."""

    offer: OfferFacts
    call: Call
    standing: ProviderStanding


class KnownOffers:
    """Bounded: past `limit` entries of a kind it starts that kind again (the cost is a read once more)."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._calls: dict[uuid.UUID, tuple[Call, dict[uuid.UUID, uuid.UUID]]] = {}  # its lots' service types
        self._standing: dict[uuid.UUID, ProviderStanding] = {}
        self._offers: dict[uuid.UUID, OfferFacts] = {}

    def call(self, call_id: uuid.UUID) -> Call | None:
        kept = self._calls.get(call_id)
        return None if kept is None else kept[0]

    def providers(self) -> list[uuid.UUID]:
        """The providers whose standing this process decided on: the ones to keep fresh."""
        return list(self._standing)

    def submission_facts(self, call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID) -> SubmissionFacts | None:
        call, lots = self._calls.get(call_id, (None, {}))
        service_type_id, standing = lots.get(lot_id), self._standing.get(provider_id)
        if call is None or service_type_id is None or standing is None:
            return None
        return SubmissionFacts(call, service_type_id, standing)

    def keep_submission_facts(self, lot_id: uuid.UUID, facts: SubmissionFacts) -> None:
        self._keep_call(facts.call, {lot_id: facts.lot_service_type_id} if facts.lot_service_type_id else {})
        self.keep_standing(facts.standing)

    def forget_submission_facts(self, call_id: uuid.UUID, provider_id: uuid.UUID) -> None:
        """They may be stale: read them again next time."""
        self._calls.pop(call_id, None)
        self._standing.pop(provider_id, None)

    def revision_facts(self, offer_id: uuid.UUID) -> RevisionFacts | None:
        offer = self._offers.get(offer_id)
        if offer is None:
            return None
        call, standing = self.call(offer.call_id), self._standing.get(offer.provider_id)
        if call is None or standing is None:
            return None
        return RevisionFacts(offer, call, standing)

    def keep_revision_facts(self, facts: RevisionFacts) -> None:
        self._keep_call(facts.call, {})
        self.keep_standing(facts.standing)
        self._keep_offer(facts.offer)

    def forget_offer(self, offer_id: uuid.UUID) -> None:
        offer = self._offers.pop(offer_id, None)
        if offer is not None:
            self._calls.pop(offer.call_id, None)
            self._standing.pop(offer.provider_id, None)

    def remember(self, offer: Offer | OfferRow, call: Call | None) -> None:
        """An offer a committed statement wrote (and its call, if it is the one kept)."""
        self._keep_offer(
            OfferFacts(offer.id, offer.call_id, offer.lot_id, offer.provider_id, offer.version, offer.status)
        )
        if call is not None and call.id == offer.call_id:
            self._keep_call(call, {})

    def _keep_call(self, call: Call, lots: dict[uuid.UUID, uuid.UUID]) -> None:
        if call.id not in self._calls and len(self._calls) >= self.limit:
            self._calls.clear()
        kept = self._calls.get(call.id)
        same = kept is not None and kept[0].version == call.version
        self._calls[call.id] = (call, {**kept[1], **lots} if kept is not None and same else lots)

    def keep_standing(self, standing: ProviderStanding) -> None:
        if standing.provider_id not in self._standing and len(self._standing) >= self.limit:
            self._standing.clear()
        self._standing[standing.provider_id] = standing

    def _keep_offer(self, offer: OfferFacts) -> None:
        if offer.id not in self._offers and len(self._offers) >= self.limit:
            self._offers.clear()
        self._offers[offer.id] = offer


def known_offers_of(app: FastAPI) -> KnownOffers:
    """The app's, made on first use (each uvicorn worker, each test app has its own)."""
    known: KnownOffers | None = getattr(app.state, "known_offers", None)
    if known is None:
        known = app.state.known_offers = KnownOffers()
    return known


async def get_known_offers(request: Request) -> KnownOffers:
    return known_offers_of(request.app)


KnownOffersDep = Annotated[KnownOffers, Depends(get_known_offers)]
