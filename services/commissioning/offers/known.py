"""What this process knows of the offers it wrote: their call, lot and provider (which never change) and their call's
criteria as of a version; and what it read to decide submissions: the published calls with their lots, and the
providers' standing. With it a revision, most of the burst at a deadline, is one statement
(`repository.revise_if_current`) instead of a transaction of four round trips, and so is a first offer
(`repository.submit_if_unchanged`). Nothing here is trusted: those statements check the call's version (and the
standing's facts), so a stale entry costs only the full path, never a wrong answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from services.commissioning.models.calls import Call
from services.commissioning.models.offers import Offer, OfferRow
from services.commissioning.models.standing import ProviderStanding


@dataclass(frozen=True, slots=True)
class KnownOffer:
    call_id: uuid.UUID
    lot_id: uuid.UUID
    provider_id: uuid.UUID
    call_version: int
    criteria: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class SubmissionFacts:
    """A submission's facts as read (`repository.submission_facts`): the call, the lot's service type, and the
    provider's standing."""

    call: Call
    lot_service_type_id: uuid.UUID
    standing: ProviderStanding


class KnownOffers:
    """Bounded: past `limit` offers (or calls' lots, or providers) it starts again (the cost is a full path, or a
    read, once more). A call's criteria are kept once, at the latest version seen, however many offers it has."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._offers: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = {}  # call, lot, provider
        self._calls: dict[uuid.UUID, tuple[int, list[dict[str, Any]]]] = {}  # version, criteria
        self._read: dict[uuid.UUID, tuple[Call, dict[uuid.UUID, uuid.UUID]]] = {}  # call, its lots' service types
        self._standing: dict[uuid.UUID, ProviderStanding] = {}

    def submission_facts(self, call_id: uuid.UUID, lot_id: uuid.UUID, provider_id: uuid.UUID) -> SubmissionFacts | None:
        call, lots = self._read.get(call_id, (None, {}))
        service_type_id, standing = lots.get(lot_id), self._standing.get(provider_id)
        if call is None or service_type_id is None or standing is None:
            return None
        return SubmissionFacts(call, service_type_id, standing)

    def keep_submission_facts(self, lot_id: uuid.UUID, facts: SubmissionFacts) -> None:
        if len(self._read) >= self.limit or len(self._standing) >= self.limit:
            self._read.clear()
            self._standing.clear()
        known = self._read.get(facts.call.id)
        lots = known[1] if known is not None and known[0].version == facts.call.version else {}
        self._read[facts.call.id] = (facts.call, {**lots, lot_id: facts.lot_service_type_id})
        self._standing[facts.standing.provider_id] = facts.standing

    def forget_submission_facts(self, call_id: uuid.UUID, provider_id: uuid.UUID) -> None:
        """They may be stale: read them again next time."""
        self._read.pop(call_id, None)
        self._standing.pop(provider_id, None)

    def get(self, offer_id: uuid.UUID) -> KnownOffer | None:
        offer = self._offers.get(offer_id)
        if offer is None:
            return None
        call_id, lot_id, provider_id = offer
        call_version, criteria = self._calls[call_id]
        return KnownOffer(call_id, lot_id, provider_id, call_version, criteria)

    def remember(self, offer: Offer | OfferRow, call: Call) -> None:
        self.keep(offer.id, KnownOffer(offer.call_id, offer.lot_id, offer.provider_id, call.version, call.criteria))

    def keep(self, offer_id: uuid.UUID, known: KnownOffer) -> None:
        if offer_id not in self._offers and len(self._offers) >= self.limit:
            self._offers.clear()
            self._calls.clear()
        self._offers[offer_id] = (known.call_id, known.lot_id, known.provider_id)
        self._calls[known.call_id] = (known.call_version, known.criteria)


def known_offers_of(app: FastAPI) -> KnownOffers:
    """The app's, made on first use (each uvicorn worker, each test app has its own)."""
    known: KnownOffers | None = getattr(app.state, "known_offers", None)
    if known is None:
        known = app.state.known_offers = KnownOffers()
    return known


async def get_known_offers(request: Request) -> KnownOffers:
    return known_offers_of(request.app)


KnownOffersDep = Annotated[KnownOffers, Depends(get_known_offers)]
