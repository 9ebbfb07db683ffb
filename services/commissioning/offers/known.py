"""What this process knows of the offers it wrote: their call, lot and provider (which never change) and their call's
criteria as of a version. With it a revision, most of the burst at a deadline, is one statement
(`repository.revise_if_current`) instead of a transaction of four round trips. Nothing here is trusted: that
statement checks the call's version, so a stale entry costs only the full path, never a wrong answer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request

from services.commissioning.models.calls import Call
from services.commissioning.models.offers import Offer


@dataclass(frozen=True, slots=True)
class KnownOffer:
    call_id: uuid.UUID
    lot_id: uuid.UUID
    provider_id: uuid.UUID
    call_version: int
    criteria: list[dict[str, Any]]


class KnownOffers:
    """Bounded: past `limit` offers it starts again (the cost is a full path for each offer once more). A call's
    criteria are kept once, at the latest version seen, however many offers it has."""

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._offers: dict[uuid.UUID, tuple[uuid.UUID, uuid.UUID, uuid.UUID]] = {}  # call, lot, provider
        self._calls: dict[uuid.UUID, tuple[int, list[dict[str, Any]]]] = {}  # version, criteria

    def get(self, offer_id: uuid.UUID) -> KnownOffer | None:
        offer = self._offers.get(offer_id)
        if offer is None:
            return None
        call_id, lot_id, provider_id = offer
        call_version, criteria = self._calls[call_id]
        return KnownOffer(call_id, lot_id, provider_id, call_version, criteria)

    def remember(self, offer: Offer, call: Call) -> None:
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
