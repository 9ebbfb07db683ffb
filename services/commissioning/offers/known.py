"""What this process keeps of the facts offer writes are decided on: the published calls it read (at a version,
with their lots' service types) and the offers it wrote, beside the providers' standing it read from the catalogue
(`standing.service.HeldStandings`). With them a revision
or a first offer, most of the burst at a deadline, is one statement. Nothing here is trusted: a write checks that
every fact it was decided on still holds (the call's version, the standing's version and facts, the offer's
version), so a stale entry costs only a fresh read or the full path, never a wrong answer. Entries are kept only
from what a committed statement returned."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, Request

from services.commissioning.dependencies import state_of
from services.commissioning.models.calls import Call
from services.commissioning.models.offers import Offer, OfferFacts, OfferRow
from services.commissioning.models.standing import Standing
from services.commissioning.standing.service import HeldStandings


@dataclass(frozen=True, slots=True)
class SubmissionFacts:
    """A first offer's facts: the call, the service type of the lot named (None: the call has no such lot), and
    the provider's standing as this process read it."""

    call: Call
    lot_service_type_id: uuid.UUID | None
    standing: Standing | None
    told_version: int | None = None  # of the provider, as the events told it (None: not read with these)


@dataclass(frozen=True, slots=True)
class RevisionFacts:
    """A revision's facts: the offer, its call and its provider's standing as this process read it."""

    offer: OfferFacts
    call: Call
    standing: Standing | None
    told_version: int | None = None  # of the provider, as the events told it (None: not read with these)


class KnownOffers:
    """Bounded: past `limit` entries of a kind it starts that kind again (the cost is a read once more)."""

    def __init__(self, held: HeldStandings, limit: int = 50_000) -> None:
        self.held, self.limit = held, limit
        self._calls: dict[uuid.UUID, tuple[Call, dict[uuid.UUID, uuid.UUID]]] = {}  # its lots' service types
        self._offers: dict[uuid.UUID, OfferFacts] = {}

    def call(self, call_id: uuid.UUID) -> Call | None:
        kept = self._calls.get(call_id)
        return None if kept is None else kept[0]

    def submission_facts(self, call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID) -> SubmissionFacts | None:
        call, lots = self._calls.get(call_id, (None, {}))
        service_type_id = lots.get(lot_id)
        if call is None or service_type_id is None:
            return None
        return SubmissionFacts(call, service_type_id, self.held.get(provider_id))

    def keep_submission_facts(self, lot_id: uuid.UUID, facts: SubmissionFacts) -> None:
        self._keep_call(facts.call, {lot_id: facts.lot_service_type_id} if facts.lot_service_type_id else {})

    def forget_call(self, call_id: uuid.UUID) -> None:
        """It may be stale: read it again next time."""
        self._calls.pop(call_id, None)

    def revision_facts(self, offer_id: uuid.UUID) -> RevisionFacts | None:
        offer = self._offers.get(offer_id)
        if offer is None:
            return None
        call = self.call(offer.call_id)
        if call is None:
            return None
        return RevisionFacts(offer, call, self.held.get(offer.provider_id))

    def keep_revision_facts(self, facts: RevisionFacts) -> None:
        self._keep_call(facts.call, {})
        self._keep_offer(facts.offer)

    def forget_offer(self, offer_id: uuid.UUID) -> None:
        offer = self._offers.pop(offer_id, None)
        if offer is not None:
            self._calls.pop(offer.call_id, None)

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

    def _keep_offer(self, offer: OfferFacts) -> None:
        if offer.id not in self._offers and len(self._offers) >= self.limit:
            self._offers.clear()
        self._offers[offer.id] = offer


def known_offers_of(app: FastAPI) -> KnownOffers:
    """The app's, made on first use (each uvicorn worker, each test app has its own)."""
    known: KnownOffers | None = getattr(app.state, "known_offers", None)
    if known is None:
        known = app.state.known_offers = KnownOffers(state_of(app).held)
    return known


async def get_known_offers(request: Request) -> KnownOffers:
    return known_offers_of(request.app)


KnownOffersDep = Annotated[KnownOffers, Depends(get_known_offers)]
