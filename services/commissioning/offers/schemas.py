"""Offer API shapes and the submission receipt."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from services.commissioning.grants.schemas import GrantOffer
from services.commissioning.models.offers import Offer, OfferRow, OfferStatus
from services.commissioning.planning.schemas import MAX_VALUE_GROSZE
from shared.schemas import Body

# A number answer is bounded: JSON allows 1e400 and 10**22, which no criterion means and no store keeps.
ANSWER_LIMIT = 10**12
Answer = (
    str
    | Annotated[int, Field(ge=-ANSWER_LIMIT, le=ANSWER_LIMIT)]
    | Annotated[float, Field(ge=-ANSWER_LIMIT, le=ANSWER_LIMIT, allow_inf_nan=False)]
)


class OfferContent(Body):
    total_price_grosze: int = Field(
        gt=0,
        le=MAX_VALUE_GROSZE,
        description="Total price for the lot, grosze; in a UDPP offer (`grant`), the grant asked for: what its cost "
        "lines ask.",
    )
    quantity: int = Field(gt=0, le=10_000_000, description="Quantity offered, in the lot's unit.")
    answers: dict[str, Answer] = Field(
        default_factory=dict,
        max_length=10,
        description="Answer per non-price criterion code (text up to 4,000 characters, or a number).",
    )
    grant: GrantOffer | None = Field(
        default=None,
        description="The offer as the 2018 template (Dz.U. 2018 poz. 2057, załącznik nr 1) structures it: required "
        "by a call that states its terms of the grant (`grant_terms`), refused by any other.",
    )


class OfferIn(OfferContent):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "lot_id": "f24cb9ca-0308-5620-b363-fbb25af650b4",
                    "total_price_grosze": 48000000,
                    "quantity": 12000,
                    "answers": {
                        "quality": "Standard usług zgodny z rozporządzeniem; koordynator na miejscu.",
                        "social": 45,
                    },
                }
            ]
        },
    )

    lot_id: uuid.UUID = Field(description="The lot this offer is for.")
    provider_id: uuid.UUID | None = Field(
        default=None,
        description="The provider you submit for, if your account acts for several (default: your token's "
        "provider, or the one provider you are a member of).",
    )


RECEIPT_HASH_DOC = (
    "SHA-256 (hex) of the offer's canonical content: the JSON object of `call_id`, `lot_id`, `provider_id` (as "
    "strings), `total_price_grosze`, `quantity` and `answers` (and `grant`, as sent, when there is one), keys "
    "sorted at every level, no spaces, UTF-8 unescaped; in "
    "Python `hashlib.sha256(json.dumps(content, sort_keys=True, separators=(',', ':'), ensure_ascii=False)"
    ".encode()).hexdigest()`. Keep it as proof of what was submitted, and check it with "
    "`GET /v1/offers/{offer_id}/receipt-verification`."
)


class GrantSources(BaseModel):
    """V.B: the sources of the task's costs, summed by the server from the cost lines."""

    grant_grosze: int = Field(description="The grant asked for.")
    own_financial_grosze: int = Field(description="The own financial contribution.")
    personal_grosze: int = Field(description="Non-financial personal contribution (volunteers' and members' work).")
    in_kind_grosze: int = Field(description="Non-financial in-kind contribution.")
    recipients_grosze: int = Field(description="Payments from the task's recipients.")


class GrantTotals(BaseModel):
    """V.B and V.C of the template, summed by the server from the cost lines."""

    total_cost_grosze: int = Field(description="The task's costs.")
    sources: GrantSources = Field(description="V.B: what covers them.")
    own_contribution_grosze: int = Field(description="Financial and non-financial own contribution.")
    administrative_grosze: int = Field(description="Administrative costs (category II).")
    shares: dict[str, float] = Field(
        description="Of the task's costs (0..1): `grant`, `own_contribution`, `own_financial`, `non_financial` "
        "(personal and in-kind), `recipients`, `administrative`."
    )
    by_offeror: list[int] = Field(description="V.C: the costs each offeror bears, by its position in `offerors`.")


class GrantOfferOut(BaseModel):
    offer: GrantOffer = Field(description="The offer as sent.")
    totals: GrantTotals = Field(description="The totals the server computed.")


class Receipt(BaseModel):
    offer_id: uuid.UUID = Field(description="Offer id.")
    submitted_at: datetime = Field(description="When the server accepted it (UTC, by its clock).")
    content_hash: str = Field(description=RECEIPT_HASH_DOC)


class ReceiptCheck(BaseModel):
    offer_id: uuid.UUID
    matches: bool = Field(description="The hash is the offer's content as the server holds it now.")
    submitted_at: datetime = Field(description="When that content was accepted.")
    status: OfferStatus = Field(description="The offer's status (a withdrawn offer's content is kept).")


class OfferOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "50bf4b31-c091-5263-9ee2-802e3e7b8fc2",
                    "call_id": "328b369b-f4d2-56f5-b787-119b314c5586",
                    "lot_id": "f24cb9ca-0308-5620-b363-fbb25af650b4",
                    "provider_id": "a6099fba-51f8-56ef-aa91-5860c9ada220",
                    "provider_name": "Spółdzielnia Socjalna „Razem”",
                    "status": "submitted",
                    "total_price_grosze": 49200000,
                    "quantity": 12000,
                    "answers": {"quality": "Opiekunki z kwalifikacjami, koordynator 7 dni w tygodniu.", "social": 40},
                    "submitted_at": "2026-12-05T10:15:00Z",
                    "version": 1,
                    "receipt": {
                        "offer_id": "50bf4b31-c091-5263-9ee2-802e3e7b8fc2",
                        "submitted_at": "2026-12-05T10:15:00Z",
                        "content_hash": "9f2c1d4a8b7e6f5a4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918f7e6d5c",
                    },
                }
            ]
        }
    )

    id: uuid.UUID = Field(description="Offer id.")
    call_id: uuid.UUID = Field(description="Call.")
    lot_id: uuid.UUID = Field(description="Lot.")
    provider_id: uuid.UUID = Field(description="Provider (catalogue id).")
    provider_name: str = Field(description="Provider's name at submission.")
    status: OfferStatus = Field(description="submitted, needs-confirmation (after an amendment) or withdrawn.")
    total_price_grosze: int = Field(description="Price, grosze.")
    quantity: int = Field(description="Quantity.")
    answers: dict[str, Answer] = Field(description="Answers per criterion.")
    grant: GrantOfferOut | None = Field(default=None, description="A UDPP offer, with the totals the server computed.")
    submitted_at: datetime = Field(description="Last accepted submission (UTC).")
    version: int = Field(description="Version, also the ETag.")
    receipt: Receipt = Field(description="The receipt of the last submission.")


def offer_out(offer: Offer | OfferRow) -> OfferOut:
    return OfferOut(
        id=offer.id,
        call_id=offer.call_id,
        lot_id=offer.lot_id,
        provider_id=offer.provider_id,
        provider_name=offer.provider_name,
        status=OfferStatus(offer.status),
        total_price_grosze=offer.total_price_grosze,
        quantity=offer.quantity,
        answers=offer.answers,
        grant=GrantOfferOut.model_validate(offer.grant_offer) if offer.grant_offer else None,
        submitted_at=offer.submitted_at,
        version=offer.version,
        receipt=Receipt(offer_id=offer.id, submitted_at=offer.submitted_at, content_hash=offer.content_hash),
    )
